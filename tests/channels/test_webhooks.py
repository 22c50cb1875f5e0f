"""Real provider requests to the webhooks of a running Rasa server reach the assistant;
the replies are captured by a local server standing in for the provider's API."""

import time

import pytest
import requests
from twilio.request_validator import RequestValidator

from tests.channels.conftest import (
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    TWILIO_NUMBER,
    TWILIO_SID,
    TWILIO_TOKEN,
    TWILIO_WHATSAPP,
)

TELEGRAM_HEADERS = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}

pytestmark = pytest.mark.servers


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError("the expected request to the provider API never came")


# ---------------------------------------------------------------- Telegram
def telegram_update(update_id, chat_id, text=None, callback_data=None):
    user = {"id": chat_id, "is_bot": False, "first_name": "Test", "language_code": "nl"}
    message = {
        "message_id": update_id,
        "date": int(time.time()),
        "from": user,
        "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
    }
    if callback_data is None:
        return {"update_id": update_id, "message": {**message, "text": text}}
    return {
        "update_id": update_id,
        "callback_query": {
            "id": str(update_id),
            "from": user,
            "chat_instance": "1",
            "data": callback_data,
            "message": {
                **message,
                "from": {"id": 123456, "is_bot": True, "first_name": "Impact"},
                "text": "...",
            },
        },
    }


def telegram_sent(api, chat_id):
    return api.sent(
        lambda c: (
            c.path == f"/bot{TELEGRAM_TOKEN}/sendMessage"
            and c.fields.get("chat_id") == str(chat_id)
        )
    )


def test_telegram_webhook_was_set_at_start(channel_rasa, provider_api):
    calls = provider_api.sent(lambda c: c.path == f"/bot{TELEGRAM_TOKEN}/setWebhook")
    assert calls and calls[0].fields["url"] == f"{channel_rasa.url}/webhooks/telegram/webhook"
    assert calls[0].fields["secret_token"] == TELEGRAM_SECRET


def test_telegram_question_gets_an_answer(channel_rasa, provider_api):
    chat = 4242
    resp = requests.post(
        f"{channel_rasa.url}/webhooks/telegram/webhook",
        json=telegram_update(1, chat, "Wat betekent LOL?"),
        timeout=30,
        headers=TELEGRAM_HEADERS,
    )
    assert resp.status_code == 200 and resp.text == "success"
    sent = wait_for(
        lambda: [
            c
            for c in telegram_sent(provider_api, chat)
            if "Live Online Learning" in c.fields["text"]
        ]
    )
    assert "**" not in sent[0].fields["text"]


def test_telegram_greeting_has_buttons_and_a_button_press_works(channel_rasa, provider_api):
    chat = 4343
    requests.post(
        f"{channel_rasa.url}/webhooks/telegram/webhook",
        json=telegram_update(2, chat, "hallo"),
        timeout=30,
        headers=TELEGRAM_HEADERS,
    ).raise_for_status()
    greeting = wait_for(
        lambda: [c for c in telegram_sent(provider_api, chat) if "reply_markup" in c.fields]
    )
    import json

    keyboard = json.loads(greeting[0].fields["reply_markup"])["inline_keyboard"]
    assert [row[0]["text"] for row in keyboard] == ["Wat is het programma?", "Wat kun je allemaal?"]
    payload = keyboard[0][0]["callback_data"]
    before = len(telegram_sent(provider_api, chat))
    requests.post(
        f"{channel_rasa.url}/webhooks/telegram/webhook",
        json=telegram_update(3, chat, callback_data=payload),
        timeout=30,
        headers=TELEGRAM_HEADERS,
    ).raise_for_status()
    answer = wait_for(lambda: telegram_sent(provider_api, chat)[before:])
    assert "Impact Ondernemen" in answer[0].fields["text"]


