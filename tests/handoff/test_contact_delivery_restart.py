"""Issue 18: a contact request stored while the mail server was down must be e-mailed soon after
the mail server is back and the assistant restarts.

Real servers only: aiosmtpd (plain, with STARTTLS, with a login) and the real action server
(`python -m bot.serve actions`, as `make run` starts it) in a new process, as after a restart.
"""

from __future__ import annotations

import dataclasses
import email
import logging
import socket
import time
from email import policy
from pathlib import Path
from typing import Callable, Dict, Optional

import pytest
import requests

from bot import names
from bot.handoff.adapters import configured
from bot.handoff.adapters.smtp import EmailAdapter, starttls_mode
from bot.handoff.outbox import DELIVERED, PENDING, Outbox
from bot.handoff.store import database_path
from bot.handoff.worker import Worker, backoff
from bot.settings import Settings
from tests.handoff.stand_ins import ConfigurableSmtpServer, SmtpServer, make_certificates
from tests.handoff.test_contact_delivery import Clock, a_request
from tests.servers import ActionServer, free_port, server_env, stop_process

RETRY_SECONDS = 30.0  # the default HANDOFF_RETRY_SECONDS
# Generous: the action server imports rasa_sdk and the actions first; once it runs, the worker
# polls every 2 s. Before the fix the next attempt was 8 minutes away.
DELIVERED_WITHIN = 90.0


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return condition()


def settings_for(tmp_path: Path, port: int, host: str = "127.0.0.1", **changes) -> Settings:
    return dataclasses.replace(
        Settings.from_env({}),
        data_dir=tmp_path,
        smtp_host=host,
        smtp_port=port,
        smtp_from="assistent@haarlem.test",
        helpdesk_email="kcc@haarlem.test",
        handoff_retry_seconds=RETRY_SECONDS,
        handoff_timeout_seconds=5.0,
        **changes,
    )


def fail_while_the_mail_server_is_down(settings: Settings, failures: int) -> str:
    """Store a request and let `failures` attempts fail (connection refused), as a worker did
    while the mail server was down: on a clock that ends now, so the outbox holds exactly what
    it held then, with the next attempt `backoff(failures)` seconds from now."""
    delays = [backoff(n, RETRY_SECONDS, jitter=lambda: 1.0) for n in range(1, failures)]
    shift = [sum(delays)]  # the first attempt that long ago; the last one now
    outbox = Outbox(database_path(settings.data_dir), clock=lambda: time.time() - shift[0])
    worker = Worker(outbox, configured(settings), retry_seconds=RETRY_SECONDS)
    request = a_request()
    outbox.add(request, ["email"])
    for n in range(failures):
        assert worker.run_once() == 0
        if n < len(delays):
            shift[0] -= delays[n]
    [row] = outbox.deliveries(request.reference)
    assert row["status"] == PENDING and row["attempts"] == failures
    return request.reference


def start_action_server(tmp_path: Path, smtp_port: int, extra: Dict[str, str]) -> ActionServer:
    """The real action server in a new process (as after a restart), e-mail its only adapter."""
    env = server_env(
        {
            "DATA_DIR": str(tmp_path),
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp_port),
            "SMTP_FROM": "assistent@haarlem.test",
            "HELPDESK_EMAIL": "kcc@haarlem.test",
            "HANDOFF_RETRY_SECONDS": str(RETRY_SECONDS),
            "HANDOFF_TIMEOUT_SECONDS": "5",
            "OFFICE_HOLIDAYS": "",
        }
    )
    for name in (
        "SMTP_STARTTLS",
        "SMTP_USER",
        "SMTP_PASSWORD",
        "KLANTINTERACTIES_URL",
        "HANDOFF_WEBHOOK_URL",
        "HANDOFF_WORKER",
        "ACTION_SERVER_SANIC_WORKERS",
    ):
        env.pop(name, None)
    env.update(extra)
    server = ActionServer(free_port(), env, tmp_path / "action-server.log")
    try:
        return server.start()
    except Exception:
        stop_process(server.proc)
        raise


