"""Bounded Rasa sessions: a conversation starts a new session after SESSION_MAX_TURNS messages.

Rasa 3.6 recomputes the dialogue states of the whole current session for every policy, for every
action it predicts (`Domain.states_for_tracker_history` replays each event), so the cost of a
turn grows with the length of the conversation (on stock's bot: about 10 ms on a new conversation,
over 300 ms after 240 turns). Rasa forgets everything before the latest `SessionStarted`: the
policies only see the current session, and the SQL tracker store only loads it.

Here a session also "expires" when it already holds `max_turns` user messages, next to Rasa's own
expiry after `session_expiration_time`. Rasa then runs `action_session_start` as usual: the slots
are carried over (`carry_over_slots_to_new_session: true` in domain.yml), so the search context
("meer", "de tweede") survives; only the policies' view of the turns before it is reset. No rule
here uses `conversation_start`. Rules that start with an action (e.g. "yes after the contact
offer": action_fallback, then affirm) need the turn before, so a full session does not end right
after such an action (it ends at the next turn that did not end in one). The full history stays
in the tracker store.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable, FrozenSet, Iterable, Optional

import yaml
from rasa.core.processor import MessageProcessor
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, Restarted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import PROJECT_ROOT

log = logging.getLogger(__name__)

ORIGINAL: Callable[[MessageProcessor, DialogueStateTracker], bool] = (
    MessageProcessor._has_session_expired
)
_max_turns: Optional[int] = None
# Actions that rules look back to: a session does not end right after one of them.
_context_actions: FrozenSet[str] = frozenset()


def rule_context_actions(rule_files: Iterable[Path]) -> FrozenSet[str]:
    """Actions that come before the first user message of a rule (the rule looks back to them)."""
    found = set()
    for path in rule_files:
        for rule in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules") or []:
            for step in rule.get("steps") or []:
                if "action" not in step:
                    break
                found.add(step["action"])
    return frozenset(found)


def turns_in_session(tracker: DialogueStateTracker, stop_at: Optional[int] = None) -> int:
    """User messages since the latest session start or restart (counting stops at `stop_at`)."""
    turns = 0
    for event in reversed(tracker.events):
        if isinstance(event, (SessionStarted, Restarted)):
            break
        if isinstance(event, UserUttered):
            turns += 1
            if stop_at is not None and turns >= stop_at:
                break
    return turns


def last_action(tracker: DialogueStateTracker) -> Optional[str]:
    """The latest action other than action_listen."""
    for event in reversed(tracker.events):
        if isinstance(event, ActionExecuted) and event.action_name != ACTION_LISTEN_NAME:
            return event.action_name
    return None


def has_session_expired(self: MessageProcessor, tracker: DialogueStateTracker) -> bool:
    """Rasa's expiry by time, or the session holds `max_turns` user messages already."""
    if ORIGINAL(self, tracker):
        return True
    if not _max_turns or not self.domain.session_config.are_sessions_enabled():
        return False
    if (
        turns_in_session(tracker, stop_at=_max_turns) >= _max_turns
        and last_action(tracker) not in _context_actions
    ):
        log.debug(
            "Session of %s is full (%d turns): a new session starts.", tracker.sender_id, _max_turns
        )
        return True
    return False


def install(max_turns: int, rules_dir: Path = PROJECT_ROOT / "data" / "rules") -> None:
    """Start a new session after `max_turns` user messages (0: only Rasa's own expiry)."""
    global _max_turns, _context_actions
    _max_turns = max_turns if max_turns > 0 else None
    _context_actions = rule_context_actions(sorted(rules_dir.rglob("*.yml")))
    MessageProcessor._has_session_expired = has_session_expired


def uninstall() -> None:
    global _max_turns
    _max_turns = None
    MessageProcessor._has_session_expired = ORIGINAL
