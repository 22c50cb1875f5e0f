"""Fuzzing (hypothesis) of the raw-text checks, the log redaction and the REST body checks.

Pathological unicode, nested and unclosed markup, sizes at each limit: the checks never
raise, never read past the cut, and the real REST webhook never answers with a 5xx.
(Speed is measured in bench/attack_bench.py, not asserted here.)
"""

import json

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sanic.exceptions import SanicException

from bot.channels.rest import MAX_SENDER_CHARS, validate_body
from bot.nlp.message_guard import guard_reason, text_for_nlu
from bot.settings import Settings
from bot.text.guard import NLU_MAX_CHARS, MessageKind, classify, strip_markup
from bot.text.redact import redact
from tests.security.conftest import MAX_REQUEST_BYTES

MARKUP = st.sampled_from(
    [
        "<",
        ">",
        "/",
        " ",
        "\n",
        "\t",
        "<a",
        "</",
        "<script",
        "</script>",
        "<style>",
        "< /style >",
        "<b>",
        "=",
        "'",
        '"',
        "&lt;",
        "\u200b",
        "\ufeff",
        "\u202e",
        "\U0001f600",
        "\u0301",
        "é",
        "ß",
        "ǅ",
        "\ud7ff",
        "\x00",
        "a",
        "Z",
        "9",
    ]
)
NASTY = st.one_of(
    st.text(max_size=300),
    st.lists(MARKUP, max_size=400).map("".join),
    st.builds(
        lambda part, n: part * n,
        st.lists(MARKUP, min_size=1, max_size=6).map("".join),
        st.integers(0, 3000),
    ),
)
LIMIT = 1000
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(NASTY)
def test_text_checks_never_fail_and_read_only_up_to_the_cut(text):
    readable = text_for_nlu(text, LIMIT)
    assert len(readable) <= LIMIT
    assert readable == text_for_nlu(text[:LIMIT], LIMIT)  # cut first
    reason, head_reason = guard_reason(text, LIMIT), guard_reason(text[:LIMIT], LIMIT)
    assert reason in (None, "markup", "no_words", "too_long")
    assert reason == (head_reason if len(text) <= LIMIT else head_reason or "too_long")
    assert isinstance(strip_markup(text), str)
    assert isinstance(redact(text), str)


@settings(max_examples=60, deadline=None)
@given(NASTY)
def test_classify_never_fails(text):
    kind = classify(text)
    assert isinstance(kind, MessageKind)
    if len(text.strip()) > NLU_MAX_CHARS and kind not in (
        MessageKind.EMOJI_ONLY,
        MessageKind.MARKUP,
    ):
        assert kind == MessageKind.LONG


@FUZZ
@given(
    st.emails(),
    st.from_regex(r"06[ -]?[0-9]{8}", fullmatch=True),
    st.from_regex(r"[0-9]{9}", fullmatch=True),
    st.from_regex(r"NL[0-9]{2} ?[A-Z]{4} ?[0-9]{4} ?[0-9]{4} ?[0-9]{2}", fullmatch=True),
    st.text(alphabet="abc XYZ.,!?\n", max_size=40),
)
def test_redaction_removes_personal_data(email, phone, bsn, iban, filler):
    line = f"{filler} {email} {filler} {phone}; {bsn}, {iban}. {filler}"
    clean = redact(line)
    for secret in (email, phone, bsn, iban):
        assert secret not in clean


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=20,
)
BODIES = st.one_of(
    JSON,
    st.fixed_dictionaries(
        {},
        optional={
            "sender": JSON | st.text(max_size=250),
            "message": JSON | NASTY,
            "metadata": JSON,
        },
    ),
)


@FUZZ
@given(BODIES)
def test_body_validation_raises_only_4xx(body):
    try:
        assert validate_body(body) is body
    except SanicException as error:
        assert 400 <= error.status_code < 500


@pytest.mark.servers
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.one_of(
        BODIES.map(lambda b: json.dumps(b).encode()),
        st.binary(max_size=200),
        NASTY.map(lambda t: t.encode("utf-8", "surrogatepass")),
    )
)
def test_rest_webhook_never_answers_5xx(rasa, raw):
    resp = requests.post(
        f"{rasa.url}/webhooks/rest/webhook",
        data=raw,
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert resp.status_code < 500


@pytest.mark.servers
@pytest.mark.parametrize(
    "field,size,status",
    [
        ("message", "max_message_chars", 200),
        ("message", "max_message_chars+1", 413),
        ("sender", MAX_SENDER_CHARS, 200),
        ("sender", MAX_SENDER_CHARS + 1, 400),
        ("metadata", "max_metadata_bytes", 200),
        ("metadata", "max_metadata_bytes+1", 413),
        ("body", MAX_REQUEST_BYTES, 200),
        ("body", MAX_REQUEST_BYTES + 1, 413),
    ],
)
def test_sizes_at_each_limit(rasa, field, size, status):
    if isinstance(size, str):
        name, _, extra = size.partition("+")
        size = getattr(Settings.from_env(), name) + int(extra or 0)
    body = {"sender": f"limits-{field}-{size}", "message": "hoi"}
    if field == "message":
        body["message"] = "a" * size
    elif field == "sender":
        body["sender"] = "s" * size
    elif field == "metadata":
        body["metadata"] = {"k": "m" * (size - len('{"k": ""}'))}
    raw = json.dumps(body).encode()
    if field == "body":  # JSON whitespace up to exactly `size` bytes
        raw = raw[:-1] + b" " * (size - len(raw)) + b"}"
        assert len(raw) == size
    resp = requests.post(
        f"{rasa.url}/webhooks/rest/webhook",
        data=raw,
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert resp.status_code == status
