"""The contact request and the decisions around a handoff, without Rasa.

- When to offer a person: `request_human`, `request_contact`, clear frustration, the second
  misunderstanding in a row (`is_second_miss`), and the search's no-results offer (a
  `/request_human` button).
- What the user reads: the Dutch texts below (B1, "je").
- `ContactRequest`: what goes into the outbox, with its reference number (`new_reference`).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, Iterable, List, Mapping, Optional

from bot import names

# 10 characters at most: the reference is also the klantcontact's `nummer` (maxLength 10).
REFERENCE_PREFIX = "IO-"
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: easy to read out on the phone
# A failed answer: not understood, or understood but out of scope (both end in action_fallback).
MISSES = {names.NLU_FALLBACK, names.OUT_OF_SCOPE}

OFFER = (
    "Wil je dat een medewerker van de gemeente Haarlem je verder helpt? Dan geef ik dit gesprek "
    "door aan het klantcontactcentrum van de gemeente. Kan er nu niemand live met je chatten? "
    "Dan vraag ik je naam en je e-mailadres of telefoonnummer, zodat een medewerker contact met "
    "je opneemt. Die gegevens gebruikt de gemeente alleen voor je vraag. Is dat goed?"
)
OFFER_AFTER_MISSES = "Sorry, ik kan je vraag nog steeds niet goed beantwoorden. "
OFFER_AFTER_FRUSTRATION = "Sorry dat ik je niet goed help. "
OFFER_CALLBACK = (
    "Je kunt een contactverzoek achterlaten. Ik geef dan dit gesprek, je naam en je e-mailadres "
    "of telefoonnummer door aan het klantcontactcentrum van de gemeente Haarlem. Een medewerker "
    "neemt dan contact met je op. Die gegevens gebruikt de gemeente alleen voor je vraag. "
    "Is dat goed?"
)
CONSENT_AGAIN = (
    "Ik heb nog niets doorgegeven. Wil je dat ik dit gesprek doorgeef aan een medewerker van de "
    "gemeente? Kies '{yes}' of '{no}'. Liever zelf bellen? Bel de gemeente Haarlem op {telefoon}."
)
CALL_YOURSELF = " Liever zelf bellen? Bel de gemeente Haarlem op {telefoon}."
YES_BUTTON = "Ja, dat is goed"
NO_BUTTON = "Nee, liever niet"

NOBODY_LIVE = (
    "Er kan nu geen medewerker live met je chatten. Laat je gegevens achter, dan neemt een "
    "medewerker contact met je op. Wil je toch stoppen? Typ dan 'stop'."
)
CHOSE_CONTACT = "Goed. Ik stel je drie korte vragen. Wil je stoppen? Typ dan 'stop'."
QUEUED = (
    "Ik heb je doorgezet naar een medewerker van de gemeente. Je bent nummer {position} in de "
    "rij. Blijf dit venster openhouden: de medewerker reageert hier."
)
ASK_QUESTION_DRAFT = (
    "Deze vraag geef ik door:\n\"{draft}\"\nKlopt dat? Kies 'Ja, klopt' of typ je vraag opnieuw."
)
ASK_QUESTION = "Wat is je vraag voor de medewerker?"
KEEP_DRAFT_BUTTON = "Ja, klopt"
INVALID_NAME = "Ik heb je naam nodig, zodat de medewerker weet wie je bent. Typ alleen je naam."
INVALID_CONTACT = (
    "Dat lijkt geen geldig e-mailadres of telefoonnummer. Typ bijvoorbeeld naam@voorbeeld.nl of "
    "06 12345678."
)
INVALID_EMAIL = "Dat e-mailadres klopt niet helemaal. Kijk je het nog even na?"
INVALID_PHONE = (
    "Dat telefoonnummer klopt niet helemaal. Typ 10 cijfers, zoals 06 12345678 of 023 1234567, "
    "of een nummer met landcode, zoals +31 6 12345678."
)
INVALID_QUESTION = (
    "Wil je je vraag in een paar woorden typen? Dan weet de medewerker waar het over gaat."
)
CANCELLED = "Oké, ik geef niets door. Waarmee kan ik je nog meer helpen?"
CONFIRMED = (
    "Dank je, {name}. Ik heb je contactverzoek doorgegeven aan het klantcontactcentrum van de "
    "gemeente Haarlem. Je referentienummer is {reference}. Een medewerker neemt contact met je "
    "op via {via}. Noem het referentienummer als je zelf contact opneemt."
)
SAVE_FAILED = (
    "Sorry, het lukte niet om je contactverzoek op te slaan. Bel de gemeente Haarlem op "
    "{telefoon}, dan helpen ze je verder."
)

_CANCEL = re.compile(r"^\s*(stop|stoppen|annuleer|annuleren|laat maar|cancel)\W*$", re.IGNORECASE)
_CALLBACK = re.compile(
    r"terug\s*bel|bel\w* (me|mij) (terug|op)|mail\w* (me|mij)|contactverzoek", re.IGNORECASE
)
_KEEP = re.compile(
    r"^\s*(ja|jawel|klopt|ja,? klopt|ja,? dat klopt|prima|goed|oké|ok|correct)\W*$", re.IGNORECASE
)


def new_reference() -> str:
    """A fresh reference number like IO-7K3F9Q2 (10 characters)."""
    return REFERENCE_PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(7))


# Words that say yes to the consent question. Consent must be given, not guessed: a name typed
# at the question ("jan") looks like "ja" to a character-based classifier.
_YES = re.compile(
    r"^\W*(?:ja+|jawel|jazeker|jaja|jep|jup|yes|yep|graag|prima|goed|oke+|oké|ok|okay|akkoord|"
    r"zeker|tuurlijk|natuurlijk|uiteraard|absoluut|top|mag|dat mag|doe maar|is goed|"
    r"dat is goed|ga je gang|prima hoor|helemaal goed|klopt|in orde|yes please)\b",
    re.IGNORECASE,
)


def is_clear_yes(text: Optional[str]) -> bool:
    """The user's own words say yes (or they clicked the yes button: /affirm)."""
    text = (text or "").strip()
    return text.startswith("/" + names.AFFIRM) or bool(_YES.match(text))


