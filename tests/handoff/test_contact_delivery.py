"""The outbox and its worker against real servers: SMTP (aiosmtpd), a Klantinteracties stand-in
and a webhook receiver; stopped, restarted, replies lost after a stored POST."""

import dataclasses
import email
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from email import policy

import pytest
import requests

from bot import PROJECT_ROOT
from bot.handoff import signing
from bot.handoff.adapters import configured
from bot.handoff.adapters.webhook import body as webhook_body
from bot.handoff.contact import ContactRequest, new_reference
from bot.handoff.outbox import DELIVERED, Outbox
from bot.handoff.purge import purge
from bot.handoff.store import database_path
from bot.handoff.worker import Worker, backoff
from bot.settings import Settings
from tests.handoff.stand_ins import KlantinteractiesStandIn, SmtpServer, WebhookReceiver
from tests.servers import free_port

TOKEN = "ki-test-token"
SECRET = "webhook-test-secret"


class Clock:
    """A clock the test moves forward, so backoff needs no waiting."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def smtp():
    server = SmtpServer(free_port())
    yield server
    server.stop()


@pytest.fixture
def ki():
    server = KlantinteractiesStandIn(free_port(), TOKEN)
    yield server
    server.stop()


@pytest.fixture
def hook():
    server = WebhookReceiver(free_port(), SECRET)
    yield server
    server.stop()


def settings_for(tmp_path, smtp=None, ki=None, hook=None) -> Settings:
    return dataclasses.replace(
        Settings.from_env(),
        data_dir=tmp_path,
        smtp_host="127.0.0.1" if smtp else "",
        smtp_port=smtp.port if smtp else 0,
        smtp_starttls=False,
        smtp_user="",
        smtp_password="",
        smtp_from="assistent@haarlem.test",
        helpdesk_email="kcc@haarlem.test" if smtp else "",
        klantinteracties_url=ki.url if ki else "",
        klantinteracties_token=TOKEN if ki else "",
        klantinteracties_actor=ki.kcc_actor if ki else "",
        handoff_webhook_url=hook.url if hook else "",
        handoff_webhook_secret=SECRET if hook else "",
        handoff_retry_seconds=10.0,
        handoff_timeout_seconds=5.0,
    )


def a_request(**changes) -> ContactRequest:
    fields = dict(
        reference=new_reference(),
        name="Jan van der Berg",
        question="Hoe kom ik op het inkoopplatform?",
        email="jan@example.nl",
        phone="+31612345678",
        conversation_id="conv-1",
        channel="rest",
        transcript=[
            {
                "from": "user",
                "text": "Hoe kom ik op het <b>inkoopplatform</b>?",
                "at": "2026-11-28T20:00:00+00:00",
            },
            {
                "from": "bot",
                "text": "Sorry, dat begrijp ik niet.",
                "at": "2026-11-28T20:00:01+00:00",
            },
        ],
    )
    fields.update(changes)
    return ContactRequest(**fields)


def worker_for(settings, clock) -> Worker:
    return Worker(
        Outbox(database_path(settings.data_dir), clock=clock),
        configured(settings),
        retry_seconds=settings.handoff_retry_seconds,
    )


def test_backoff_doubles_up_to_its_cap():
    delays = [backoff(n, 10, 3600, jitter=lambda: 0.5) for n in range(1, 12)]
    assert delays[:4] == [10, 20, 40, 80]
    assert delays[-1] == 3600
    assert 9 <= backoff(1, 10) <= 11


def test_nothing_configured_keeps_the_request_in_the_outbox(tmp_path):
    settings = settings_for(tmp_path)
    assert configured(settings) == []
    box = Outbox.from_settings(settings)
    request = a_request()
    box.add(request, [])
    assert box.get(request.reference) == request
    assert box.recent()[0]["reference"] == request.reference
    assert Worker.from_settings(settings).run_once() == 0


def test_smtp_down_then_up_sends_exactly_one_mail_with_the_transcript(tmp_path, smtp):
    settings, clock = settings_for(tmp_path, smtp=smtp), Clock()
    request = a_request()
    worker = worker_for(settings, clock)
    worker.outbox.add(request, ["email"])
    assert worker.run_once() == 0  # the SMTP server is not running: connection refused
    [row] = worker.outbox.deliveries(request.reference)
    assert row["status"] == "pending" and row["attempts"] == 1 and "SMTP" in row["last_error"]
    assert "jan@example.nl" not in row["last_error"]
    smtp.start()
    assert worker.run_once() == 0  # not due yet: backoff
    clock.now += 30
    assert worker.run_once() == 1
    clock.now += 3600
    assert worker.run_once() == 0  # delivered rows are never sent again
    smtp.stop()
    smtp.start()  # a restarted mail server
    assert worker_for(settings, clock).run_once() == 0
    [raw] = smtp.messages
    mail = email.message_from_bytes(raw, policy=policy.default)
    assert mail["To"] == "kcc@haarlem.test" and mail["Reply-To"] == "jan@example.nl"
    assert request.reference in mail["Subject"]
    assert mail["Message-ID"] == f"<{request.reference}@contactverzoek.impact-ondernemen.invalid>"
    plain = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    for part in (plain, html):
        assert "Jan van der Berg" in part and "+31612345678" in part
        assert "Sorry, dat begrijp ik niet." in part
    assert "Hoe kom ik op het <b>inkoopplatform</b>?" in plain
    assert "&lt;b&gt;inkoopplatform&lt;/b&gt;" in html and "<b>inkoopplatform" not in html


def test_klantinteracties_down_then_up_records_one_contact(tmp_path, ki):
    settings, clock = settings_for(tmp_path, ki=ki), Clock()
    request = a_request()
    worker = worker_for(settings, clock)
    worker.outbox.add(request, ["klantinteracties"])
    assert worker.run_once() == 0
    ki.start()
    clock.now += 60
    assert worker.run_once() == 1
    assert ki.refused == {} and ki.unauthorised == 0
    [kc] = ki.store["klantcontacten"].values()
    assert kc["nummer"] == request.reference and kc["taal"] == "nld" and kc["kanaal"] == "chat"
    assert kc["vertrouwelijk"] is False and request.question in kc["inhoud"]
    [betrokkene] = ki.store["betrokkenen"].values()
    assert betrokkene["hadKlantcontact"] == {"uuid": kc["uuid"]}
    assert betrokkene["rol"] == "klant" and betrokkene["initiator"] is True
    assert betrokkene["contactnaam"] == {
        "voornaam": "Jan",
        "voorvoegselAchternaam": "van der",
        "achternaam": "Berg",
    }
    addresses = {
        (a["soortDigitaalAdres"], a["adres"])
        for a in ki.store["digitaleadressen"].values()
        if a["verstrektDoorBetrokkene"] == {"uuid": betrokkene["uuid"]}
    }
    assert addresses == {("email", "jan@example.nl"), ("telefoonnummer", "+31612345678")}
    [taak] = ki.store["internetaken"].values()
    assert taak["aanleidinggevendKlantcontact"] == {"uuid": kc["uuid"]}
    assert taak["status"] == "te_verwerken" and taak["toegewezenAanActoren"] == [
        {"uuid": ki.kcc_actor}
    ]
    bots = [a for a in ki.store["actoren"].values() if a["soortActor"] == "geautomatiseerde_actor"]
    assert len(bots) == 1
    [link] = ki.store["actorklantcontacten"].values()
    assert link == dict(link, actor={"uuid": bots[0]["uuid"]}, klantcontact={"uuid": kc["uuid"]})

    # A second request reuses the assistant's actor.
    second = a_request(email=None, phone="0235115115")
    worker.outbox.add(second, ["klantinteracties"])
    assert worker.run_once() == 1
    assert ki.created["actoren"] == 1 and ki.created["klantcontacten"] == 2


@pytest.mark.parametrize(
    "lost",
    ["klantcontacten", "betrokkenen", "digitaleadressen", "internetaken", "actorklantcontacten"],
)
def test_a_reply_lost_after_the_server_stored_it_creates_nothing_twice(tmp_path, ki, lost):
    settings, clock = settings_for(tmp_path, ki=ki), Clock()
    ki.start()
    ki.drop_reply[lost] = 1
    worker = worker_for(settings, clock)
    request = a_request()
    worker.outbox.add(request, ["klantinteracties"])
    assert worker.run_once() == 0
    clock.now += 60
    assert worker.run_once() == 1
    assert ki.created["klantcontacten"] == 1 and ki.created["betrokkenen"] == 1
    assert ki.created["digitaleadressen"] == 2 and ki.created["internetaken"] == 1
    assert ki.created["actorklantcontacten"] == 1


def test_the_stand_in_enforces_token_fields_and_phone_pattern(ki):
    ki.start()
    url = ki.url
    assert requests.get(url + "klantcontacten", timeout=5).status_code == 401
    assert (
        requests.get(
            url + "klantcontacten", headers={"Authorization": "Token wrong"}, timeout=5
        ).status_code
        == 401
    )
    auth = {"Authorization": f"Token {TOKEN}"}
    missing = requests.post(
        url + "klantcontacten", json={"kanaal": "chat"}, headers=auth, timeout=5
    )
    assert missing.status_code == 400
    assert {p["name"] for p in missing.json()["invalidParams"]} == {
        "onderwerp",
        "taal",
        "vertrouwelijk",
    }
    kc = requests.post(
        url + "klantcontacten",
        headers=auth,
        timeout=5,
        json={"kanaal": "chat", "onderwerp": "x", "taal": "nld", "vertrouwelijk": False},
    ).json()
    b = requests.post(
        url + "betrokkenen",
        headers=auth,
        timeout=5,
        json={"hadKlantcontact": {"uuid": kc["uuid"]}, "rol": "klant", "initiator": True},
    ).json()
    for adres, status in (("06 12345678", 400), ("0612345678", 201), ("+31612345678", 201)):
        resp = requests.post(
            url + "digitaleadressen",
            headers=auth,
            timeout=5,
            json={
                "verstrektDoorBetrokkene": {"uuid": b["uuid"]},
                "adres": adres,
                "soortDigitaalAdres": "telefoonnummer",
            },
        )
        assert resp.status_code == status, adres


def test_a_refused_request_is_retried_not_lost(tmp_path, ki):
    settings, clock = settings_for(tmp_path, ki=ki), Clock()
    ki.start()
    ki.token = "rotated"  # the API refuses our token for now
    worker = worker_for(settings, clock)
    request = a_request()
    worker.outbox.add(request, ["klantinteracties"])
    assert worker.run_once() == 0
    [row] = worker.outbox.deliveries(request.reference)
    assert "HTTP 401" in row["last_error"]
    ki.token = TOKEN
    clock.now += 60
    assert worker.run_once() == 1


def test_signed_webhook_once_and_the_receiver_refuses_replays_and_changes(tmp_path, hook):
    settings, clock = settings_for(tmp_path, hook=hook), Clock()
    hook.start()
    worker = worker_for(settings, clock)
    request = a_request()
    worker.outbox.add(request, ["webhook"])
    assert worker.run_once() == 1
    [event] = hook.events
    assert event["id"] == request.reference and event["event"] == "contact_request"
    assert event["contact_request"]["email"] == "jan@example.nl"

    data = webhook_body(request)
    # A retry: the same body signed again later (a new timestamp).
    headers = {
        "Content-Type": "application/json",
        **signing.sign(SECRET, data, path=signing.path_of(hook.url), now=time.time() + 1),
    }
    first = requests.post(hook.url, data=data, headers=headers, timeout=5)
    assert first.status_code == 409  # a retry of a request it has: no second one
    replay = requests.post(hook.url, data=data, headers=headers, timeout=5)
    assert replay.status_code == 401
    altered = data.replace(b"jan@example.nl", b"evil@example.nl")
    fresh = {
        "Content-Type": "application/json",
        **signing.sign(SECRET, data, path=signing.path_of(hook.url), now=time.time() + 2),
    }
    assert requests.post(hook.url, data=altered, headers=fresh, timeout=5).status_code == 401
    old = signing.sign(
        SECRET, data, path=signing.path_of(hook.url), now=clock.now - 3600 * 24 * 365 * 10
    )
    assert requests.post(hook.url, data=data, headers=old, timeout=5).status_code == 401
    assert len(hook.events) == 1 and hook.rejected == 3


def test_two_workers_never_deliver_the_same_row(tmp_path, hook):
    settings, clock = settings_for(tmp_path, hook=hook), Clock()
    hook.start()
    one, two = worker_for(settings, clock), worker_for(settings, clock)
    requests_ = [a_request() for _ in range(6)]
    for r in requests_:
        one.outbox.add(r, ["webhook"])
    claimed = one.outbox.claim(["webhook"], 60) + two.outbox.claim(["webhook"], 60)
    assert sorted(j.request.reference for j in claimed) == sorted(r.reference for r in requests_)


def test_an_adapter_configured_later_gets_the_kept_requests(tmp_path, hook):
    box = Outbox.from_settings(settings_for(tmp_path))
    request = a_request()
    box.add(request, [])
    hook.start()
    settings = settings_for(tmp_path, hook=hook)
    assert Worker.from_settings(settings).run_once() == 1
    assert [e["id"] for e in hook.events] == [request.reference]


def test_purge_removes_old_requests_and_says_how_many(tmp_path):
    settings = settings_for(tmp_path)
    clock = Clock()
    box = Outbox(database_path(tmp_path), clock=clock)
    old = a_request()
    box.add(old, ["email"])
    clock.now += 31 * 86400
    new = a_request()
    box.add(new, ["email"])
    now = datetime.fromtimestamp(clock.now, timezone.utc)
    counts = purge(settings, now=now)
    assert counts["contact_requests"] == 1
    assert box.get(old.reference) is None and box.get(new.reference) is not None
    assert [d["reference"] for d in box.deliveries()] == [new.reference]
    assert purge(settings, days=0, now=now + timedelta(seconds=1))["contact_requests"] == 1

    Outbox.from_settings(settings).add(a_request(), [])  # stored now (the real clock)
    env = {"DATA_DIR": str(tmp_path), "HANDOFF_RETENTION_DAYS": "0", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "purge-handoff"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("removed 1 handoff record(s) older than 0 days")
    kept = subprocess.run(
        [sys.executable, "-m", "bot", "purge-handoff", "--days", "30"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert kept.stdout.startswith("removed 0 ")


def test_the_outbox_survives_a_new_process(tmp_path, hook):
    settings = settings_for(tmp_path, hook=hook)
    request = a_request()
    Outbox.from_settings(settings).add(request, ["webhook"])
    hook.start()
    code = (
        "import dataclasses, sys; from bot.settings import Settings; "
        "from bot.handoff.worker import Worker; "
        "from pathlib import Path; "
        f"s = dataclasses.replace(Settings.from_env(), data_dir=Path({str(tmp_path)!r}), "
        f"handoff_webhook_url={hook.url!r}, handoff_webhook_secret={SECRET!r}); "
        "sys.exit(0 if Worker.from_settings(s).run_once() == 1 else 1)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert [e["id"] for e in hook.events] == [request.reference]
    assert Outbox.from_settings(settings).deliveries(request.reference)[0]["status"] == DELIVERED
