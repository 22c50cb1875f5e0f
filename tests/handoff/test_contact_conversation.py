"""Contact requests in real conversations (real Rasa server and action server).

Done when: outside office hours, a contact request; the mail server and the Klantinteracties
stand-in are down; every process is restarted; both come up again: exactly one e-mail with the
transcript and exactly one klantcontact with its betrokkene, addresses and task.
"""

import email
import re
import socket
import time
import uuid
from datetime import datetime
from email import policy
from zoneinfo import ZoneInfo

import pytest

from bot import PROJECT_ROOT, training
from bot.handoff.outbox import Outbox
from bot.handoff.store import database_path
from tests.handoff.stand_ins import KlantinteractiesStandIn, SmtpServer
from tests.servers import free_port, start_pair

pytestmark = pytest.mark.servers

TOKEN = "ki-conversation-token"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
REFERENCE = re.compile(r"\bIO-[2-9A-HJ-NP-Z]{7}\b")


def closed_now() -> str:
    """Office hours on another weekday only: the helpdesk is closed while the test runs."""
    today = datetime.now(ZoneInfo("Europe/Amsterdam")).weekday()
    return f"{DAYS[(today + 3) % 7]} 09:00-10:00"


def texts(messages) -> str:
    return "\n\n".join(m.get("text", "") for m in messages)


def payloads(messages) -> list:
    return [b["payload"] for m in messages for b in m.get("buttons") or []]