@pytest.fixture
def smtp():
    server = SmtpServer(free_port())
    yield server
    server.stop()


def the_log(tmp_path: Path) -> str:
    log = tmp_path / "action-server.log"
    return log.read_text(errors="replace") if log.exists() else ""


# ---------------------------------------------------------------- the reproduction (subprocess)
def test_after_a_restart_a_request_that_failed_while_the_mail_server_was_down_is_sent_at_once(
    tmp_path, smtp
):
    """Mail server down for about 7 minutes: 5 failed attempts, the next one 8 minutes away.
    The mail server comes back, the assistant restarts: the e-mail arrives at once."""
    settings = settings_for(tmp_path, smtp.port, smtp_starttls="false")
    reference = fail_while_the_mail_server_is_down(settings, failures=5)
    smtp.start()
    server = start_action_server(tmp_path, smtp.port, {"SMTP_STARTTLS": "false"})
    try:
        arrived = wait_for(lambda: len(smtp.messages) == 1, DELIVERED_WITHIN)
    finally:
        server.stop()
    assert arrived, f"no e-mail {DELIVERED_WITHIN:.0f} s after the restart:\n{the_log(tmp_path)}"
    mail = email.message_from_bytes(smtp.messages[0], policy=policy.default)
    assert mail["X-Handoff-Reference"] == reference
    [row] = Outbox(database_path(tmp_path)).deliveries(reference)
    assert row["status"] == DELIVERED and row["attempts"] == 6


def submit(action_url: str) -> str:
    """The form's last step, as Rasa calls it: POST /webhook action_handoff_submit."""
    slots = {
        names.SLOT_CONTACT_NAME: "Jan van der Berg",
        names.SLOT_CONTACT_EMAIL: "jan@example.nl",
        names.SLOT_CONTACT_PHONE: None,
        names.SLOT_CONTACT_QUESTION: "Hoe kom ik op het inkoopplatform?",
    }
    user = {
        "event": "user",
        "text": "Hoe kom ik op het inkoopplatform?",
        "parse_data": {"intent": {"name": "nlu_fallback"}},
        "input_channel": "rest",
        "timestamp": time.time(),
    }
    body = {
        "next_action": names.ACTION_HANDOFF_SUBMIT,
        "sender_id": "rest:issue-18",
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": "rest:issue-18",
            "slots": slots,
            "latest_message": {"text": "ja", "intent": {"name": "affirm"}, "entities": []},
            "events": [user],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": names.FORM_CONTACT},
            "latest_action_name": "action_listen",
        },
    }
    response = requests.post(f"{action_url}/webhook", json=body, timeout=60)
    response.raise_for_status()
    [message] = response.json()["responses"]
    return message["text"]


def test_with_the_default_starttls_setting_a_plain_local_relay_gets_the_request(tmp_path, smtp):
    """SMTP_STARTTLS not set and a local relay (localhost:25 style) without STARTTLS: a request
    submitted through the running action server is e-mailed (it failed every attempt before)."""
    smtp.start()
    server = start_action_server(tmp_path, smtp.port, {})
    try:
        text = submit(server.url)
        arrived = wait_for(lambda: len(smtp.messages) == 1, DELIVERED_WITHIN)
    finally:
        server.stop()
    assert arrived, f"no e-mail within {DELIVERED_WITHIN:.0f} s:\n{the_log(tmp_path)}"
    mail = email.message_from_bytes(smtp.messages[0], policy=policy.default)
    assert mail["X-Handoff-Reference"] in text  # the number the user was given


def test_with_several_sanic_workers_the_request_is_still_delivered(tmp_path, smtp):
    """ACTION_SERVER_SANIC_WORKERS=2: Sanic forks its workers; the worker thread stays in the
    parent process, which keeps polling the outbox."""
    smtp.start()
    server = start_action_server(
        tmp_path, smtp.port, {"SMTP_STARTTLS": "false", "ACTION_SERVER_SANIC_WORKERS": "2"}
    )
    try:
        text = submit(server.url)
        arrived = wait_for(lambda: len(smtp.messages) == 1, DELIVERED_WITHIN)
    finally:
        server.stop()
    assert arrived, f"no e-mail within {DELIVERED_WITHIN:.0f} s:\n{the_log(tmp_path)}"
    mail = email.message_from_bytes(smtp.messages[0], policy=policy.default)
    assert mail["X-Handoff-Reference"] in text


