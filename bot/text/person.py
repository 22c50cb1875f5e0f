"""Asking for a person, in any words: "kan iemand van het programma mij bellen of mailen",
"kun je me doorzetten naar de helpdesk". Pure Python, linear in the length of the text.

These requests come inside long messages about something else (a journalist's reportage, a
tender), where the topic words outweigh the request for the intent classifier. The request is
what the user wants first, so it wins.
"""

from __future__ import annotations

import re
from typing import Optional

from bot import names

_CONTACT = re.compile(
    r"\b(?:(?:me|mij|ons)\s+(?:\w+\s+){0,3}?(?:terug\s*)?(?:bellen|mailen|benaderen|"
    r"terugbellen|e-?mailen|appen)\b|"
    r"contact\s+(?:met\s+)?(?:me|mij|ons)\s+(?:\w+\s+){0,2}?op(?:nemen|neemt)?\b|"
    r"terug\s*bel\w*|"
    r"contact\s+met\s+(?:iemand|een medewerker|een mens|een persoon|een collega)\b|"
    r"(?:bel|mail)\s+(?:me|mij)\s+(?:\w+\s+)?(?:terug|op)\b)",
    re.IGNORECASE,
)
_HUMAN = re.compile(
    r"\b(?:(?:iemand|een medewerker|een mens|een persoon|een echt persoon|een collega|"
    r"een adviseur)\s+(?:\w+\s+){0,6}?(?:spreken|chatten|praten|aan de lijn|aan de telefoon|"
    r"te woord staan)\b|"
    r"(?:doorverbinden|doorzetten|doorsturen)\s+(?:met|naar)\b|"
    r"(?:verbind|zet)\s+(?:me|mij)\s+door\b)",
    re.IGNORECASE,
)
MAX_CHARS = 2000


def person_request(text: Optional[str]) -> Optional[str]:
    """request_contact (call or mail me back), request_human (let me talk to someone) or None."""
    if not text:
        return None
    text = text[:MAX_CHARS]
    if _CONTACT.search(text):
        return names.REQUEST_CONTACT
    if _HUMAN.search(text):
        return names.REQUEST_HUMAN
    return None
