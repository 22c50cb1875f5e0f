"""A base class for every custom action: a failure is logged and told to the user, never silent.

A subclass of `GuardedAction` writes `run` as usual; `run` is wrapped (at class creation) so that
an exception is logged with its traceback and the user reads a Dutch apology with the way to the
helpdesk instead of the action server's HTTP 500 (which Rasa would turn into silence).
"""

from __future__ import annotations

import functools
import logging
from abc import ABCMeta, abstractmethod
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import ActionExecutionRejection

from bot.text import faults

log = logging.getLogger(__name__)

Run = Callable[
    [Any, CollectingDispatcher, Tracker, Dict[Text, Any]], Awaitable[List[Dict[Text, Any]]]
]


def _telefoon() -> Optional[str]:
    try:
        from actions.data import contact_fields

        return contact_fields()["telefoon"]
    except Exception:  # the apology must not fail when the programme data is what broke
        log.exception("could not read the helpdesk phone number")
        return None


def apologise(dispatcher: CollectingDispatcher) -> None:
    """Replace what the failed action said by the apology with the helpdesk offer."""
    dispatcher.messages.clear()
    dispatcher.utter_message(
        text=faults.action_failed(_telefoon()), buttons=faults.helpdesk_buttons()
    )


def guarded(run: Run) -> Run:
    """Wrap an action's `run`: exceptions are logged with traceback and answered politely."""

    @functools.wraps(run)
    async def wrapper(
        self: Action, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        try:
            return await run(self, dispatcher, tracker, domain)
        except ActionExecutionRejection:
            raise  # a deliberate rejection, handled by Rasa's policies
        except Exception:
            log.exception(
                "custom action %s failed; the user got the apology with the helpdesk offer",
                self.name(),
            )
            apologise(dispatcher)
            return []

    wrapper.__guarded__ = True  # type: ignore[attr-defined]
    return wrapper


class GuardedAction(Action, metaclass=ABCMeta):
    """Base class of the project's actions: `run` of every subclass is `guarded`.

    Abstract, so that rasa_sdk does not register the base class itself as an action.
    """

    @abstractmethod
    def name(self) -> Text:
        """The action's name in the domain."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        run = cls.__dict__.get("run")
        if run is not None and not getattr(run, "__guarded__", False):
            cls.run = guarded(run)


def ran_this_turn(tracker: Tracker, action_name: str) -> bool:
    """Whether `action_name` already ran since the user's latest message (a FollowupAction
    chain): two actions that hand a message to each other never do it twice."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") == action_name:
            return True
    return False
