"""Settings that break replicas stop the server before Rasa starts; log lines are redacted on every
handler, Sanic's access log included (a token in a query string, a phone number, an e-mail)."""

from __future__ import annotations

import io
import logging

import pytest

from bot import serve
from bot.settings import Settings
from bot.text import redact

POSTGRES = {"TRACKER_STORE": "postgresql", "SESSION_SECRET": "s" * 32, "TRACKER_CACHE": "0"}


def test_postgresql_without_a_session_secret_does_not_start():
    settings = Settings.from_env({**POSTGRES, "SESSION_SECRET": ""})
    with pytest.raises(SystemExit, match="SESSION_SECRET"):
        serve.run_rasa([], settings)


def test_postgresql_with_a_tracker_cache_does_not_start():
    settings = Settings.from_env({**POSTGRES, "TRACKER_CACHE": "100"})
    with pytest.raises(SystemExit, match="TRACKER_CACHE"):
        serve.run_rasa([], settings)


def test_safe_production_settings_and_sqlite_pass_the_check():
    serve.check_replica_safety(Settings.from_env(POSTGRES))
    defaults = {k: v for k, v in POSTGRES.items() if k != "TRACKER_CACHE"}
    serve.check_replica_safety(Settings.from_env(defaults))  # the default: no cache on PostgreSQL
    serve.check_replica_safety(Settings.from_env({}))  # SQLite: one process, cache allowed


@pytest.fixture
def installed():
    redact.install()
    yield
    redact.uninstall()


def test_an_access_log_line_with_a_token_phone_and_email_is_redacted(installed):
    """Sanic's access log formats `%(request)s` from the record's extra attributes."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)  # made after install(), as Sanic's are
    handler.setFormatter(logging.Formatter("%(host)s %(request)s %(message)s %(status)d"))
    logger = logging.getLogger("probe.access")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        logger.info(
            "",
            extra={
                "host": "127.0.0.1:5005",
                "request": "GET /conversations/x/tracker?token=s3cr3t-t0ken&phone=0612345678"
                "&mail=jan%40voorbeeld.nl",
                "status": 200,
            },
        )
        logger.warning(
            "Authorization: Bearer abcdef123456 for jan@voorbeeld.nl",
            extra={"host": "-", "request": "-", "status": 0},
        )
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    for secret in ("s3cr3t-t0ken", "0612345678", "jan%40voorbeeld.nl", "jan@voorbeeld", "abcdef"):
        assert secret not in text, text
    assert "token=[redacted]" in text and "[telefoon]" in text and "[e-mail]" in text


def test_the_redacting_formatter_wraps_any_formatter():
    formatter = redact.RedactingFormatter(logging.Formatter("%(message)s"))
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "bel 06-12345678", (), None)
    assert formatter.format(record) == "bel [telefoon]"
