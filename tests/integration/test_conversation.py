"""Conversations over HTTP with the running Rasa server and action server."""

import uuid

import pytest
import requests
import yaml

from tests.servers import TOKEN

pytestmark = pytest.mark.servers


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def texts(messages) -> str:
    # Rasa's REST channel sends each paragraph of a text as its own message.
    return "\n\n".join(m.get("text", "") for m in messages)


def raw_topic(programme_dir, topic_id: str) -> dict:
    """A topic as written in the YAML file (not through the production loader/formatter)."""
    raw = yaml.safe_load((programme_dir / "onderwerpen.yml").read_text(encoding="utf-8"))
    return next(t for t in raw["onderwerpen"] if t["id"] == topic_id)


def assert_answers_topic(reply: str, topic: dict) -> None:
    assert " ".join(topic["antwoord"].split()) in " ".join(reply.split())
    first_url = next(s.split()[0] for s in topic["bronnen"] if s.startswith("http"))
    assert f"Bron: {first_url}" in reply


def test_lol_question_answers_from_the_data(rasa_server, programme_dir):
    reply = texts(rasa_server.say(new_sender(), "Wat betekent LOL?"))
    assert "Live Online Learning" in reply
    assert_answers_topic(reply, raw_topic(programme_dir, "lol"))


@pytest.mark.parametrize(
    "question, topic",
    [
        ("wat is social return eigenlijk", "social_return"),
        ("Wat is de Prestatieladder Socialer Ondernemen?", "pso"),
        ("wat is het telefoonnummer van de gemeente", "contact"),
        ("wat doet stichting stadsgarage", "stadsgarage"),
    ],
)
def test_programme_questions(rasa_server, programme_dir, question, topic):
    reply = texts(rasa_server.say(new_sender(), question))
    assert_answers_topic(reply, raw_topic(programme_dir, topic))


def test_greeting_says_it_is_an_assistant_with_buttons(rasa_server):
    [message] = rasa_server.say(new_sender(), "hallo")
    assert "geen mens" in message["text"]
    assert [b["title"] for b in message["buttons"]]


def test_out_of_scope_gets_friendly_answer_with_contact(rasa_server):
    reply = texts(rasa_server.say(new_sender(), "Hoe vraag ik een nieuw paspoort aan?"))
    assert "helaas niet" in reply and "14 023" in reply


def test_fallback_then_yes_gives_contact(rasa_server):
    sender = new_sender()
    first = texts(rasa_server.say(sender, "gnorf blap tiedeldie"))
    # Gibberish ends as nlu_fallback (recovery: "Bedoel je ...?" or "in andere woorden") or
    # out_of_scope; all answers come from action_fallback.
    assert any(words in first for words in ("Bedoel je", "andere woorden", "helaas niet"))
    second = texts(rasa_server.say(sender, "ja graag"))
    assert "14 023" in second and "Zijlvest 39" in second


def test_english_gets_english_line_with_contact(rasa_server):
    reply = texts(rasa_server.say(new_sender(), "Hello, what is this program about?"))
    assert "I can only answer in Dutch" in reply and "14 023" in reply


@pytest.mark.parametrize(
    "message, expected",
    [
        ("", "geen tekst"),
        ("   ", "geen tekst"),
        ("😀🎉👍", "alleen woorden"),
        ("<script>alert('hi')</script>", "code of HTML"),
        ('<img src=x onerror="alert(1)">', "code of HTML"),
    ],
)
def test_odd_messages_get_polite_answers(rasa_server, message, expected):
    reply = texts(rasa_server.say(new_sender(), message))
    assert expected in reply


def test_ten_thousand_characters_polite_and_kept_whole(rasa_server):
    sender = new_sender()
    message = ("Ik heb een lange vraag over inkoop en social return. " * 200)[:10000]
    reply = texts(rasa_server.say(sender, message))
    assert "korte vragen" in reply
    # REST conversations are "rest:<sender>" (docs/channels.md).
    tracker = requests.get(
        f"{rasa_server.url}/conversations/rest:{sender}/tracker",
        params={"token": TOKEN},
        timeout=10,
    ).json()
    user_texts = [e["text"] for e in tracker["events"] if e["event"] == "user"]
    assert user_texts == [message]


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "[1, 2]",
        "",
        '"tekst"',
        '{"sender": 12, "message": "hoi"}',
        '{"sender": "a", "message": {"x": 1}}',
    ],
)
def test_malformed_requests_get_400_and_server_stays_up(rasa_server, body):
    resp = requests.post(
        f"{rasa_server.url}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert resp.status_code == 400
    assert rasa_server.say(new_sender(), "hoi")


def test_http_api_needs_the_token(rasa_server):
    assert requests.get(f"{rasa_server.url}/status", timeout=10).status_code == 401
    assert (
        requests.get(f"{rasa_server.url}/status", params={"token": "fout"}, timeout=10).status_code
        == 401
    )
    assert (
        requests.get(f"{rasa_server.url}/status", params={"token": TOKEN}, timeout=10).status_code
        == 200
    )


def test_socketio_channel_answers(rasa_server):
    import socketio

    client = socketio.Client()
    answers = []
    client.on("bot_uttered", lambda data: answers.append(data))
    client.connect(rasa_server.url, socketio_path="/socket.io", transports=["polling"])
    try:
        session = new_sender()
        client.emit("session_request", {"session_id": session})
        client.sleep(0.5)
        client.emit("user_uttered", {"message": "Wat betekent LOL?", "session_id": session})
        for _ in range(60):
            if answers:
                break
            client.sleep(0.5)
    finally:
        client.disconnect()
    assert answers and "Live Online Learning" in answers[0]["text"]


def test_edited_data_changes_answer_after_action_server_restart(
    rasa_server, action_server, programme_dir
):
    path = programme_dir / "onderwerpen.yml"
    original = path.read_text(encoding="utf-8")
    raw = yaml.safe_load(original)
    lol = next(t for t in raw["onderwerpen"] if t["id"] == "lol")
    lol["antwoord"] = "LOL staat voor Live Online Learning. Dit is een aangepaste zin voor de test."
    try:
        path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        before = texts(rasa_server.say(new_sender(), "Wat betekent LOL?"))
        assert "aangepaste zin" not in before  # still the data loaded at start
        action_server.restart()
        after = texts(rasa_server.say(new_sender(), "Wat betekent LOL?"))
        assert "Dit is een aangepaste zin voor de test." in after
    finally:
        path.write_text(original, encoding="utf-8")
        action_server.restart()