def test_telegram_results_have_inline_link_and_detail_buttons(channel_rasa, provider_api):
    import json

    chat = 4444
    requests.post(
        f"{channel_rasa.url}/webhooks/telegram/webhook",
        json=telegram_update(10, chat, "Welke evenementen zijn er?"),
        headers=TELEGRAM_HEADERS,
        timeout=30,
    ).raise_for_status()
    [results] = wait_for(
        lambda: [
            c for c in telegram_sent(provider_api, chat) if c.fields["text"].startswith("Ik vond")
        ]
    )
    assert results.fields["text"].splitlines()[1].startswith("1. ")
    assert "https://" not in results.fields["text"]  # links are buttons
    rows = json.loads(results.fields["reply_markup"])["inline_keyboard"]
    assert rows[0][0]["text"] == "1. Aanmelden" and rows[0][0]["url"].startswith("http")
    assert rows[0][1]["text"] == "1. Meer hierover"
    assert rows[1][0]["url"].startswith(f"{channel_rasa.url}/webchat/agenda/")
    calendar = requests.get(rows[1][0]["url"], timeout=30)
    assert calendar.status_code == 200 and b"BEGIN:VEVENT" in calendar.content
    assert ["Toon meer"] in [[b["text"] for b in row] for row in rows]
    # Pressing "Meer hierover" gives that event's detail.
    before = len(telegram_sent(provider_api, chat))
    requests.post(
        f"{channel_rasa.url}/webhooks/telegram/webhook",
        json=telegram_update(11, chat, callback_data=rows[0][1]["callback_data"]),
        headers=TELEGRAM_HEADERS,
        timeout=30,
    ).raise_for_status()
    [detail] = wait_for(lambda: telegram_sent(provider_api, chat)[before:])
    assert "Wanneer:" in detail.fields["text"]
    assert results.fields["text"].splitlines()[1][3:].split(" (")[0] in detail.fields["text"]


# ---------------------------------------------------------------- Twilio
def twilio_post(rasa, sender, body, signed=True):
    url = f"{rasa.url}/webhooks/twilio/webhook"
    form = {
        "MessageSid": "SM" + "1" * 32,
        "AccountSid": TWILIO_SID,
        "From": sender,
        "To": TWILIO_WHATSAPP if sender.startswith("whatsapp:") else TWILIO_NUMBER,
        "Body": body,
        "NumMedia": "0",
    }
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, form) if signed else "x"
    return requests.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=30)


def twilio_sent(api, to):
    return api.sent(
        lambda c: (
            c.path == f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
            and c.fields.get("To") == to
        )
    )


def test_twilio_sms_numbered_choices(channel_rasa, provider_api):
    sender = "+31612345678"
    assert twilio_post(channel_rasa, sender, "hallo").status_code == 204
    greeting = wait_for(lambda: twilio_sent(provider_api, sender))
    body = "\n".join(c.fields["Body"] for c in greeting)
    assert "1. Wat is het programma?\n2. Wat kun je allemaal?" in body
    assert "Stuur het nummer van je keuze." in body
    assert greeting[0].fields["From"] == TWILIO_NUMBER
    assert greeting[0].headers.get("Authorization", "").startswith("Basic ")

    # "1" is the first option's payload: the answer is about the programme.
    before = len(twilio_sent(provider_api, sender))
    assert twilio_post(channel_rasa, sender, "1").status_code == 204
    answer = wait_for(lambda: twilio_sent(provider_api, sender)[before:])
    assert "Actieprogramma Impact Ondernemen" in answer[0].fields["Body"]
    assert "gemeente Haarlem" in answer[0].fields["Body"]


def test_twilio_results_are_a_compact_numbered_list(channel_rasa, provider_api):
    sender = "whatsapp:+31611112222"
    assert twilio_post(channel_rasa, sender, "Welke evenementen zijn er?").status_code == 204
    [results] = wait_for(
        lambda: [
            c for c in twilio_sent(provider_api, sender) if c.fields["Body"].startswith("Ik vond")
        ]
    )
    lines = results.fields["Body"].splitlines()
    assert lines[1].startswith("1. ") and lines[2].startswith("Aanmelden: https://")
    assert sum("https://" in line for line in lines) == 3  # one link per result
    assert "Stuur een nummer voor meer informatie." in lines
    assert "4. Toon meer" in lines
    # "1" asks for the first result's detail.
    before = len(twilio_sent(provider_api, sender))
    assert twilio_post(channel_rasa, sender, "1").status_code == 204
    [detail] = wait_for(lambda: twilio_sent(provider_api, sender)[before:])
    assert detail.fields["Body"].startswith(lines[1][3:].split(" (")[0])
    assert "Wanneer:" in detail.fields["Body"]


def test_twilio_whatsapp_question(channel_rasa, provider_api):
    sender = "whatsapp:+31687654321"
    assert twilio_post(channel_rasa, sender, "Wat betekent LOL?").status_code == 204
    sent = wait_for(
        lambda: [
            c
            for c in twilio_sent(provider_api, sender)
            if "Live Online Learning" in c.fields["Body"]
        ]
    )
    assert sent[0].fields["From"] == TWILIO_WHATSAPP


def test_twilio_refuses_unsigned_requests(channel_rasa, provider_api):
    sender = "+31600000001"
    assert twilio_post(channel_rasa, sender, "hallo", signed=False).status_code == 403
    time.sleep(1)
    assert twilio_sent(provider_api, sender) == []
