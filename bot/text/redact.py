"""Remove personal data from text meant for logs: e-mail addresses, phone numbers, BSNs, IBANs.

`redact(text)` replaces each with a placeholder such as "[e-mail]". `RedactingFilter` is a
`logging.Filter` that redacts a record's message (arguments merged in) and its traceback;
`install()` applies it to every log record of the process (a record factory, so loggers and
handlers created later are covered too). Both servers call `install()` at start
(bot/serve.py). Every pattern is linear: it can only start at a word boundary
(a lookbehind) and its repeats are bounded or stop at the first non-matching character.
"""

from __future__ import annotations

import logging
import re
from typing import Callable, List, Optional, Tuple

_PATTERNS: List[Tuple[re.Pattern, str]] = [
    (
        re.compile(r"(?<![\w.!#$%&'*+/=?^`{|}~-])[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+"),
        "[e-mail]",
    ),
    (
        re.compile(
            r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?"
            r"(?![A-Za-z0-9])"
        ),
        "[iban]",
    ),
    (
        re.compile(
            r"(?<![\w+])(?:(?:\+|00)\d{2}[ .-]?(?:\(0\)[ .-]?)?[1-9]|0[1-9])"
            r"(?:[ .-]?\d){7,10}(?!\w)"
        ),
        "[telefoon]",
    ),
    (
        re.compile(
            r"(?<![\w.-])(?:\d{8,9}|\d{3}[ .]\d{3}[ .]\d{3}|\d{4}[ .]\d{2}[ .]\d{3}"
            r"|\d{3}[ .]\d{2}[ .]\d{2}[ .]\d{2})(?![\w-])"
        ),
        "[bsn]",
    ),
]


def redact(text: str) -> str:
    """The text with e-mail addresses, phone numbers, BSNs and IBANs replaced."""
    for pattern, placeholder in _PATTERNS:
        text = pattern.sub(placeholder, text)
    return text


class RedactingFilter(logging.Filter):
    """A filter that rewrites a record's message and traceback without personal data.

    It never drops a record. Use it on a handler (`handler.addFilter(RedactingFilter())`)
    or for the whole process with `install()`.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what is there, redacted
            message = str(record.msg)
        record.msg, record.args = redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record._redacted = True
        return True


_original_factory: Optional[Callable[..., logging.LogRecord]] = None


def install() -> None:
    """Redact every log record this process creates from now on (idempotent)."""
    global _original_factory
    if _original_factory is not None:
        return
    _original_factory = logging.getLogRecordFactory()
    record_filter = RedactingFilter()
    factory = _original_factory

    def redacting_factory(*args, **kwargs) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        record_filter.filter(record)
        return record

    logging.setLogRecordFactory(redacting_factory)


def uninstall() -> None:
    """Restore the record factory that was there before `install()` (for tests)."""
    global _original_factory
    if _original_factory is not None:
        logging.setLogRecordFactory(_original_factory)
        _original_factory = None
