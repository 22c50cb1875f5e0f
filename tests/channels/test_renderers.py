"""Each channel's renderer on the same result list: what a user of that channel would get."""

import json

import pytest

from bot.replies import render
from bot.replies.model import CUSTOM_KEY, Link, Reply, ResultItem

BASE = "https://bot.example.nl"
RESULTS = Reply(
    text="Ik vond 5 evenementen. Dit zijn de eerste 2:\n1. ...\n2. ...",
    intro="Ik vond 5 evenementen. Dit zijn de eerste 2:",
    items=[
        ResultItem(
            "event",
            "impact-cafe",
            1,
            "Impact Café <Haarlem> & co",
            ["dinsdag 8 december om 16:00", "Online"],
            Link("Aanmelden", "https://example.org/aanmelden?x=1&y=2"),
            ("Meer hierover", '/detail{"resultaat": "impact-cafe"}'),
            calendar_path="/webchat/agenda/impact-cafe.ics",
        ),
        ResultItem(
            "offer",
            "groen-catering",
            2,
            "Groen Catering met een hele lange naam die "
            "niet op één regel van een kaartje past bij Messenger of Telegram",
            ["Catering", "Impact: werk voor mensen met afstand"],
            Link("Bekijk", "https://example.org/groen"),
            ("Meer hierover", '/detail{"resultaat": "groen-catering"}'),
        ),
    ],
    buttons=[("Toon meer", "/more"), ("Alleen online", '/inform{"locatie": "online"}')],
    notes=["Let op: dit zijn voorbeeldgegevens, nog geen echte evenementen."],
)


def test_the_custom_payload_round_trips_and_other_payloads_are_not_ours():
    message = RESULTS.message()
    assert message["text"] == RESULTS.text
    # Without cards a channel still gets a detail button per result and the other buttons.
    assert [b["title"] for b in message["buttons"]] == [
        "Meer over 1",
        "Meer over 2",
        "Toon meer",
        "Alleen online",
    ]
    custom = json.loads(json.dumps(message["json_message"]))  # as it travels through Rasa
    assert Reply.from_custom(custom) == RESULTS
    assert Reply.from_custom({"text": "iets anders"}) is None
    assert Reply.from_custom({CUSTOM_KEY: {"items": [{"kind": "event"}]}}) is None
    assert Reply.from_custom(None) is None
    assert "json_message" not in Reply("Hoi").message()


def test_widget_gets_cards_and_quick_replies():
    message = render.widget_message(RESULTS)
    assert message["text"] == RESULTS.intro
    assert [c["title"] for c in message["cards"]] == [i.title for i in RESULTS.items]
    assert message["cards"][0]["calendar"] == "/webchat/agenda/impact-cafe.ics"
    assert message["cards"][1]["calendar"] is None
    assert message["cards"][0]["link"] == {
        "title": "Aanmelden",
        "url": "https://example.org/aanmelden?x=1&y=2",
    }
    assert [q["title"] for q in message["quick_replies"]] == ["Toon meer", "Alleen online"]
    assert message["notes"] == RESULTS.notes


def test_whatsapp_and_sms_get_a_compact_numbered_list_with_one_link_each():
    text, choices = render.numbered(RESULTS)
    print(text)
    assert "\n\n" not in text  # one SMS / WhatsApp message, not several
    lines = text.splitlines()
    assert lines[0] == RESULTS.intro
    assert lines[1] == "1. Impact Café <Haarlem> & co (dinsdag 8 december om 16:00, Online)"
    assert lines[2] == "Aanmelden: https://example.org/aanmelden?x=1&y=2"
    assert lines[4] == "Bekijk: https://example.org/groen"
    assert sum("https://" in line for line in lines) == 2  # one link per result
    assert "3. Toon meer" in lines and "4. Alleen online" in lines
    assert lines[-1] == RESULTS.notes[0]
    # Answering "1" asks for the first result's detail, "3" for the next page.
    assert [c["payload"] for c in choices] == [
        '/detail{"resultaat": "impact-cafe"}',
        '/detail{"resultaat": "groen-catering"}',
        "/more",
        '/inform{"locatie": "online"}',
    ]