def is_cancel(text: Optional[str]) -> bool:
    return bool(_CANCEL.match(text or ""))


def keeps_draft(text: Optional[str], intent: Optional[str]) -> bool:
    """The user accepted the pre-filled question ("ja", or the button)."""
    return intent == names.AFFIRM or bool(_KEEP.match(text or ""))


def wants_callback(text: Optional[str]) -> bool:
    """ "Kan iemand mij terugbellen?": a contact request rather than a live chat."""
    return bool(_CALLBACK.search(text or ""))


def is_second_miss(events: Iterable[Mapping[str, Any]]) -> bool:
    """True after the second failed answer in a row (not understood or out of scope)."""
    intents: List[Optional[str]] = []
    for event in reversed(list(events)):
        if event.get("event") == "user":
            intents.append(((event.get("parse_data") or {}).get("intent") or {}).get("name"))
            if len(intents) == 2:
                break
        elif event.get("event") in ("session_started", "restart"):
            break
    return len(intents) == 2 and all(i in MISSES for i in intents)


def consent_asked_last(
    events: Iterable[Mapping[str, Any]], slot: str = names.SLOT_HANDOFF_OFFER
) -> bool:
    """True when the bot's last turn (before the latest user message) asked consent.

    The consent question sets `slot` to "consent"; an answer only counts for the question the
    bot asked right before it, not for one asked turns ago."""
    users = 0
    for event in reversed(list(events)):
        kind = event.get("event")
        if kind == "user":
            users += 1
            if users == 2:
                return False
        elif kind == "slot" and event.get("name") == slot and users == 1:
            return event.get("value") == "consent"
        elif kind in ("session_started", "restart"):
            return False
    return False


@dataclass
class ContactRequest:
    """A contact request as it is kept in the outbox and delivered by the adapters."""

    reference: str
    name: str
    question: str
    email: Optional[str] = None
    phone: Optional[str] = None
    conversation_id: str = ""
    channel: str = ""
    transcript: List[Dict[str, Any]] = field(default_factory=list)
    created_at: str = field(
        default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds")
    )

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ContactRequest:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})

    @property
    def subject(self) -> str:
        return f"Contactverzoek via de chatassistent ({self.reference})"

    def via(self) -> str:
        """How the helpdesk will reach the user, in words ("e-mail en telefoon")."""
        return " en ".join(w for w, v in (("e-mail", self.email), ("telefoon", self.phone)) if v)
