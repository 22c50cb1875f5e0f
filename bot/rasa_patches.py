"""Every change the project makes to Rasa's own classes, installed explicitly at server start.

`python -m bot.serve rasa` (what `make run`, the containers and the test servers start) calls `install()` and
then Rasa's own command line. Rasa-private methods overridden here (each is pinned by a test in
tests/unit/test_rasa_patches.py that fails when a Rasa upgrade changes it):

- ``RemoteAction._validate_action_result``: the response schema is compiled once (speed;
  jsonschema re-checked the schema on every call, about half the CPU of a turn).
- ``RemoteAction.run``: bounded by ACTION_TIMEOUT (Rasa waits up to 300 s); when the action server
  is down, slow, or fails, the user gets a Dutch apology with the helpdesk offer instead of
  silence (Rasa logs and returns no events).
- ``FailSafeTrackerStore.on_tracker_store_error`` and
  ``FailSafeTrackerStore.on_tracker_store_retrieve_error``: when the tracker store
  (PostgreSQL, SQLite) fails, Rasa silently carries on with an in-memory store; this is logged
  loudly (CRITICAL, ``TRACKER STORE FALLBACK``) so operators see events may be lost.
- ``DaskGraphRunner.run``: the prediction and parsing graphs run their nodes in a fixed order
  computed once per set of targets (speed: Rasa rebuilt the minimal graph, formatted every input
  into a debug string and went through dask's scheduler on every call, about 9 % of a turn; the
  nodes, their inputs and outputs are the same).
- ``EndpointConfig.session``: one aiohttp session per endpoint and event loop, kept open, so
  calls to the action server reuse a kept-alive connection (speed: Rasa opened a new session
  and TCP connection for every action; every caller uses it as ``async with``).
- ``rule_policy.copy``: the ``copy`` module as RulePolicy sees it. Its one use is
  ``copy.deepcopy(current_states)`` as an argument of a debug log call, evaluated on every
  prediction whatever the log level (about 5 % of a turn); here that "copy" is the states
  themselves, which the log call only reads. Pinned through ``RulePolicy._find_action_from_rules``.
- ``ActionSessionStart._slot_set_events_from_tracker``: a new session carries over each slot's
  latest value once. Rasa copied every ``SlotSet`` of the old session, so each session started
  with all the slot events of the one before it: sessions grew by a few events each time, and a
  long conversation got slower and slower (2.2x after 500 turns). The slot values are the same.
- ``server.configure_cors``: Rasa's CORS (``--cors``, sanic-cors with credentials) covers only
  the widget and REST paths (``CORS_PATHS``: /webhooks/, /socket.io/, /webchat/). Rasa applied it
  to every path, so any origin in CORS_ORIGINS could read the agent console's API (/console/api/)
  with an employee's cookie, and Rasa's HTTP API. The options are Rasa's own otherwise.
- ``MessageProcessor.parse_message``: a short typed answer to the buttons of the bot's last
  message ("de tweede", "opdrachten" after "Bedoel je ...?") is parsed as that button's payload
  (bot/text/button_answer.py); the tracker keeps what the user typed. Rasa classified it as a
  new message, so a free-text answer to a clarifying question was lost.
- ``Event.resolve_by_type``: the event classes are looked up in a table built once (speed: Rasa
  walked every subclass of ``Event`` for each stored event it read, about 6 % of a turn).
"""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from typing import Any, Callable, Dict, List, Optional, Text, Tuple

from jsonschema import ValidationError, validators
from jsonschema.exceptions import best_match
from rasa import server as rasa_server
from rasa.core.actions.action import ActionExecutionRejection, ActionSessionStart, RemoteAction
from rasa.core.channels.channel import UserMessage
from rasa.core.policies import rule_policy
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import BotUttered, Event, SlotSet
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig
from sanic_cors import CORS

from bot.settings import Settings
from bot.text import faults

log = logging.getLogger(__name__)

FALLBACK_MARKER = "TRACKER STORE FALLBACK"