def hold(port: int) -> socket.socket:
    """Keep a port bound but not listening: clients are refused, nobody else takes it."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    return sock


def wait_for(condition, timeout: float = 90.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return condition()


@pytest.fixture(scope="module")
def kcc(tmp_path_factory):
    """The servers with SMTP and Klantinteracties configured, both down at first."""
    work = tmp_path_factory.mktemp("handoff-contact")
    smtp = SmtpServer(free_port())
    ki = KlantinteractiesStandIn(free_port(), TOKEN)
    data_dir = work / "data"
    holds = {"smtp": hold(smtp.port), "ki": hold(ki.port)}
    env = {
        "DATA_DIR": str(data_dir),
        "OFFICE_HOURS": closed_now(),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "SMTP_STARTTLS": "false",
        "SMTP_FROM": "assistent@haarlem.test",
        "HELPDESK_EMAIL": "kcc@haarlem.test",
        "KLANTINTERACTIES_URL": ki.url,
        "KLANTINTERACTIES_TOKEN": TOKEN,
        "KLANTINTERACTIES_ACTOR": ki.kcc_actor,
        "HANDOFF_RETRY_SECONDS": "0.5",
        "HANDOFF_RETRY_MAX_SECONDS": "2",
    }
    training.train(PROJECT_ROOT)
    action, rasa = start_pair(work, env)
    yield {
        "action": action,
        "rasa": rasa,
        "smtp": smtp,
        "ki": ki,
        "data_dir": data_dir,
        "work": work,
        "holds": holds,
    }
    for sock in holds.values():
        sock.close()
    rasa.stop()
    action.stop()
    smtp.stop()
    ki.stop()


def sender() -> str:
    return f"contact-{uuid.uuid4().hex[:10]}"


def test_consent_refused_keeps_the_user_with_the_bot(kcc):
    rasa, me = kcc["rasa"], sender()
    offer = rasa.say(me, "Ik wil een medewerker spreken")
    assert "Is dat goed?" in texts(offer) and "dit gesprek" in texts(offer)
    assert payloads(offer) == ["/affirm", "/deny"]
    reply = rasa.say(me, "nee")
    assert "help ik je zelf verder" in texts(reply)
    assert Outbox(database_path(kcc["data_dir"])).count() == 0


def test_invalid_details_are_asked_again_and_stop_cancels(kcc):
    rasa, me = kcc["rasa"], sender()
    rasa.say(me, "Kan iemand mij terugbellen?")
    start = rasa.say(me, "/affirm")
    assert "Wat is je naam?" in texts(start)
    again = rasa.say(me, "<script>alert(1)</script>")
    assert "Ik heb je naam nodig" in texts(again) and "Wat is je naam?" in texts(again)
    ask = rasa.say(me, "Fatima El Amrani")
    assert "e-mailadres of telefoonnummer" in texts(ask)
    for wrong, hint in (
        ("06 1234", "telefoonnummer klopt niet"),
        ("fatima@@voorbeeld", "e-mailadres klopt niet"),
        ("😀" * 50, "geen geldig e-mailadres of telefoonnummer"),
        ("x" * 10_000, ""),
    ):
        reply = rasa.say(me, wrong)
        assert hint in texts(reply) and "e-mailadres of telefoonnummer" in texts(reply)
    stop = rasa.say(me, "stop")
    assert "ik geef niets door" in texts(stop)
    assert Outbox(database_path(kcc["data_dir"])).count() == 0
    assert "Live Online Learning" in texts(rasa.say(me, "Wat betekent LOL?"))


def test_two_misunderstandings_in_a_row_offer_a_person(kcc):
    rasa, me = kcc["rasa"], sender()
    first = rasa.say(me, "qwrtp zxcvb mnbvc")
    assert "Is dat goed?" not in texts(first)
    second = rasa.say(me, "plofkip lkjhg asdfg")
    assert "nog steeds niet" in texts(second) and "Is dat goed?" in texts(second)
    assert payloads(second) == ["/affirm", "/deny"]
    reply = rasa.say(me, "ja")
    assert "Er kan nu geen medewerker live met je chatten" in texts(reply)


def test_outside_office_hours_a_contact_request_survives_a_restart_of_everything(kcc):
    rasa, me = kcc["rasa"], sender()
    question = "Hoe vraag ik een terrasvergunning aan voor mijn sociale onderneming?"
    rasa.say(me, question)
    offer = rasa.say(me, "Ik wil een medewerker spreken")
    assert "Is dat goed?" in texts(offer)
    form = rasa.say(me, "/affirm")
    assert "Er kan nu geen medewerker live met je chatten" in texts(form)
    assert "Wat is je naam?" in texts(form)
    assert "e-mailadres of telefoonnummer" in texts(rasa.say(me, "Jan de Vries"))
    ask_question = rasa.say(me, "jan@example.nl en 06 12345678")
    assert question in texts(ask_question) and payloads(ask_question) == ["/affirm"]
    done = texts(rasa.say(me, "Ja, klopt"))
    match = REFERENCE.search(done)
    assert match, done
    reference = match.group(0)
    assert "e-mail en telefoon" in done

    box = Outbox(database_path(kcc["data_dir"]))
    assert wait_for(
        lambda: (
            all(d["attempts"] >= 1 for d in box.deliveries(reference))
            and len(box.deliveries(reference)) == 2
        )
    )
    assert {d["status"] for d in box.deliveries(reference)} == {"pending"}

    kcc["rasa"].stop()
    kcc["action"].stop()
    kcc["action"].start()
    kcc["rasa"].start()
    kcc["holds"]["smtp"].close()
    kcc["smtp"].start()
    kcc["holds"]["ki"].close()
    kcc["ki"].start()
    assert wait_for(lambda: {d["status"] for d in box.deliveries(reference)} == {"delivered"})
    time.sleep(3)  # a few more worker rounds: nothing is sent twice

    smtp, ki = kcc["smtp"], kcc["ki"]
    [raw] = smtp.messages
    mail = email.message_from_bytes(raw, policy=policy.default)
    assert reference in mail["Subject"]
    plain = mail.get_body(("plain",)).get_content()
    assert question in plain and "Jan de Vries" in plain and "0612345678" in plain
    assert "Inwoner: Ik wil een medewerker spreken" in plain  # the transcript
    assert "Jan de Vries" not in plain.split("Gesprek:")[1]  # the form's answers are not in it

    assert ki.refused == {} and ki.unauthorised == 0
    [kc] = ki.store["klantcontacten"].values()
    assert kc["nummer"] == reference and question in kc["inhoud"]
    [betrokkene] = ki.store["betrokkenen"].values()
    assert betrokkene["hadKlantcontact"]["uuid"] == kc["uuid"]
    assert {
        (a["soortDigitaalAdres"], a["adres"]) for a in ki.store["digitaleadressen"].values()
    } == {("email", "jan@example.nl"), ("telefoonnummer", "0612345678")}
    [taak] = ki.store["internetaken"].values()
    assert taak["aanleidinggevendKlantcontact"]["uuid"] == kc["uuid"]

    log = (kcc["work"] / "action-server.log").read_text(errors="replace")
    assert reference in log
    for secret in ("jan@example.nl", "0612345678", "06 12345678"):
        assert secret not in log
