"""Contact details a user types: e-mail addresses and phone numbers, checked as Open Klant does.

Open Klant (the reference Klantinteracties API) checks a `digitaaladres` of kind
`telefoonnummer` with `validate_phone_number` in `src/openklant/utils/validators.py`. The
pattern changed between releases; `PHONE_PATTERN` is the current one (anchored, also accepting
`+31` with 10 digits and `00` with 11 digits), as in its published OpenAPI file. Before the check
the number is normalised: spaces, dashes, dots and brackets go, and `+31 (0)6...` loses its
`(0)`, so "06 12345678" becomes "0612345678" and "+31 6 1234 5678" becomes "+31612345678".

E-mail addresses are checked with the `email-validator` library (syntax only, no DNS look-up:
the assistant must work offline and must not leak the domain a user typed). Pure Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional

from email_validator import EmailNotValidError, validate_email

PHONE_PATTERN = re.compile(
    r"^("
    r"0[8-9]00[0-9]{4,8}"
    r"|0[1-9][0-9]{8}"
    r"|\+31[0-9]{10}"
    r"|\+[0-9]{9,20}"
    r"|00[0-9]{11}"
    r"|1400"
    r"|140[0-9]{2,3}"
    r")$"
)
PHONE_MAX_LENGTH = 20  # Open Klant's Medewerker.telefoonnummer; a digitaaladres allows 80
EMAIL_MAX_LENGTH = 254

# A run that looks like a phone number: starts with + or a digit, digits with separators.
_PHONE_CANDIDATE = re.compile(
    r"(?<![\w@.])\+?\d[\d\s\-./()]{2,24}\d(?![\w@])|(?<![\w@])\d{4,6}(?!\w)"
)
_EMAIL_CANDIDATE = re.compile(r"[^\s<>(),;:\"']+@[^\s<>(),;:\"']+")
_SEPARATORS = re.compile(r"[\s\-./()]")


def normalise_phone(text: str) -> str:
    """`text` without separators; `+31 (0)6 ...` becomes `+316...`."""
    value = text.strip()
    value = re.sub(r"^(\+\d{1,3})\s*\(0\)", r"\1", value)
    return _SEPARATORS.sub("", value)


def parse_phone(text: str) -> Optional[str]:
    """The normalised phone number when `text` is one that Open Klant accepts, else None."""
    value = normalise_phone(text or "")
    if len(value) > PHONE_MAX_LENGTH or not PHONE_PATTERN.match(value):
        return None
    return value


def parse_email(text: str) -> Optional[str]:
    """The normalised e-mail address when `text` is a valid one, else None."""
    value = (text or "").strip().strip(".")
    if not value or len(value) > EMAIL_MAX_LENGTH:
        return None
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


@dataclass(frozen=True)
class ContactDetails:
    """What a user gave in answer to "your e-mail or phone number?"."""

    email: Optional[str] = None
    phone: Optional[str] = None
    invalid_email: bool = False
    invalid_phone: bool = False

    @property
    def ok(self) -> bool:
        return bool(self.email or self.phone)


def extract_contact(text: str) -> ContactDetails:
    """Find an e-mail address and/or a phone number in free text ("mail: a@b.nl of 06 123...")."""
    text = (text or "")[:500]
    emails: List[str] = _EMAIL_CANDIDATE.findall(text)
    email = next((e for e in (parse_email(c) for c in emails) if e), None)
    rest = _EMAIL_CANDIDATE.sub(" ", text)
    candidates = [m.group(0) for m in _PHONE_CANDIDATE.finditer(rest)]
    phone = next((p for p in (parse_phone(c) for c in candidates) if p), None)
    return ContactDetails(
        email=email,
        phone=phone,
        invalid_email=bool(emails) and email is None,
        invalid_phone=bool(candidates) and phone is None,
    )


_LETTER = re.compile(r"[^\W\d_]")


def parse_name(text: str) -> Optional[str]:
    """A name to address the user by: 1-200 characters with a letter, no address or markup."""
    value = " ".join((text or "").split())
    if not value or len(value) > 200 or not _LETTER.search(value):
        return None
    if "@" in value or "<" in value or ">" in value or sum(c.isdigit() for c in value) > 2:
        return None
    return value
