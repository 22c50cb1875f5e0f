"""Two Rasa servers and two action servers, each with its own DATA_DIR (as containers have),
sharing PostgreSQL, Redis and RabbitMQ: the helpdesk handoff works across all of them.

- A widget user (a real Socket.IO client) on Rasa A asks for a person; the employee, logged in
  on Rasa B, sees and takes it; their messages cross both ways (Socket.IO across replicas through
  Redis), the user moves to Rasa B and the conversation goes on through action server 2.
- "Nieuw gesprek" during a handover ends the handover for the employee.
- A contact request queued through action server 1 while the mail server is down is delivered
  exactly once by action server 2 after server 1 and its DATA_DIR are destroyed.
- A console session and the login throttle hold across both Rasa servers.
"""

from __future__ import annotations

import contextlib
import email
import re
import shutil
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from email import policy
from typing import Any, Dict, List, Optional

import pytest
import requests

from bot import PROJECT_ROOT, names, training
from bot.handoff import relay
from bot.handoff.console import hash_password
from tests import services
from tests.channels.socketio_servers import Widget
from tests.handoff.stand_ins import SmtpServer
from tests.servers import ActionServer, free_port, pair_env, start_rasa

pytestmark = pytest.mark.servers

PASSWORDS = {"anna": "anna-heeft-dienst-42"}
ORIGIN = "http://localhost:5005"
REST_TOKEN = "rest-token-for-the-scale-out-test"
REFERENCE = re.compile(r"\bIO-[2-9A-HJ-NP-Z]{7}\b")