# The originals, kept so that tests can compare and `uninstall()` can restore them.
ORIGINALS: Dict[str, Any] = {
    "RemoteAction._validate_action_result": RemoteAction._validate_action_result,
    "RemoteAction.run": RemoteAction.run,
    "FailSafeTrackerStore.on_tracker_store_error": FailSafeTrackerStore.on_tracker_store_error,
    "FailSafeTrackerStore.on_tracker_store_retrieve_error": FailSafeTrackerStore.on_tracker_store_retrieve_error,  # noqa: E501
    "Event.resolve_by_type": Event.resolve_by_type,
    "DaskGraphRunner.run": DaskGraphRunner.run,
    "EndpointConfig.session": EndpointConfig.session,
    "rule_policy.copy": rule_policy.copy,
    "ActionSessionStart._slot_set_events_from_tracker": (
        ActionSessionStart._slot_set_events_from_tracker
    ),
    "server.configure_cors": rasa_server.configure_cors,
    "MessageProcessor.parse_message": MessageProcessor.parse_message,
}
# Patches of static methods (wrapped in staticmethod when installed).
STATIC = {"Event.resolve_by_type", "ActionSessionStart._slot_set_events_from_tracker"}

_state: Dict[str, Any] = {"timeout": 5.0, "telefoon": None}


# --- speed: the action-response validator compiled once -----------------------------------------


