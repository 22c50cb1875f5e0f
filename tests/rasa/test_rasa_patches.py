"""bot/rasa_patches.py: every Rasa-private method the project overrides, pinned and tested.

If a Rasa upgrade changes one of the overridden methods, `test_overridden_rasa_code_is_unchanged`
fails: re-read the new Rasa code, adapt the patch, then update the pin.
"""

import asyncio
import hashlib
import inspect
import json
import logging
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import rasa
import rasa.server
from jsonschema import ValidationError, validate
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import rasa_patches
from bot.settings import Settings
from tests.servers import free_port

# sha256 (first 16 hex digits) of the source of each overridden Rasa method, Rasa 3.6.21.
PINNED = {
    "RemoteAction._validate_action_result": "f8cdb4be68123961",
    "RemoteAction.run": "ccabf6f1160d527a",
    "FailSafeTrackerStore.on_tracker_store_error": "6faca7ba72b36da4",
    "FailSafeTrackerStore.on_tracker_store_retrieve_error": "162b49564c52ab49",
    "Event.resolve_by_type": "b5cf570fa7f286c7",
    "DaskGraphRunner.run": "45f0f52f574f3aa9",
    "EndpointConfig.session": "e55aa13d9d4fb4bc",
    "rule_policy.copy": "be6da6ee0f5429bd",
    "ActionSessionStart._slot_set_events_from_tracker": "d023605fda20a739",
    "server.configure_cors": "4eb39526bd4aa4a9",
    "MessageProcessor.parse_message": "b98d8e49b9f2c433",
}


def pinned_source(key):
    """The Rasa code a patch depends on: the overridden method, or for the `copy` that
    RulePolicy sees, the method that uses it."""
    if key == "rule_policy.copy":
        from rasa.core.policies.rule_policy import RulePolicy

        return inspect.getsource(RulePolicy._find_action_from_rules)
    return inspect.getsource(rasa_patches.ORIGINALS[key])


GOOD = [
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "name": "zoekopdracht", "value": {"kind": "aanbod"}}],
        "responses": [{"text": "hoi", "buttons": [{"title": "Meer", "payload": "/more"}]}],
    },
    {},
]
BAD = [
    {"events": "geen lijst"},
    {"events": [{"event": "slot"}]},
    {"responses": ["tekst"]},
    [],
]


@pytest.fixture(autouse=True)
def patched():
    rasa_patches.install(Settings.from_env({"ACTION_TIMEOUT": "1"}))
    yield
    rasa_patches.uninstall()


def test_every_patch_is_listed_and_pinned():
    assert set(rasa_patches.PATCHES) == set(rasa_patches.ORIGINALS) == set(PINNED)
    for key in PINNED:
        assert key in rasa_patches.__doc__, f"{key} is not listed in the module docstring"


@pytest.mark.parametrize("key", sorted(PINNED))
def test_overridden_rasa_code_is_unchanged(key):
    source = pinned_source(key)
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    assert digest == PINNED[key], (
        f"Rasa {rasa.__version__} changed {key}, which bot/rasa_patches.py overrides. "
        "Re-read the new code, adapt the patch, then update PINNED."
    )


def test_install_and_uninstall():
    assert RemoteAction.run is rasa_patches.run_remote_action
    assert RemoteAction._validate_action_result is rasa_patches.validate_action_result
    assert FailSafeTrackerStore.on_tracker_store_error is rasa_patches.on_tracker_store_error
    rasa_patches.uninstall()
    assert RemoteAction.run is rasa_patches.ORIGINALS["RemoteAction.run"]


@pytest.mark.parametrize("result", GOOD)
def test_valid_results_pass_like_rasa(result):
    validate(result, RemoteAction.action_response_format_spec())
    assert RemoteAction("action_x", None)._validate_action_result(result) is True


@pytest.mark.parametrize("result", BAD)
def test_invalid_results_fail_like_rasa(result):
    with pytest.raises(ValidationError):
        validate(result, RemoteAction.action_response_format_spec())
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        RemoteAction("action_x", None)._validate_action_result(result)


# --- RemoteAction.run against a real HTTP action endpoint ----------------------------------------


