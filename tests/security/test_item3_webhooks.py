"""Item 3: forged Twilio, Telegram and Facebook webhook requests are refused."""

import hashlib
import hmac
import json
import os
import subprocess
import time

import pytest
import requests
import yaml

from bot import PROJECT_ROOT
from bot.channels.credentials import ChannelConfigError, build_credentials
from bot.runner import rasa_server_cmd
from tests.security.conftest import (
    FACEBOOK_SECRET,
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    TWILIO_NUMBER,
    TWILIO_SID,
)
from tests.security.test_item2_identity import twilio_post, wait_user_texts
from tests.servers import free_port

pytestmark = pytest.mark.servers
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    return predicate()


# ---------------------------------------------------------------- Twilio
def test_twilio_unsigned_or_wrongly_signed_requests_are_refused(rasa, security_api):
    victim = "+31611111111"
    assert twilio_post(rasa, victim, "hallo", signed=False).status_code == 403
    url = f"{rasa.url}/webhooks/twilio/webhook"
    form = {"AccountSid": TWILIO_SID, "From": victim, "To": TWILIO_NUMBER, "Body": "hallo"}
    from twilio.request_validator import RequestValidator

    other_key = RequestValidator("not-the-token").compute_signature(url, form)
    resp = requests.post(url, data=form, headers={"X-Twilio-Signature": other_key}, timeout=30)
    assert resp.status_code == 403
    time.sleep(1)
    assert security_api.sent(lambda c: c.fields.get("To") == victim) == []
    # A signed request is taken.
    assert twilio_post(rasa, victim, "hallo").status_code == 204
    assert wait_for(lambda: security_api.sent(lambda c: c.fields.get("To") == victim))


def start_rasa_with(tmp_path, credentials):
    """Start `python -m bot.serve rasa` with these credentials; its exit code and output."""
    path = tmp_path / "credentials.yml"
    path.write_text(yaml.safe_dump(credentials))
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("action_endpoint:\n  url: http://127.0.0.1:9/webhook\n")
    cmd = rasa_server_cmd(PROJECT_ROOT, free_port(), endpoints, "", credentials=path)
    env = {**os.environ, "RASA_TOKEN": "x" * 20, "TF_CPP_MIN_LOG_LEVEL": "3"}
    proc = subprocess.run(
        cmd, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    return proc.returncode, proc.stdout + proc.stderr


def test_twilio_and_telegram_refuse_to_start_without_their_secrets(tmp_path):
    with pytest.raises(ChannelConfigError, match="TWILIO_WEBHOOK_URL"):
        build_credentials(
            {"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t", "TWILIO_NUMBER": "+31970"}
        )
    with pytest.raises(ChannelConfigError, match="TELEGRAM_SECRET_TOKEN"):
        build_credentials(
            {
                "TELEGRAM_ACCESS_TOKEN": "1:a",
                "TELEGRAM_VERIFY": "b",
                "TELEGRAM_WEBHOOK_URL": "https://x/webhooks/telegram/webhook",
            }
        )
    # A hand-written credentials file without them: the real server does not start.
    code, output = start_rasa_with(
        tmp_path,
        {
            "bot.channels.twilio.TwilioInput": {
                "account_sid": "AC1",
                "auth_token": "t",
                "twilio_number": "+31970",
            }
        },
    )
    assert code != 0 and "TWILIO_WEBHOOK_URL" in output
    code, output = start_rasa_with(
        tmp_path,
        {
            "bot.channels.telegram.TelegramInput": {
                "access_token": "1:a",
                "verify": "b",
                "webhook_url": "https://x",
            }
        },
    )
    assert code != 0 and "TELEGRAM_SECRET_TOKEN" in output


# ---------------------------------------------------------------- Telegram
def telegram_update(update_id, chat_id, text):
    user = {"id": chat_id, "is_bot": False, "first_name": "Test"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "from": user,
            "text": text,
            "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
        },
    }