@lru_cache(maxsize=1)
def response_validator():
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """RemoteAction._validate_action_result with a validator compiled once."""
    error = best_match(response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from "
        f"the Action endpoint is valid. For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


# --- faults: a bounded action call that never ends in silence ------------------------------------


def failure_events() -> List[Event]:
    """The Dutch apology with the helpdesk offer, as the bot's message of the failed action."""
    return [
        BotUttered(
            faults.action_failed(_state["telefoon"]), data={"buttons": faults.helpdesk_buttons()}
        )
    ]


async def run_remote_action(
    self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any
) -> List[Event]:
    """RemoteAction.run within ACTION_TIMEOUT; on any failure an apology instead of silence."""
    original = ORIGINALS["RemoteAction.run"]
    try:
        return await asyncio.wait_for(
            original(self, output_channel, nlg, tracker, domain), timeout=_state["timeout"]
        )
    except ActionExecutionRejection:
        raise  # a form rejecting its slot: Rasa lets the policies choose again
    except asyncio.TimeoutError:
        log.error(
            "custom action %s did not answer within %.1f s (ACTION_TIMEOUT); "
            "the user got the apology with the helpdesk offer",
            self.name(),
            _state["timeout"],
        )
    except Exception:
        log.exception(
            "custom action %s failed; the user got the apology with the helpdesk offer", self.name()
        )
    return failure_events()


# --- faults: the fail-safe tracker store falling back to memory ----------------------------------


def on_tracker_store_error(self: FailSafeTrackerStore, error: Exception) -> None:
    """Saving failed: Rasa keeps this turn only in memory (lost on restart, unseen elsewhere)."""
    log.critical(
        "%s: saving a conversation to %s failed (%s: %s); Rasa keeps it in memory only, "
        "events of this turn can be lost",
        FALLBACK_MARKER,
        type(self._tracker_store).__name__,
        type(error).__name__,
        error,
    )


def on_tracker_store_retrieve_error(self: FailSafeTrackerStore, error: Exception) -> None:
    """Reading failed: Rasa answers this turn as if the conversation were new."""
    log.critical(
        "%s: reading a conversation from %s failed (%s: %s); this turn starts without its history",
        FALLBACK_MARKER,
        type(self._tracker_store).__name__,
        type(error).__name__,
        error,
    )


# --- speed: event classes by type name, looked up once -----------------------------------------

_EVENT_TYPES: Dict[str, type] = {}


def resolve_event_type(type_name: Text, default: Optional[type] = None) -> Optional[type]:
    """`Event.resolve_by_type` with a table (rebuilt when a name is not in it)."""
    cls = _EVENT_TYPES.get(type_name)
    if cls is None:
        table: Dict[str, type] = {}
        for subclass in all_subclasses(Event):  # Rasa's order: the first match wins
            table.setdefault(subclass.type_name, subclass)
        _EVENT_TYPES.clear()
        _EVENT_TYPES.update(table)
        cls = _EVENT_TYPES.get(type_name)
    if cls is not None:
        return cls
    if type_name == "topic":
        return None  # Rasa: backwards compatibility with old TopicSet events
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


# --- speed: graph nodes run in a precomputed order ----------------------------------------------


def _run_order(runner: DaskGraphRunner, targets: Tuple[str, ...]) -> List[Tuple[str, List[str]]]:
    """(node, the names it needs) for every node the targets depend on, dependencies first."""
    orders = runner.__dict__.setdefault("_bot_run_orders", {})
    order = orders.get(targets)
    if order is None:
        nodes = runner._graph_schema.nodes
        order, seen = [], set()

        def visit(name: str) -> None:
            if name in seen or name not in nodes:  # not a node: an input placeholder
                return
            seen.add(name)
            needs = list(nodes[name].needs.values())
            for dependency in needs:
                visit(dependency)
            order.append((name, needs))

        for target in targets:
            visit(target)
        orders[targets] = order
    return order


def run_graph(
    self: DaskGraphRunner,
    inputs: Optional[Dict[Text, Any]] = None,
    targets: Optional[List[Text]] = None,
) -> Dict[Text, Any]:
    """`DaskGraphRunner.run` without dask: the same nodes, called in dependency order."""
    run_targets = targets if targets else self._graph_schema.target_names
    # As in dask's graph: an input is the tuple (name, value), a node's output (name, output).
    values: Dict[str, Any] = {}
    for name, value in (inputs or {}).items():
        if isinstance(value, str) and value in self._graph_schema.nodes:
            raise GraphRunError(
                f"Input value '{value}' clashes with a node name. Make sure "
                f"that none of the input names passed to the `run` method are the "
                f"same as node names in the graph schema."
            )
        values[name] = (name, value)
    try:
        for name, needs in _run_order(self, tuple(run_targets)):
            node = self._instantiated_nodes[name]
            values[name] = node(*(values.get(need, need) for need in needs))
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error
    return dict(values[target] for target in run_targets)


# --- speed: a kept-alive session to the action server -------------------------------------------


class _KeptSession:
    """`async with` gives the shared session and leaves it open."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *exc_info: Any) -> bool:
        return False


def kept_session(self: EndpointConfig) -> Any:
    """`EndpointConfig.session`, created once per endpoint and event loop."""
    loop = asyncio.get_running_loop()
    session = self.__dict__.get("_bot_session")
    if session is None or session.closed or self.__dict__.get("_bot_session_loop") is not loop:
        session = ORIGINALS["EndpointConfig.session"](self)
        self.__dict__["_bot_session"], self.__dict__["_bot_session_loop"] = session, loop
    return _KeptSession(session)


# --- speed: no deep copy for a debug line nobody reads ------------------------------------------


class _NoCopyForDebugLog:
    """What `rasa.core.policies.rule_policy` gets as `copy` (see the module docstring)."""

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        return value


# --- long conversations: each slot carried over once -------------------------------------------


def carried_over_slots(tracker: Any) -> List[SlotSet]:
    """The latest `SlotSet` of each slot, in the order they were last set."""
    latest: Dict[str, SlotSet] = {}
    for event in tracker.applied_events():
        if isinstance(event, SlotSet):
            latest.pop(event.key, None)
            latest[event.key] = event
    return [SlotSet(key=e.key, value=e.value, metadata=e.metadata) for e in latest.values()]


# --- security: CORS only where a browser on another site may call -----------------------------

# Regular expressions matched against the start of a request's path (sanic-cors `resources`).
CORS_PATHS = (r"/webhooks/.*", r"/socket\.io/.*", r"/socket\.io$", r"/webchat(/.*)?$")


def configure_cors(app: Any, cors_origins: Any = "") -> None:
    """`rasa.server.configure_cors` for `CORS_PATHS` only (Rasa: every path)."""
    app.config.CORS_AUTOMATIC_OPTIONS = True
    app.config.CORS_SUPPORTS_CREDENTIALS = True
    app.config.CORS_EXPOSE_HEADERS = "filename"
    origins = cors_origins or ""
    CORS(
        app,
        resources={path: {"origins": origins} for path in CORS_PATHS},
        automatic_options=True,
    )


# --- understanding: typed answers to buttons ---------------------------------------------------


async def parse_message(
    self: MessageProcessor,
    message: UserMessage,
    tracker: Any = None,
    only_output_properties: bool = True,
) -> Dict[Text, Any]:
    """Rasa's `parse_message`; a typed choice among the last message's buttons parses as it."""
    from bot.text.button_answer import choose, last_question_buttons

    original = ORIGINALS["MessageProcessor.parse_message"]
    if tracker is not None and message.text and not message.text.startswith("/"):
        try:
            recent = []  # the events since the user's last message (newest last)
            for event in reversed(tracker.events):
                recent.append(event.as_dict())
                if recent[-1].get("event") == "user":
                    break
            shown = last_question_buttons(recent[::-1])
            payload = choose(message.text, shown["buttons"], ordinals=not shown["results"])
        except Exception:  # never let this stop a message
            log.exception("Could not match a typed answer to the buttons")
            payload = None
        if payload:
            chosen = UserMessage(
                payload,
                message.output_channel,
                message.sender_id,
                input_channel=message.input_channel,
                message_id=message.message_id,
                metadata=message.metadata,
            )
            parse_data = await original(self, chosen, tracker, only_output_properties)
            parse_data["text"] = message.text
            parse_data["button_choice"] = payload
            return parse_data
    return await original(self, message, tracker, only_output_properties)


PATCHES: Dict[str, Any] = {
    "RemoteAction._validate_action_result": validate_action_result,
    "RemoteAction.run": run_remote_action,
    "FailSafeTrackerStore.on_tracker_store_error": on_tracker_store_error,
    "FailSafeTrackerStore.on_tracker_store_retrieve_error": on_tracker_store_retrieve_error,
    "Event.resolve_by_type": resolve_event_type,
    "DaskGraphRunner.run": run_graph,
    "EndpointConfig.session": kept_session,
    "rule_policy.copy": _NoCopyForDebugLog,
    "ActionSessionStart._slot_set_events_from_tracker": carried_over_slots,
    "server.configure_cors": configure_cors,
    "MessageProcessor.parse_message": parse_message,
}
_TARGETS = {
    "RemoteAction": RemoteAction,
    "FailSafeTrackerStore": FailSafeTrackerStore,
    "Event": Event,
    "DaskGraphRunner": DaskGraphRunner,
    "EndpointConfig": EndpointConfig,
    "rule_policy": rule_policy,
    "ActionSessionStart": ActionSessionStart,
    "server": rasa_server,
    "MessageProcessor": MessageProcessor,
}


def _set(key: str, function: Callable) -> None:
    owner, attribute = key.split(".")
    setattr(_TARGETS[owner], attribute, staticmethod(function) if key in STATIC else function)


def _contact_phone(settings: Settings) -> Optional[str]:
    try:
        from bot.content.loader import load_programme

        return load_programme(settings.programme_dir).contact.telefoon
    except Exception:  # the apology must work even when the data does not load
        log.exception("could not read the helpdesk phone number from %s", settings.programme_dir)
        return None


def install(settings: Optional[Settings] = None) -> None:
    """Install every patch (idempotent)."""
    settings = settings or Settings.from_env()
    _state["timeout"] = settings.action_timeout
    _state["telefoon"] = _contact_phone(settings)
    for key, function in PATCHES.items():
        _set(key, function)
    log.debug(
        "Rasa patches installed: %s (action timeout %.1f s)",
        ", ".join(PATCHES),
        settings.action_timeout,
    )


def uninstall() -> None:
    """Restore Rasa's originals (for tests)."""
    for key, function in ORIGINALS.items():
        _set(key, function)


__all__ = ["install", "uninstall", "validate_action_result", "ValidationError", "FALLBACK_MARKER"]
