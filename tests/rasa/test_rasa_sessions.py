"""Sessions of at most SESSION_MAX_TURNS user messages (bot/rasa_sessions.py), on Rasa's classes."""

import time
from types import SimpleNamespace

import pytest
from rasa.core.processor import MessageProcessor
from rasa.shared.core.domain import SessionConfig
from rasa.shared.core.events import ActionExecuted, Restarted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import rasa_sessions


def tracker(*sessions: int, user_time: float = None) -> DialogueStateTracker:
    """A tracker with one session per number: that many user messages in it."""
    stamp = user_time or time.time()
    events = []
    for turns in sessions:
        events += [
            ActionExecuted("action_session_start"),
            SessionStarted(),
            SlotSet("zoekopdracht", {"kind": "aanbod"}),
            ActionExecuted("action_listen"),
        ]
        for i in range(turns):
            events += [
                UserUttered(f"bericht {i}", {"name": "greet"}, timestamp=stamp),
                ActionExecuted("utter_greet"),
                ActionExecuted("action_listen"),
            ]
    return DialogueStateTracker.from_events("gebruiker", events)


def processor(expiry_minutes: float = 60) -> SimpleNamespace:
    """What `_has_session_expired` reads from a MessageProcessor: the domain's session config."""
    return SimpleNamespace(
        domain=SimpleNamespace(session_config=SessionConfig(expiry_minutes, True))
    )


RULES = """
version: "3.1"
rules:
  - rule: greet
    steps:
      - intent: greet
      - action: utter_greet
  - rule: yes after the contact offer
    steps:
      - action: action_fallback
      - intent: affirm
      - action: action_contact
"""


@pytest.fixture
def rules_dir(tmp_path):
    (tmp_path / "rules.yml").write_text(RULES)
    return tmp_path


@pytest.fixture
def max_turns(rules_dir):
    """Install with a limit of 3 user messages; restore Rasa's own method afterwards."""
    rasa_sessions.install(3, rules_dir)
    yield 3
    rasa_sessions.uninstall()


def test_installed_on_the_processor(max_turns):
    assert MessageProcessor._has_session_expired is rasa_sessions.has_session_expired
    rasa_sessions.uninstall()
    assert MessageProcessor._has_session_expired is rasa_sessions.ORIGINAL


def test_a_full_session_expires(max_turns):
    assert not MessageProcessor._has_session_expired(processor(), tracker(2))
    assert MessageProcessor._has_session_expired(processor(), tracker(3))
    assert MessageProcessor._has_session_expired(processor(), tracker(40))


def test_only_the_current_session_counts(max_turns):
    assert not MessageProcessor._has_session_expired(processor(), tracker(40, 1))
    assert MessageProcessor._has_session_expired(processor(), tracker(1, 3))


def test_a_restart_begins_a_new_count(max_turns):
    events = list(tracker(5).events) + [
        Restarted(),
        ActionExecuted("action_listen"),
        UserUttered("hoi", {"name": "greet"}),
    ]
    assert not MessageProcessor._has_session_expired(
        processor(), DialogueStateTracker.from_events("gebruiker", events)
    )


def test_expiry_by_time_still_applies(max_turns):
    old = tracker(1, user_time=time.time() - 2 * 3600)
    assert MessageProcessor._has_session_expired(processor(expiry_minutes=60), old)


def test_sessions_disabled_never_expire(max_turns):
    assert not MessageProcessor._has_session_expired(processor(expiry_minutes=0), tracker(10))


def test_zero_means_time_only(rules_dir):
    rasa_sessions.install(0, rules_dir)
    try:
        assert not MessageProcessor._has_session_expired(processor(), tracker(500))
    finally:
        rasa_sessions.uninstall()


def test_turns_in_session_counts_user_messages_of_the_latest_session():
    assert rasa_sessions.turns_in_session(tracker(7, 4)) == 4
    assert rasa_sessions.turns_in_session(tracker(7, 4), stop_at=2) == 2
    assert rasa_sessions.turns_in_session(DialogueStateTracker("leeg", [])) == 0


def test_rules_that_start_with_an_action_name_it(rules_dir):
    assert rasa_sessions.rule_context_actions([rules_dir / "rules.yml"]) == {"action_fallback"}


def test_a_full_session_does_not_end_right_after_an_action_a_rule_looks_back_to(max_turns):
    """The yes/no rules after the fallback's contact offer need the turn before."""
    events = list(tracker(3).events) + [
        UserUttered("blabla", {"name": "nlu_fallback"}),
        ActionExecuted("action_fallback"),
        ActionExecuted("action_listen"),
    ]
    after_fallback = DialogueStateTracker.from_events("gebruiker", events)
    assert not MessageProcessor._has_session_expired(processor(), after_fallback)
    events += [
        UserUttered("ja", {"name": "affirm"}),
        ActionExecuted("action_contact"),
        ActionExecuted("action_listen"),
    ]
    assert MessageProcessor._has_session_expired(
        processor(), DialogueStateTracker.from_events("gebruiker", events)
    )