# ---------------------------------------------------------------- the worker at start-up
def test_a_starting_worker_tries_failed_deliveries_at_once_but_not_leased_ones(tmp_path):
    clock = Clock()
    settings = settings_for(tmp_path, free_port(), smtp_starttls="false")  # nothing listens
    box = Outbox(database_path(tmp_path), clock=clock)
    waiting, leased, done = a_request(), a_request(), a_request()
    for r in (waiting, leased, done):
        box.add(r, ["email"])
    assert len(box.claim(["email"], 600)) == 3  # one attempt each, leased for 10 minutes
    box.retry_later(waiting.reference, "email", clock.now + 3000, "SMTP ConnectionRefusedError")
    box.delivered(done.reference, "email")

    def attempts(reference: str) -> int:
        return box.deliveries(reference)[0]["attempts"]

    worker = Worker(box, configured(settings), retry_seconds=RETRY_SECONDS, poll_seconds=3600)
    worker.start()
    try:
        tried = wait_for(lambda: attempts(waiting.reference) == 2, 30)
    finally:
        worker.stop()
    assert tried  # due at start, not in 3000 s
    assert attempts(leased.reference) == 1  # another worker holds it: left alone
    assert box.deliveries(done.reference)[0]["status"] == DELIVERED


def test_smtp_retries_are_at_most_ten_minutes_apart():
    assert backoff(20, RETRY_SECONDS, EmailAdapter.max_backoff) <= 660
    assert EmailAdapter.max_backoff < Settings.from_env({}).handoff_retry_max_seconds


def test_an_email_delivery_that_keeps_failing_is_retried_within_ten_minutes(tmp_path):
    clock = Clock()
    settings = settings_for(tmp_path, free_port(), smtp_starttls="false")
    worker = Worker(
        Outbox(database_path(tmp_path), clock=clock),
        configured(settings),
        retry_seconds=RETRY_SECONDS,
        max_backoff=3600,
    )
    worker.outbox.add(a_request(), ["email"])
    for _ in range(12):  # connection refused each time: the cap is reached
        assert worker.run_once() == 0
        clock.now += 3600
    assert worker.run_once() == 0
    clock.now += 661
    assert [j.attempts for j in worker.outbox.claim(["email"], 60)] == [14]


# ---------------------------------------------------------------- SMTP_STARTTLS
@pytest.mark.parametrize(
    "value, mode",
    [
        (None, "auto"),
        ("", "auto"),
        ("auto", "auto"),
        ("true", "true"),
        ("TRUE", "true"),
        ("1", "true"),
        ("yes", "true"),
        ("false", "false"),
        ("0", "false"),
        ("no", "false"),
    ],
)
def test_smtp_starttls_setting(value, mode):
    env = {} if value is None else {"SMTP_STARTTLS": value}
    assert Settings.from_env(env).smtp_starttls == mode
    assert starttls_mode(mode) == mode


def test_an_unknown_smtp_starttls_value_is_refused_at_start():
    with pytest.raises(ValueError, match="SMTP_STARTTLS"):
        Settings.from_env({"SMTP_STARTTLS": "maybe"})
    assert starttls_mode(True) == "true" and starttls_mode(False) == "false"