def telegram_sent(api, chat_id):
    return api.sent(
        lambda c: (
            c.path == f"/bot{TELEGRAM_TOKEN}/sendMessage"
            and c.fields.get("chat_id") == str(chat_id)
        )
    )


def test_telegram_webhook_is_registered_with_a_secret(rasa, security_api):
    calls = security_api.sent(lambda c: c.path == f"/bot{TELEGRAM_TOKEN}/setWebhook")
    assert calls and all(c.fields.get("secret_token") == TELEGRAM_SECRET for c in calls)


def test_telegram_updates_without_the_secret_are_refused(rasa, security_api):
    url = f"{rasa.url}/webhooks/telegram/webhook"
    chat = 777001
    for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: TELEGRAM_SECRET + "x"}):
        resp = requests.post(
            url, json=telegram_update(11, chat, "hallo"), headers=headers, timeout=30
        )
        assert resp.status_code == 403
    time.sleep(1)
    assert telegram_sent(security_api, chat) == []
    resp = requests.post(
        url,
        json=telegram_update(12, chat, "hallo"),
        headers={SECRET_HEADER: TELEGRAM_SECRET},
        timeout=30,
    )
    assert resp.status_code == 200
    assert wait_for(lambda: telegram_sent(security_api, chat))
    assert wait_user_texts(rasa, f"telegram:{chat}", 1) == ["hallo"]


def test_telegram_set_webhook_is_protected(rasa, security_api):
    url = f"{rasa.url}/webhooks/telegram/set_webhook"
    path = f"/bot{TELEGRAM_TOKEN}/setWebhook"
    before = len(security_api.sent(lambda c: c.path == path))
    assert requests.get(url, timeout=30).status_code == 403
    assert requests.post(url, headers={SECRET_HEADER: "x"}, timeout=30).status_code == 403
    assert len(security_api.sent(lambda c: c.path == path)) == before
    assert (
        requests.get(url, headers={SECRET_HEADER: TELEGRAM_SECRET}, timeout=30).status_code == 200
    )
    calls = security_api.sent(lambda c: c.path == path)
    assert len(calls) == before + 1 and calls[-1].fields.get("secret_token") == TELEGRAM_SECRET


# ---------------------------------------------------------------- Facebook
def facebook_post(rasa, body: bytes, headers):
    return requests.post(
        f"{rasa.url}/webhooks/facebook/webhook",
        data=body,
        headers={"Content-Type": "application/json", **headers},
        timeout=30,
    )


def test_facebook_accepts_only_valid_sha256_signatures(rasa):
    body = json.dumps({"object": "page", "entry": []}).encode()
    sha1 = hmac.new(FACEBOOK_SECRET.encode(), body, hashlib.sha1).hexdigest()
    sha256 = hmac.new(FACEBOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    md5 = hmac.new(FACEBOOK_SECRET.encode(), body, hashlib.md5).hexdigest()
    refused = [
        {},
        {"X-Hub-Signature": f"sha1={sha1}"},
        {"X-Hub-Signature": f"sha256={sha256}"},  # the right value, old header
        {"X-Hub-Signature-256": f"sha1={sha1}"},
        {"X-Hub-Signature-256": f"md5={md5}"},
        {"X-Hub-Signature-256": "sha256=" + "0" * 64},
        {"X-Hub-Signature-256": f"sha256={sha256[:-1]}"},
        {"X-Hub-Signature-256": "sha256"},
    ]
    for headers in refused:
        assert facebook_post(rasa, body, headers).status_code == 403, headers
    ok = facebook_post(rasa, body, {"X-Hub-Signature-256": f"sha256={sha256}"})
    assert ok.status_code == 200


def test_facebook_verification_needs_the_verify_token(rasa):
    url = f"{rasa.url}/webhooks/facebook/webhook"
    bad = requests.get(url, params={"hub.verify_token": "x", "hub.challenge": "42"}, timeout=10)
    assert bad.status_code == 403
    good = requests.get(
        url, params={"hub.verify_token": "security-verify", "hub.challenge": "42"}, timeout=10
    )
    assert good.status_code == 200 and good.text == "42"
