"""The web chat files and the socket.io origin check on the real Rasa server."""
import pytest
import requests
import socketio

pytestmark = pytest.mark.servers


@pytest.mark.parametrize("path,kind", [
    ("/webchat/", "text/html"), ("/webchat/widget.js", "text/javascript"),
    ("/webchat/widget.css", "text/css"), ("/webchat/vendor/socket.io.min.js", "text/javascript"),
])
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


@pytest.mark.parametrize("path", ["/webchat/../credentials.yml", "/webchat/%2e%2e/domain.yml",
                                  "/webchat/package.json", "/webchat/vendor/"])
def test_nothing_else_is_served(rasa_server, path):
    assert requests.get(rasa_server.url + path, timeout=10).status_code == 404


def connect(url, origin):
    client = socketio.Client(reconnection=False)
    try:
        client.connect(url, headers={"Origin": origin}, transports=["polling"],
                       wait_timeout=10)
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
