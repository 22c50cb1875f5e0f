"""The web chat files and the socket.io origin check on the real Rasa server."""

import pytest
import requests
import socketio

pytestmark = pytest.mark.servers


@pytest.mark.parametrize(
    "path,kind",
    [
        ("/webchat/", "text/html"),
        ("/webchat/widget.js", "text/javascript"),
        ("/webchat/widget.css", "text/css"),
        ("/webchat/vendor/socket.io.min.js", "text/javascript"),
    ],
)
def test_widget_files_are_served(rasa_server, path, kind):
    resp = requests.get(rasa_server.url + path, timeout=10)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith(kind)
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_demo_page_has_a_strict_csp_and_redirect(rasa_server):
    resp = requests.get(rasa_server.url + "/webchat", timeout=10)
    assert resp.history and resp.url.endswith("/webchat/")
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


@pytest.mark.parametrize(
    "path",
    [
        "/webchat/../credentials.yml",
        "/webchat/%2e%2e/domain.yml",
        "/webchat/package.json",
        "/webchat/vendor/",
    ],
)
def test_nothing_else_is_served(rasa_server, path):
    assert requests.get(rasa_server.url + path, timeout=10).status_code == 404


def connect(url, origin):
    client = socketio.Client(reconnection=False)
    try:
        client.connect(url, headers={"Origin": origin}, transports=["polling"], wait_timeout=10)
        return True
    except socketio.exceptions.ConnectionError:
        return False
    finally:
        client.disconnect()


def test_socket_origins_are_limited(rasa_server):
    assert connect(rasa_server.url, "http://localhost:5005")  # CORS_ORIGINS default
    assert connect(rasa_server.url, rasa_server.url)  # the demo page's own origin
    assert not connect(rasa_server.url, "https://evil.example")
    assert not connect(rasa_server.url, "http://localhost:5005.evil.example")


def test_results_come_as_one_socket_message_with_cards(rasa_server):
    """Over socket.io a search answers with one message: intro, cards, quick replies."""
    import queue

    received = queue.Queue()
    client = socketio.Client(reconnection=False)
    client.on("bot_uttered", received.put)
    client.connect(
        rasa_server.url,
        headers={"Origin": rasa_server.url},
        transports=["polling"],
        wait_timeout=10,
    )
    try:
        client.emit("session_request", {"session_id": "cards-socket-test"})
        client.emit(
            "user_uttered",
            {"message": "Welke evenementen zijn er?", "session_id": "cards-socket-test"},
        )
        message = received.get(timeout=60)
        assert message["text"].startswith("Ik vond")
        assert len(message["cards"]) == 3 and message["cards"][0]["number"] == 1
        assert "Toon meer" in [q["title"] for q in message["quick_replies"]]
        try:
            extra = received.get(timeout=2)
        except queue.Empty:
            extra = None
        assert extra is None, extra  # not also the long text or the raw custom payload

        calendar = requests.get(rasa_server.url + message["cards"][0]["calendar"], timeout=30)
        assert calendar.status_code == 200
        assert calendar.headers["Content-Type"].startswith("text/calendar")
        assert calendar.headers["Content-Disposition"] == (
            f'attachment; filename="{message["cards"][0]["id"]}.ics"'
        )
        assert b"DTSTART;TZID=Europe/Amsterdam:" in calendar.content
    finally:
        client.disconnect()
