"""HMAC signatures of the live-chat webhooks/API; console accounts and sessions."""

import pytest

from bot.counters import MemoryCounters
from bot.handoff import console, signing
from bot.handoff.console import (
    AccountError,
    Accounts,
    LoginThrottle,
    Sessions,
    hash_password,
    parse_accounts,
)

SECRET = "s3cret-for-tests"


def test_a_signed_body_verifies_and_an_altered_one_does_not():
    body = b'{"event":"message.user","text":"Hoi"}'
    headers = signing.sign(SECRET, body, now=1_800_000_000)
    assert headers[signing.SIGNATURE_HEADER].startswith("v2=")
    assert signing.verify(SECRET, headers, body, now=1_800_000_010)
    assert not signing.verify(SECRET, headers, body + b" ", now=1_800_000_010)
    assert not signing.verify("other", headers, body, now=1_800_000_010)
    assert not signing.verify("", headers, body, now=1_800_000_010)
    # Header names are case-insensitive (as in HTTP).
    lowered = {k.lower(): v for k, v in headers.items()}
    assert signing.verify(SECRET, lowered, body, now=1_800_000_010)


def test_the_signature_covers_method_and_path():
    body = b'{"agent":"a"}'
    headers = signing.sign(SECRET, body, now=1_800_000_000, method="POST", path="/v1/x/take")
    ok = dict(now=1_800_000_000, method="POST", path="/v1/x/take")
    assert signing.verify(SECRET, headers, body, **ok)
    assert not signing.verify(SECRET, headers, body, **{**ok, "path": "/v1/x/close"})
    assert not signing.verify(SECRET, headers, body, **{**ok, "method": "PUT"})
    assert signing.path_of("https://kcc.example/hooks/in?x=1") == "/hooks/in?x=1"
    assert signing.path_of("https://kcc.example") == "/"


def test_old_or_future_timestamps_and_missing_headers_fail():
    body = b"{}"
    headers = signing.sign(SECRET, body, now=1_800_000_000)
    assert not signing.verify(SECRET, headers, body, now=1_800_000_000 + 301)
    assert not signing.verify(SECRET, headers, body, now=1_800_000_000 - 301)
    assert not signing.verify(SECRET, {}, body, now=1_800_000_000)
    tampered = dict(headers, **{signing.TIMESTAMP_HEADER: "1800000001"})
    assert not signing.verify(SECRET, tampered, body, now=1_800_000_000)


def test_replay_guard_refuses_a_second_use():
    guard = signing.ReplayGuard()
    headers = signing.sign(SECRET, b"{}", now=1_800_000_000)
    assert guard.first_use(headers, now=1_800_000_000)
    assert not guard.first_use(headers, now=1_800_000_100)


@pytest.fixture(scope="module")
def anna_hash():
    return hash_password("correct horse battery")


def test_accounts_inline_and_from_a_file(tmp_path, anna_hash):
    bram_hash = hash_password("another long password")
    assert parse_accounts(f"anna:{anna_hash}; bram:{bram_hash}") == {
        "anna": anna_hash,
        "bram": bram_hash,
    }
    path = tmp_path / "accounts"
    path.write_text(f"# KCC accounts\nanna:{anna_hash}\n\nbram:{bram_hash}\n")
    assert parse_accounts(str(path)) == {"anna": anna_hash, "bram": bram_hash}
    assert parse_accounts("") == {}
    for bad in ["anna:plaintext", str(tmp_path / "missing"), f"an na:{anna_hash}"]:
        with pytest.raises(AccountError):
            parse_accounts(bad)


def test_passwords_are_checked(anna_hash):
    accounts = Accounts({"anna": anna_hash})
    assert accounts.check("anna", "correct horse battery")
    assert not accounts.check("anna", "wrong")
    assert not accounts.check("nobody", "correct horse battery")


def test_repeated_attempts_from_one_address_stop_that_name_there():
    now = [0.0]
    throttle = LoginThrottle(MemoryCounters(clock=lambda: now[0]))
    for _ in range(console.PAIR_LIMIT):
        assert throttle.attempt("anna", "10.0.0.1")
    assert not throttle.attempt("anna", "10.0.0.1")  # counted before any password check
    assert throttle.attempt("anna", "10.0.0.2")  # another address is not locked
    now[0] += console.LOGIN_WINDOW_SECONDS + 1
    assert throttle.attempt("anna", "10.0.0.1")


def test_an_accounts_file_is_read_again_when_it_changes(tmp_path, anna_hash, monkeypatch):
    monkeypatch.setattr(console, "RELOAD_SECONDS", 0.0)
    path = tmp_path / "accounts"
    path.write_text(f"anna:{anna_hash}\n")
    accounts = Accounts.from_setting(str(path))
    assert accounts.password_hash("anna") == anna_hash
    path.write_text("# anna left\n")
    assert accounts.password_hash("anna") is None


def test_sessions_expire_and_end(tmp_path):
    now = [1_800_000_000.0]
    sessions = Sessions(
        tmp_path / "console.sqlite3", lifetime_minutes=60, idle_minutes=0, clock=lambda: now[0]
    )
    token = sessions.create("anna")
    assert sessions.agent(token) == "anna"
    assert sessions.agent(token + "x") is None
    assert sessions.agent(None) is None
    now[0] += 59 * 60
    assert sessions.agent(token) == "anna"
    now[0] += 2 * 60
    assert sessions.agent(token) is None
    other = sessions.create("anna")
    sessions.end(other)
    assert sessions.agent(other) is None
    # Only a digest of the token is stored.
    assert token not in (tmp_path / "console.sqlite3").read_bytes().decode("latin-1")
