from bot.channels.formatting import (
    CHOOSE_BY_NUMBER,
    ChoiceMemory,
    choice_payload,
    fit_buttons,
    numbered_choices,
    plain_text,
    shorten,
)
from bot.channels.socketio import allowed_origins, origin_allowed

BUTTONS = [
    {"title": "Wat is het programma?", "payload": "Wat is het Actieprogramma?"},
    {"title": "Wat kun je allemaal?", "payload": "Wat kun je allemaal?"},
]


def test_plain_text_removes_markdown():
    assert (
        plain_text("**Let op:** zie [de site](https://haarlem.nl).")
        == "Let op: zie de site (https://haarlem.nl)."
    )
    assert plain_text("[https://a.nl](https://a.nl)") == "https://a.nl"
    assert plain_text("# Kop\n`code` en __vet__") == "Kop\ncode en vet"
    assert plain_text("3 * 4 = 12, a_b_c") == "3 * 4 = 12, a_b_c"


def test_numbered_choices():
    assert numbered_choices("Waarmee kan ik je helpen?", BUTTONS) == (
        "Waarmee kan ik je helpen?\n1. Wat is het programma?\n2. Wat kun je allemaal?\n"
        + CHOOSE_BY_NUMBER
    )
    assert "\n\n" not in numbered_choices("Tekst", BUTTONS)  # one SMS, not several
    assert numbered_choices("Tekst", []) == "Tekst"


def test_choice_payload():
    assert choice_payload("1", BUTTONS) == "Wat is het Actieprogramma?"
    assert choice_payload(" 2. ", BUTTONS) == "Wat kun je allemaal?"
    assert choice_payload("2)", BUTTONS) == "Wat kun je allemaal?"
    assert choice_payload("wat kun je allemaal?", BUTTONS) == "Wat kun je allemaal?"
    assert choice_payload("3", BUTTONS) is None
    assert choice_payload("0", BUTTONS) is None
    assert choice_payload("1 euro", BUTTONS) is None
    assert choice_payload("1", []) is None


def test_fit_buttons():
    text, fitted = fit_buttons("Hoi", BUTTONS, max_count=13, max_title=30)
    assert text == "Hoi" and fitted == BUTTONS
    text, fitted = fit_buttons("Hoi", BUTTONS, max_count=13, max_title=20)
    assert "1. Wat is het programma?" in text
    assert [b["title"] for b in fitted] == ["1. Wat is het progr…", "2. Wat kun je allem…"]
    assert all(len(b["title"]) <= 20 for b in fitted)
    assert [b["payload"] for b in fitted] == [b["payload"] for b in BUTTONS]
    assert shorten("kort", 20) == "kort"


def test_choice_memory_per_sender_bounded_and_expiring():
    now = [0.0]
    memory = ChoiceMemory(max_senders=2, ttl_seconds=60, clock=lambda: now[0])
    memory.remember("a", BUTTONS)
    assert memory.resolve("a", "1") == "Wat is het Actieprogramma?"
    assert memory.resolve("b", "1") is None
    memory.remember("b", BUTTONS)
    memory.remember("c", BUTTONS)  # "a" is dropped: at most 2 senders
    assert memory.buttons("a") == []
    now[0] = 61
    assert memory.resolve("b", "1") is None
    memory.remember("c", BUTTONS)
    memory.forget("c")
    assert memory.buttons("c") == []


def test_socket_origins():
    assert allowed_origins("https://www.haarlem.nl/, http://localhost:5005") == [
        "https://www.haarlem.nl",
        "http://localhost:5005",
    ]
    environ = {
        "HTTP_HOST": "bot.example.nl",
        "wsgi.url_scheme": "http",
        "HTTP_X_FORWARDED_PROTO": "https",
    }
    allowed = ["https://www.haarlem.nl"]
    assert origin_allowed("https://www.haarlem.nl", environ, allowed)
    assert origin_allowed("https://bot.example.nl", environ, allowed)  # its own origin
    assert origin_allowed(None, environ, allowed)  # not from a browser page
    assert not origin_allowed("https://evil.example", environ, allowed)
    assert not origin_allowed("https://www.haarlem.nl.evil.example", environ, allowed)
    assert origin_allowed("https://any.example", environ, ["*"])