class ActionEndpoint:
    """A real HTTP server standing in for the action server: status, body, delay per test."""

    def __init__(self, status: int = 200, body: object = None, delay: float = 0.0):
        self.status, self.body, self.delay = status, body or {"events": [], "responses": []}, delay
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(outer.delay)
                data = json.dumps(outer.body).encode()
                try:
                    self.send_response(outer.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/webhook"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def call(url: str):
    domain = Domain.from_yaml("version: '3.1'\nactions: [action_x]\n")
    tracker = DialogueStateTracker.from_events("u1", [UserUttered("hoi")])
    action = RemoteAction("action_x", EndpointConfig(url))
    return asyncio.run(
        action.run(
            CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, domain
        )
    )


def assert_apology(events):
    [event] = events
    assert isinstance(event, BotUttered)
    assert event.text.startswith("Sorry, er ging bij mij iets mis.")
    assert "14 023" in event.text  # the phone number from the programme data
    assert event.data["buttons"] == [
        {"title": "Een medewerker spreken", "payload": "/request_human"}
    ]


def test_a_working_action_passes_through():
    server = ActionEndpoint(
        body={
            "events": [{"event": "slot", "name": "s", "value": 1}],
            "responses": [{"text": "hallo"}],
        }
    )
    try:
        events = call(server.url)
    finally:
        server.close()
    assert [type(e) for e in events] == [BotUttered, SlotSet]
    assert events[0].text == "hallo"


def test_action_server_down_gives_the_apology(caplog):
    with caplog.at_level(logging.ERROR, logger="bot.rasa_patches"):
        assert_apology(call(f"http://127.0.0.1:{free_port()}/webhook"))
    assert "custom action action_x failed" in caplog.text
    assert "Traceback" in caplog.text


def test_slow_action_server_is_cut_off_at_the_timeout(caplog):
    server = ActionEndpoint(delay=5)  # ACTION_TIMEOUT is 1 s in these tests
    try:
        with caplog.at_level(logging.ERROR, logger="bot.rasa_patches"):
            assert_apology(call(server.url))
    finally:
        server.close()
    assert "did not answer within 1.0 s (ACTION_TIMEOUT)" in caplog.text


def test_action_server_error_gives_the_apology():
    server = ActionEndpoint(status=500, body={"error": "boom"})
    try:
        assert_apology(call(server.url))
    finally:
        server.close()


def test_a_rejection_still_reaches_rasas_policies():
    server = ActionEndpoint(status=400, body={"action_name": "action_x", "error": "nee"})
    try:
        with pytest.raises(ActionExecutionRejection):
            call(server.url)
    finally:
        server.close()


# --- FailSafeTrackerStore: a failing SQL store is logged loudly ---------------------------------


def test_tracker_store_failure_is_logged_loudly(tmp_path, caplog):
    db = tmp_path / "conversations.db"
    domain = Domain.empty()
    store = FailSafeTrackerStore(SQLTrackerStore(domain, dialect="sqlite", db=str(db)))
    tracker = DialogueStateTracker.from_events("u1", [UserUttered("hoi")])
    asyncio.run(store.save(tracker))
    with sqlite3.connect(db) as conn:  # the database breaks under the running store
        conn.execute("DROP TABLE events")
    with caplog.at_level(logging.CRITICAL, logger="bot.rasa_patches"):
        tracker.update(UserUttered("meer"))
        asyncio.run(store.save(tracker))
        assert asyncio.run(store.retrieve("u1")) is None
    messages = [r for r in caplog.records if r.levelno == logging.CRITICAL]
    assert len(messages) == 2
    assert all(rasa_patches.FALLBACK_MARKER in r.getMessage() for r in messages)
    assert "saving a conversation to SQLTrackerStore failed" in messages[0].getMessage()
    assert "reading a conversation from SQLTrackerStore failed" in messages[1].getMessage()
    # What Rasa does then: the turn lives only in its in-memory fallback store.
    kept = asyncio.run(store.fallback_tracker_store.retrieve("u1"))
    assert [e.text for e in kept.events if isinstance(e, UserUttered)] == ["hoi", "meer"]


def test_event_types_resolve_like_rasa():
    from rasa.shared.core import events

    original = rasa_patches.ORIGINALS["Event.resolve_by_type"]
    names = {cls.type_name for cls in events.Event.__subclasses__()} | {"slot", "user", "bot"}
    for name in sorted(names):
        try:
            expected = original(name)
        except ValueError:
            with pytest.raises(ValueError):
                events.Event.resolve_by_type(name)
            continue
        assert events.Event.resolve_by_type(name) is expected
    assert events.Event.resolve_by_type("topic") is None
    assert events.Event.resolve_by_type("nonsense", events.SlotSet) is events.SlotSet
    with pytest.raises(ValueError):
        events.Event.resolve_by_type("nonsense")
    # An event class defined later is found too (the table is rebuilt on a miss).

    class LateEvent(events.Event):
        type_name = "late_event_for_test"

        def __eq__(self, other):
            return isinstance(other, LateEvent)

        def __hash__(self):
            return 1

        def as_story_string(self):
            return None

    assert events.Event.resolve_by_type("late_event_for_test") is LateEvent
    dumped = [{"event": "slot", "name": "x", "value": 1, "timestamp": 1.0}]
    assert events.deserialise_events(dumped) == [SlotSet("x", 1, timestamp=1.0)]


def test_graph_runner_gives_the_results_of_rasas_dask_runner(model):
    """Parsing and next-action prediction of the real model, with and without the patch."""
    import asyncio
    import uuid

    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage

    texts = ["hallo", "wat is social return", "ik zoek een cateraar", "meer", "🙂", "", "x" * 300]
    agent = Agent.load(str(model))

    async def outputs():
        parsed, predicted = [], []
        sender = f"graph-{uuid.uuid4().hex[:8]}"
        for text in texts:
            parse = await agent.parse_message(text)
            parse.pop("message_id", None)
            parsed.append(parse)
            await agent.processor.log_message(UserMessage(text, sender_id=sender))
            predicted.append(await agent.processor.predict_next_for_sender_id(sender))
        for p in predicted:
            p.pop("tracker", None)
        return parsed, predicted

    loop = asyncio.new_event_loop()
    try:
        patched = loop.run_until_complete(outputs())
        rasa_patches.uninstall()
        original = loop.run_until_complete(outputs())
    finally:
        loop.close()
    assert patched == original
    assert {p["intent"]["name"] for p in patched[0]} >= {"greet", "faq"}


def test_action_calls_reuse_one_kept_alive_connection():
    """A real HTTP server sees which client port each request comes from."""
    import asyncio

    from aiohttp import web

    async def scenario():
        peers = []

        async def handler(request):
            peers.append(request.transport.get_extra_info("peername")[1])
            return web.json_response({"events": [], "responses": []})

        app = web.Application()
        app.router.add_post("/webhook", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
            for _ in range(3):
                assert await endpoint.request(json={"next_action": "x"}) == {
                    "events": [],
                    "responses": [],
                }
            kept = list(peers)
            rasa_patches.uninstall()
            fresh = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
            for _ in range(2):
                await fresh.request(json={"next_action": "x"})
            await endpoint.__dict__["_bot_session"].close()
            return kept, peers[3:]
        finally:
            await runner.cleanup()

    kept, unpatched = asyncio.new_event_loop().run_until_complete(scenario())
    assert len(set(kept)) == 1, kept  # one connection for three calls
    assert len(set(unpatched)) == 2, unpatched  # Rasa's own: a new one each time


def test_rule_policy_uses_copy_only_for_its_debug_line():
    import re

    from rasa.core.policies import rule_policy

    source = inspect.getsource(rule_policy)
    uses = re.findall(r"\bcopy\.\w+\([^)]*\)", source)
    assert uses == ["copy.deepcopy(current_states)"]
    assert (
        'structlogger.debug(\n            "rule_policy.actions.find", current_states=copy.deepcopy'
        in source
    )
    states = [{"prev_action": {"action_name": "action_listen"}}]
    assert rule_policy.copy.deepcopy(states) is states  # installed: no copy
    rasa_patches.uninstall()
    assert rule_policy.copy.deepcopy(states) is not states


def test_objects_alive_after_the_model_loads_leave_the_garbage_collector(monkeypatch):
    import asyncio
    import gc

    import rasa.core.run

    from bot import serve

    async def load_agent(*args, **kwargs):
        return "agent"

    monkeypatch.setattr(rasa.core.run, "load_agent_on_start", load_agent)
    serve.freeze_after_model_load()
    serve.freeze_after_model_load()  # idempotent
    wrapped = rasa.core.run.load_agent_on_start
    assert wrapped is not load_agent
    try:
        assert asyncio.new_event_loop().run_until_complete(wrapped()) == "agent"
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_new_session_carries_each_slot_over_once_with_the_same_values():
    from rasa.core.actions.action import ActionSessionStart

    events = [
        SlotSet("zoekopdracht", {"kind": "aanbod", "page": 1}),
        SlotSet("herstelstap", "verduidelijken"),
        SlotSet("zoekopdracht", {"kind": "aanbod", "page": 2}),
        SlotSet("herstelstap", None),
        SlotSet("zoekopdracht", {"kind": "evenementen", "page": 1}),
    ]
    tracker = DialogueStateTracker.from_events("rest:x", events)
    carried = ActionSessionStart._slot_set_events_from_tracker(tracker)
    original = rasa_patches.ORIGINALS["ActionSessionStart._slot_set_events_from_tracker"]
    expected = original(tracker)
    assert len(expected) == 5 and len(carried) == 2

    def final(slot_events):
        return DialogueStateTracker.from_events("rest:y", slot_events).current_slot_values()

    assert final(carried) == final(expected)
    assert [e.key for e in carried] == ["herstelstap", "zoekopdracht"]


# --- server.configure_cors: CORS only on the widget and REST paths ------------------------------


def test_cors_covers_the_widget_and_rest_paths_only():
    """Rasa's options on the widget/REST paths; none on the console, Rasa's HTTP API or /."""
    import requests
    from sanic import Sanic, response

    from tests.security.inprocess import serving

    Sanic.test_mode = True
    app = Sanic("cors-patch")
    paths = {
        "/webhooks/rest/webhook": True,
        "/socket.io/": True,
        "/webchat/": True,
        "/console/api/me": False,
        "/conversations/x/tracker": False,
        "/": False,
    }
    for index, path in enumerate(paths):

        async def handler(_request):
            return response.json({})

        app.add_route(handler, path, methods=["GET"], name=f"route{index}")
    rasa.server.configure_cors(app, ["https://site.example"])  # the patch is installed
    assert app.config.CORS_SUPPORTS_CREDENTIALS is True  # as Rasa: the widget may send them
    origin = {"Origin": "https://site.example"}
    with serving(app) as url:
        for path, covered in paths.items():
            got = requests.get(url + path, headers=origin, timeout=10)
            assert (
                got.headers.get("Access-Control-Allow-Origin") == origin["Origin"]
            ) is covered, path
            other = requests.get(url + path, headers={"Origin": "https://evil.example"}, timeout=10)
            assert "Access-Control-Allow-Origin" not in other.headers


def test_a_typed_answer_to_the_buttons_is_parsed_as_the_chosen_payload(monkeypatch):
    import asyncio

    from rasa.core.channels.channel import UserMessage

    parsed = []

    async def rasa_parse(self, message, tracker=None, only_output_properties=True):
        parsed.append(message.text)
        return {"text": message.text, "intent": {"name": "x"}, "entities": []}

    monkeypatch.setitem(rasa_patches.ORIGINALS, "MessageProcessor.parse_message", rasa_parse)
    tracker = DialogueStateTracker.from_events(
        "u",
        [
            UserUttered("inkoop"),
            BotUttered(
                "Ik weet niet zeker wat je bedoelt. Bedoel je een van deze?",
                data={
                    "buttons": [
                        {"title": "Inkopen bij impactondernemers", "payload": "/search_offers"},
                        {"title": "Opdrachten zoeken", "payload": "/search_opportunities"},
                        {"title": "Iets anders", "payload": "/deny"},
                    ]
                },
            ),
        ],
    )

    def parse(text, on=tracker):
        return asyncio.run(rasa_patches.parse_message(None, UserMessage(text), on))

    assert parse("de tweede")["text"] == "de tweede"  # the tracker keeps what was typed
    assert parsed[-1] == "/search_opportunities"
    parse("opdrachten")
    assert parsed[-1] == "/search_opportunities"
    parse("Wat is LOL?")  # a new question is a new question
    assert parsed[-1] == "Wat is LOL?"
    parse("de tweede", DialogueStateTracker.from_events("v", [UserUttered("hoi")]))
    assert parsed[-1] == "de tweede"  # no buttons shown: nothing to choose
