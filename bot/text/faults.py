"""What the user reads when a part of the assistant fails. Pure Python, no Rasa imports."""

from __future__ import annotations

from typing import Dict, List, Optional

from bot import names

HELPDESK_BUTTON = "Een medewerker spreken"


def action_failed(telefoon: Optional[str]) -> str:
    """Dutch (B1) apology with the way to the helpdesk, for any failed step of a turn.

    `telefoon`: the municipality's number from the programme data (None when it can't be read).
    """
    bel = f"Bel dan {telefoon}" if telefoon else "Bel dan de gemeente Haarlem"
    return (
        "Sorry, er ging bij mij iets mis. Probeer het over een paar minuten nog eens. "
        f"Wil je liever iemand van de gemeente Haarlem spreken? {bel}, "
        "of kies hieronder voor een medewerker."
    )


def helpdesk_buttons() -> List[Dict[str, str]]:
    """The helpdesk offer as a quick reply."""
    return [{"title": HELPDESK_BUTTON, "payload": names.payload(names.REQUEST_HUMAN)}]