def wait_for(check, timeout: float = 60.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def hold(port: int) -> socket.socket:
    """Keep a port bound but not listening: the mail server is down, nobody else takes it."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    return sock


class WidgetUser(Widget):
    """The widget (tests/channels/socketio_servers.py) on this test's page origin; a reply may
    take longer when it crosses replicas."""

    def connect(
        self, url: str, previous: Optional[str] = None, origin: Optional[str] = None
    ) -> WidgetUser:
        super().connect(url, previous, origin or ORIGIN)
        return self

    def wait_text(self, needle: str, timeout: float = 60.0) -> Dict[str, Any]:
        return super().wait_text(needle, timeout)


def login(rasa, name: str, password: str) -> requests.Response:
    return requests.post(
        f"{rasa.url}/console/api/login",
        json={"name": name, "password": password},
        headers={"Origin": rasa.url},
        timeout=30,
    )


class Employee:
    """A logged-in console session; the cookie works on any replica."""

    def __init__(self, rasa, name: str) -> None:
        resp = login(rasa, name, PASSWORDS[name])
        assert resp.ok, resp.text
        self.cookie = resp.headers["Set-Cookie"].split(";")[0]

    def call(self, rasa, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Cookie": self.cookie, "Origin": rasa.url}
        if method == "POST":
            kwargs.setdefault("json", {})
        return requests.request(
            method, f"{rasa.url}/console/api{path}", headers=headers, timeout=30, **kwargs
        )

    def handoff_of(self, rasa, conversation_id: str) -> Optional[Dict[str, Any]]:
        resp = self.call(rasa, "GET", "/handoffs")
        assert resp.ok, resp.text
        return next(
            (h for h in resp.json()["handoffs"] if h["conversation_id"] == conversation_id), None
        )

    def messages(self, rasa, handoff_id: int) -> List[Dict[str, Any]]:
        resp = self.call(rasa, "GET", f"/handoffs/{handoff_id}")
        assert resp.ok, resp.text
        return resp.json()["messages"]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    services.require(services.POSTGRES)
    services.require(services.REDIS)
    services.require(services.RABBITMQ)
    training.train(PROJECT_ROOT)
    work = tmp_path_factory.mktemp("scaleout")
    accounts = work / "console-accounts"
    accounts.write_text("".join(f"{n}:{hash_password(p)}\n" for n, p in PASSWORDS.items()))
    smtp = SmtpServer(free_port())
    smtp_hold = hold(smtp.port)
    queue, exchange = services.unique("events"), services.unique("exchange")
    prefix = services.unique("scale")
    started: List[Any] = []
    with services.postgres_database() as database:
        common = {
            **services.postgres_env(database),
            **services.redis_env(prefix),
            **services.rabbitmq_env(queue, exchange),
            "TRACKER_CACHE": "0",
            "SOCKETIO_REDIS_URL": f"redis://{services.REDIS[1]}:{services.REDIS[2]}/3",
            "SESSION_SECRET": "scale-out-session-secret",
            "REST_TOKEN": REST_TOKEN,
            "CONSOLE_ACCOUNTS": str(accounts),
            "CONSOLE_INSECURE_COOKIE": "true",  # plain http in the test
            "CORS_ORIGINS": ORIGIN,
            "OFFICE_HOURS": "mon-sun 00:00-24:00",
            "OFFICE_HOLIDAYS": "",
            "HANDOFF_WAIT_SECONDS": "600",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp.port),
            "SMTP_STARTTLS": "false",
            "SMTP_FROM": "assistent@haarlem.test",
            "HELPDESK_EMAIL": "kcc@haarlem.test",
            "HANDOFF_RETRY_SECONDS": "0.5",
            "HANDOFF_RETRY_MAX_SECONDS": "2",
        }

        def env(name: str) -> Dict[str, str]:
            return pair_env(work / name, {**common, "DATA_DIR": str(work / name / "var")})

        for name in ("act1", "act2", "rasa-a", "rasa-b"):
            (work / name).mkdir()
        try:
            act1 = ActionServer(free_port(), env("act1"), work / "act1" / "action.log").start()
            started.append(act1)
            act2 = ActionServer(free_port(), env("act2"), work / "act2" / "action.log").start()
            started.append(act2)
            with ThreadPoolExecutor(max_workers=2) as pool:
                futures = [
                    pool.submit(start_rasa, work / name, env(name), action.url, name=name)
                    for name, action in (("rasa-a", act1), ("rasa-b", act2))
                ]
                for future in futures:
                    with contextlib.suppress(Exception):
                        started.append(future.result())
                a, b = (future.result() for future in futures)
            yield {
                "a": a,
                "b": b,
                "act1": act1,
                "act2": act2,
                "smtp": smtp,
                "smtp_hold": smtp_hold,
                "work": work,
            }
        finally:
            for server in reversed(started):
                server.stop()
            smtp.stop()
            smtp_hold.close()
            with contextlib.suppress(Exception):
                services.delete_queue_and_exchange(queue, exchange)


def test_handover_across_replicas_both_ways(cluster):
    a, b = cluster["a"], cluster["b"]
    anna = Employee(b, "anna")  # logged in on B: on duty for every replica
    assert anna.call(b, "GET", "/me").json()["agent"] == "anna"

    user = WidgetUser().connect(a.url)
    try:
        user.say("Ik wil een medewerker spreken")
        user.wait_text("Is dat goed?")
        user.say(names.payload(names.AFFIRM))  # action server 1 queues it (live: anna on duty)
        user.wait_text("rij")
        handoff = wait_for(
            lambda: anna.handoff_of(b, user.conversation_id), what="the handover on Rasa B"
        )
        assert handoff["status"] == "waiting"

        # The employee on B takes it: the widget on A hears it (Redis client manager).
        assert anna.call(b, "POST", f"/handoffs/{handoff['id']}/take").ok
        user.wait_text(relay.TEXT_TAKEN)
        assert anna.call(
            b, "POST", f"/handoffs/{handoff['id']}/messages", json={"text": "Hoi, ik ben Anna."}
        ).ok
        said = user.wait_text("Hoi, ik ben Anna.")
        assert said.get("handoff", {}).get("from") == "agent"

        # The user on A answers: the employee on B reads it.
        user.say("Ik heb een vraag over mijn inschrijving")
        wait_for(
            lambda: any(
                m["text"] == "Ik heb een vraag over mijn inschrijving"
                for m in anna.messages(b, handoff["id"])
            ),
            what="the user's message in the console on B",
        )

        # The widget reconnects to B (another replica) with its session: same conversation.
        before = user.conversation_id
        user.connect(b.url)
        assert user.conversation_id == before
        user.say("Ben je er nog?")
        wait_for(
            lambda: any(m["text"] == "Ben je er nog?" for m in anna.messages(a, handoff["id"])),
            what="the message sent on B, read through A",
        )
        assert anna.call(
            a, "POST", f"/handoffs/{handoff['id']}/messages", json={"text": "Ja hoor."}
        ).ok
        user.wait_text("Ja hoor.")

        # Closed on A; the bot answers on B again, through action server 2.
        assert anna.call(a, "POST", f"/handoffs/{handoff['id']}/close").ok
        user.wait_text(relay.TEXT_CLOSED)
        user.say("Wat betekent LOL?")
        user.wait_text("Live Online Learning")
        tracker = b.tracker(user.conversation_id)
        assert tracker["paused"] is False
    finally:
        user.disconnect()


def test_new_conversation_during_a_handover_ends_it_for_the_employee(cluster):
    a, b = cluster["a"], cluster["b"]
    anna = Employee(a, "anna")
    user = WidgetUser().connect(b.url)
    try:
        user.say("Kan ik iemand spreken over mijn inschrijving?")
        user.wait_text("Is dat goed?")
        user.say(names.payload(names.AFFIRM))
        user.wait_text("rij")
        old = user.conversation_id
        handoff = wait_for(lambda: anna.handoff_of(a, old), what="the handover on Rasa A")
        assert anna.call(a, "POST", f"/handoffs/{handoff['id']}/take").ok
        user.wait_text(relay.TEXT_TAKEN)

        user.new_conversation(a.url)  # "Nieuw gesprek", on the other replica
        assert user.conversation_id != old
        state = wait_for(
            lambda: (
                anna.call(b, "GET", f"/handoffs/{handoff['id']}").json()["handoff"]["status"]
                == "closed"
            ),
            what="the handover closed",
        )
        assert state
        messages = anna.messages(b, handoff["id"])
        assert messages[-1]["text"] == relay.TEXT_USER_LEFT
        refused = anna.call(
            b, "POST", f"/handoffs/{handoff['id']}/messages", json={"text": "Hallo?"}
        )
        assert refused.status_code == 409
        user.say("Wat is social return?")  # the new conversation is the bot's
        wait_for(
            lambda: any("social return" in t.lower() for t in user.texts()),
            what="the bot's answer in the new conversation",
        )
        assert a.tracker(old)["paused"] is False
    finally:
        user.disconnect()


def test_contact_request_survives_its_action_server_and_is_sent_once(cluster):
    a = cluster["a"]
    sender = f"scale-{uuid.uuid4().hex[:8]}"
    question = "Ik wil graag weten hoe ik mee kan doen aan The Impact Days."
    a.say(sender, question)
    assert "Is dat goed?" in " ".join(r.get("text", "") for r in a.say(sender, "Bel me maar terug"))
    form = " ".join(r.get("text", "") for r in a.say(sender, "/affirm"))
    assert "Wat is je naam?" in form
    a.say(sender, "Jan de Vries")
    a.say(sender, "jan@example.nl")
    done = " ".join(r.get("text", "") for r in a.say(sender, "Ja, klopt"))
    reference = REFERENCE.search(done)
    assert reference, done
    reference = reference.group(0)

    # Mail is down; action server 1 (which stored it) and its DATA_DIR go away for good.
    time.sleep(3)  # a few failed attempts
    cluster["act1"].stop()
    shutil.rmtree(cluster["work"] / "act1" / "var", ignore_errors=True)
    assert cluster["smtp"].messages == []
    cluster["smtp_hold"].close()
    cluster["smtp"].start()

    mails = wait_for(
        lambda: [m for m in cluster["smtp"].messages if reference.encode() in m],
        timeout=90,
        what="the e-mail of the contact request",
    )
    time.sleep(5)  # more worker rounds on action server 2: nothing is sent twice
    assert len([m for m in cluster["smtp"].messages if reference.encode() in m]) == 1
    mail = email.message_from_bytes(mails[0], policy=policy.default)
    assert reference in mail["Subject"]
    assert question in mail.get_body(("plain",)).get_content()
    log = (cluster["work"] / "act2" / "action.log").read_text(errors="replace")
    assert f"handoff {reference} delivered" in log


def test_console_session_and_login_throttle_hold_across_replicas(cluster):
    a, b = cluster["a"], cluster["b"]
    anna = Employee(a, "anna")
    assert anna.call(b, "GET", "/me").ok  # a login on A is valid on B
    assert anna.call(b, "POST", "/logout").ok
    assert anna.call(a, "GET", "/me").status_code == 401  # logged out on B: gone on A too

    # Wrong passwords, alternating between the servers: one count (Redis), not one per server.
    statuses = [login(a if n % 2 else b, "anna", "fout-wachtwoord").status_code for n in range(8)]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}, statuses
