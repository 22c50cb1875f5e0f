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
here uses `conversation_start`; the only rules that look at the turn before are the yes/no answers
to the fallback's contact offer, so a full session does not end right after the fallback (it ends
one turn later). The full history stays in the tracker store.
"""
from __future__ import annotations

import logging
from typing import Callable, Optional

from rasa.core.processor import MessageProcessor
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, Restarted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import names

log = logging.getLogger(__name__)

ORIGINAL: Callable[[MessageProcessor, DialogueStateTracker], bool] = (
    MessageProcessor._has_session_expired
)
_max_turns: Optional[int] = None
# Rules answer the next message in the light of these actions: a session does not end after them.
KEEP_CONTEXT_AFTER = frozenset({names.ACTION_FALLBACK})


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
    if (turns_in_session(tracker, stop_at=_max_turns) >= _max_turns
            and last_action(tracker) not in KEEP_CONTEXT_AFTER):
        log.debug("Session of %s is full (%d turns): a new session starts.",
                  tracker.sender_id, _max_turns)
        return True
    return False


def install(max_turns: int) -> None:
    """Start a new session after `max_turns` user messages (0: only Rasa's own expiry)."""
    global _max_turns
    _max_turns = max_turns if max_turns > 0 else None
    MessageProcessor._has_session_expired = has_session_expired  # type: ignore[assignment]


def uninstall() -> None:
    global _max_turns
    _max_turns = None
    MessageProcessor._has_session_expired = ORIGINAL  # type: ignore[assignment]
