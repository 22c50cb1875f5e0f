"""Remove personal data from text meant for logs: e-mail addresses, phone numbers, BSNs, IBANs.

`redact(text)` replaces each with a placeholder such as "[e-mail]". `RedactingFilter` is a
`logging.Filter` that redacts a record's message (arguments merged in) and its traceback.
`RedactingFormatter` redacts a whole formatted line, including what a format string pulls from
a record's extra attributes, as Sanic's access log does with `%(request)s` (the URL with its
query string); it also hides secrets in query strings (`?token=...`) and `Bearer` tokens
(`redact_log`). `install()` does both for the whole process: a record factory redacts each
record's message, and every handler's `format` (handlers made later too, e.g. by Sanic's and
Rasa's logging configuration) goes through the redacting formatter. Both servers call
`install()` at start (bot/serve.py). Every pattern is linear: it can only start at a word boundary
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


_SECRET_PARAMETER = re.compile(
    r"(?i)([?&;](?:token|access_token|auth|auth_token|api_key|key|secret|password|signature"
    r"|sig|session|session_id|code|jwt)=)[^&\s\"'#]+"
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
# Percent-encoded "@" and "+" in URLs, so that the e-mail and phone patterns see them.
_ENCODED = re.compile(r"%40|%2[Bb](?=\d)")


_PARAMETER = re.compile(r"([?&;][\w.-]{1,64}=)([^&;\s#\"']*)")


def _decoded(text: str) -> str:
    if "%" not in text:
        return text
    return _ENCODED.sub(lambda m: "@" if m.group(0) == "%40" else "+", text)


def redact_log(text: str) -> str:
    """`redact`, plus secrets in query strings and authorization headers (for log lines).

    Each query parameter's value is redacted by itself (an e-mail pattern would otherwise run
    over the `&` into the next parameter)."""
    text = _SECRET_PARAMETER.sub(r"\1[redacted]", text)
    text = _BEARER.sub(r"\1 [redacted]", text)
    text = _PARAMETER.sub(lambda m: m.group(1) + redact(_decoded(m.group(2))), text)
    return redact(_decoded(text))


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


class RedactingFormatter(logging.Formatter):
    """Formats with `inner` (or the default format), then redacts the whole line."""

    def __init__(self, inner: Optional[logging.Formatter] = None) -> None:
        super().__init__()
        self.inner = inner or logging.Formatter()

    def format(self, record: logging.LogRecord) -> str:
        return redact_log(self.inner.format(record))


_original_factory: Optional[Callable[..., logging.LogRecord]] = None
_original_handler_format: Optional[Callable[[logging.Handler, logging.LogRecord], str]] = None


def _redacting_handler_format(handler: logging.Handler, record: logging.LogRecord) -> str:
    """`logging.Handler.format` through `RedactingFormatter` (every handler, any formatter)."""
    assert _original_handler_format is not None
    return redact_log(_original_handler_format(handler, record))


def install() -> None:
    """Redact every log record and every formatted log line from now on (idempotent)."""
    global _original_factory, _original_handler_format
    if _original_handler_format is None:
        _original_handler_format = logging.Handler.format
        logging.Handler.format = _redacting_handler_format  # type: ignore[method-assign,assignment]
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
    """Restore the record factory and `Handler.format` of before `install()` (for tests)."""
    global _original_factory, _original_handler_format
    if _original_handler_format is not None:
        logging.Handler.format = _original_handler_format  # type: ignore[method-assign,assignment]
        _original_handler_format = None
    if _original_factory is not None:
        logging.setLogRecordFactory(_original_factory)
        _original_factory = None