def non_loopback_address() -> Optional[str]:
    """An address of this machine that is not loopback (no packet is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))
            address = s.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def deliver_once(settings: Settings, clock=None):
    clock = clock or Clock()
    worker = Worker(
        Outbox(database_path(settings.data_dir), clock=clock),
        configured(settings),
        retry_seconds=RETRY_SECONDS,
    )
    request = a_request()
    worker.outbox.add(request, ["email"])
    done = worker.run_once()
    [row] = worker.outbox.deliveries(request.reference)
    return worker, done, row


def errors(caplog):
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_auto_sends_to_a_plain_loopback_relay_without_tls(tmp_path):
    server = ConfigurableSmtpServer(free_port()).start()
    try:
        _, done, row = deliver_once(settings_for(tmp_path, server.port))
    finally:
        server.stop()
    assert done == 1 and row["status"] == DELIVERED and server.tls == [False]


def test_true_refuses_a_relay_without_starttls_with_one_clear_error(tmp_path, caplog):
    server = ConfigurableSmtpServer(free_port()).start()
    caplog.set_level(logging.WARNING)
    clock = Clock()
    try:
        worker, done, row = deliver_once(
            settings_for(tmp_path, server.port, smtp_starttls="true"), clock
        )
        clock.now += 3600
        assert worker.run_once() == 0  # a second attempt: no second ERROR line
    finally:
        server.stop()
    assert done == 0 and server.messages == []
    assert "STARTTLS" in row["last_error"]
    [error] = errors(caplog)
    assert "SMTP_STARTTLS" in error.getMessage() and "does not offer STARTTLS" in error.getMessage()


def test_auto_requires_starttls_for_a_host_that_is_not_loopback(tmp_path, caplog):
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address")
    server = ConfigurableSmtpServer(free_port(), hostname=address).start()
    caplog.set_level(logging.WARNING)
    try:
        _, done, row = deliver_once(settings_for(tmp_path, server.port, host=address))
    finally:
        server.stop()
    assert done == 0 and server.messages == [] and "STARTTLS" in row["last_error"]
    [error] = errors(caplog)
    assert "SMTP_STARTTLS=false" in error.getMessage()


def test_false_sends_without_tls_to_a_host_that_is_not_loopback(tmp_path):
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address")
    server = ConfigurableSmtpServer(free_port(), hostname=address).start()
    try:
        _, done, _ = deliver_once(
            settings_for(tmp_path, server.port, host=address, smtp_starttls="false")
        )
    finally:
        server.stop()
    assert done == 1 and server.tls == [False]


@pytest.fixture
def certificates(tmp_path, monkeypatch):
    hosts = ["127.0.0.1"] + [a for a in [non_loopback_address()] if a]
    paths = make_certificates(tmp_path, hosts)
    monkeypatch.setenv("SSL_CERT_FILE", paths["ca"])  # ssl.create_default_context() trusts it
    return paths


def test_auto_uses_starttls_when_offered_and_logs_in_only_over_it(tmp_path, certificates):
    server = ConfigurableSmtpServer(
        free_port(), certificates=certificates, accounts={"bot": "geheim-42"}
    ).start()
    try:
        _, done, _ = deliver_once(
            settings_for(tmp_path, server.port, smtp_user="bot", smtp_password="geheim-42")
        )
    finally:
        server.stop()
    assert done == 1 and server.tls == [True] and server.logins == ["bot"]


def test_a_certificate_that_is_not_trusted_sends_nothing(tmp_path, certificates, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE")
    server = ConfigurableSmtpServer(free_port(), certificates=certificates).start()
    try:
        _, done, row = deliver_once(settings_for(tmp_path, server.port))
    finally:
        server.stop()
    assert done == 0 and server.messages == [] and "SSL" in row["last_error"]


@pytest.mark.parametrize("mode", ["auto", "false"])
def test_credentials_are_never_sent_without_tls(tmp_path, caplog, mode):
    server = ConfigurableSmtpServer(free_port(), accounts={"bot": "geheim-42"}).start()
    caplog.set_level(logging.WARNING)
    try:
        _, done, row = deliver_once(
            settings_for(
                tmp_path,
                server.port,
                smtp_starttls=mode,
                smtp_user="bot",
                smtp_password="geheim-42",
            )
        )
    finally:
        server.stop()
    assert done == 0 and server.messages == [] and server.auth_attempts == 0
    [error] = errors(caplog)
    assert "SMTP_USER" in error.getMessage() and "geheim-42" not in caplog.text