def test_telegram_gets_short_text_and_inline_buttons():
    text, rows = render.telegram(RESULTS, BASE)
    print(text, json.dumps(rows, indent=1, ensure_ascii=False))
    assert "https://" not in text  # links are buttons
    assert text.splitlines()[1] == (
        "1. Impact Café <Haarlem> & co (dinsdag 8 december om 16:00, Online)"
    )
    assert rows[0] == [
        {"text": "1. Aanmelden", "url": "https://example.org/aanmelden?x=1&y=2"},
        {"text": "1. Meer hierover", "callback_data": '/detail{"resultaat": "impact-cafe"}'},
    ]
    assert rows[1] == [
        {
            "text": "1. In mijn agenda",
            "url": "https://bot.example.nl/webchat/agenda/impact-cafe.ics",
        }
    ]
    assert rows[2][0]["url"] == "https://example.org/groen"
    assert rows[-2:] == [
        [{"text": "Toon meer", "callback_data": "/more"}],
        [{"text": "Alleen online", "callback_data": '/inform{"locatie": "online"}'}],
    ]
    for row in rows:
        for button in row:
            assert len(button.get("callback_data", "").encode()) <= 64
    # Without a public address there is no calendar button (Telegram needs a full URL).
    _, rows = render.telegram(RESULTS, "")
    assert not any("agenda" in b.get("url", "") for row in rows for b in row)


def test_slack_gets_blocks():
    blocks = render.slack(RESULTS, BASE)
    print(json.dumps(blocks, indent=1, ensure_ascii=False))
    assert [b["type"] for b in blocks] == [
        "section",
        "section",
        "actions",
        "section",
        "actions",
        "actions",
        "context",
    ]
    first = blocks[1]
    assert first["text"]["text"] == (
        "*Impact Café &lt;Haarlem&gt; &amp; co*\ndinsdag 8 december om 16:00, Online"
    )
    assert first["accessory"]["url"] == "https://example.org/aanmelden?x=1&y=2"
    assert [e["text"]["text"] for e in blocks[2]["elements"]] == ["Meer hierover", "In mijn agenda"]
    assert blocks[2]["elements"][0]["value"] == '/detail{"resultaat": "impact-cafe"}'
    assert [e["value"] for e in blocks[5]["elements"]] == ["/more", '/inform{"locatie": "online"}']
    action_ids = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert len(action_ids) == len(set(action_ids))  # Slack requires unique ids per message


def test_messenger_gets_a_generic_template_and_quick_replies():
    messages = render.messenger(RESULTS, BASE)
    print(json.dumps(messages, indent=1, ensure_ascii=False))
    assert messages[0] == {"text": RESULTS.intro}
    payload = messages[1]["attachment"]["payload"]
    assert payload["template_type"] == "generic"
    first, second = payload["elements"]
    assert first["title"] == "1. Impact Café <Haarlem> & co"
    assert first["subtitle"] == "dinsdag 8 december om 16:00, Online"
    assert [b["title"] for b in first["buttons"]] == [
        "Aanmelden",
        "Meer hierover",
        "In mijn agenda",
    ]
    assert first["buttons"][1] == {
        "type": "postback",
        "title": "Meer hierover",
        "payload": '/detail{"resultaat": "impact-cafe"}',
    }
    assert len(second["title"]) == 80 and second["title"].endswith("…")
    assert len(second["buttons"]) == 2  # no calendar for an offer
    assert messages[2]["text"] == RESULTS.notes[0]
    assert [q["payload"] for q in messages[2]["quick_replies"]] == [
        "/more",
        '/inform{"locatie": "online"}',
    ]
    for element in payload["elements"]:
        assert all(len(b["title"]) <= 20 for b in element["buttons"])


def test_plain_text_fallback_is_the_whole_reply():
    text, buttons = render.plain(RESULTS)
    assert text == RESULTS.text and buttons == RESULTS.buttons


@pytest.mark.parametrize(
    "renderer",
    [
        render.numbered,
        lambda r: render.telegram(r, BASE),
        lambda r: render.slack(r, BASE),
        lambda r: render.messenger(r, BASE),
    ],
)
def test_a_reply_without_results_still_renders(renderer):
    assert renderer(Reply("Hoi", buttons=[("Toon meer", "/more")], intro="Hoi"))
