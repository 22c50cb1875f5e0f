"""Polite answers when the assistant can't help: unclear, out of scope, another language."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import GuardedAction
from actions.data import contact_fields
from bot.text.fallback import fallback_response
from bot import names


logger = logging.getLogger(__name__)


class ActionFallback(GuardedAction):
    def name(self) -> Text:
        return names.ACTION_FALLBACK

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = tracker.latest_message.get("text")
        guard = tracker.latest_message.get(names.GUARD_KEY)
        ranking = [i.get("name") for i in tracker.latest_message.get("intent_ranking") or []]
        runner_up = next((name for name in ranking if name != intent), None)
        response = fallback_response(intent, text, guard, runner_up)
        logger.debug("fallback: intent=%s guard=%s runner_up=%s response=%s",
                     intent, guard, runner_up, response)
        dispatcher.utter_message(response=response, **contact_fields())
        return []
