"""Remove e-mail addresses, phone numbers, BSNs and IBANs from text before it is logged.

The lead will unify this with `bot/text/redact.py` (another branch); same contract:
`redact(text) -> str`. Pure Python.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[^\s<>(),;:\"'@]+@[^\s<>(),;:\"'@]+\.[^\s<>(),;:\"'@]+")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}\s?(?:[A-Z0-9]{4}\s?){2,7}[A-Z0-9]{1,4}\b", re.IGNORECASE)
# Nine digits, possibly with dots or spaces (BSN), before the general phone rule.
_BSN = re.compile(r"(?<![\d+])\d{3}[.\s]?\d{2}[.\s]?\d{2}[.\s]?\d{2}(?!\d)")
_PHONE = re.compile(r"(?<!\w)(?:\+|00)?\d[\d\s\-.()]{6,20}\d(?!\d)")


def redact(text: str) -> str:
    """`text` with [e-mail], [iban], [telefoon] and [bsn] in place of those details."""
    if not text:
        return text
    text = _EMAIL.sub("[e-mail]", str(text))
    text = _IBAN.sub("[iban]", text)
    text = _PHONE.sub(
        lambda m: "[bsn]" if _BSN.fullmatch(m.group(0).strip()) else "[telefoon]", text
    )
    return text
