"""Polite answers when the assistant can't help: unclear, out of scope, another language."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.data import contact_fields
from actions.handoff import say_offer
from bot import names
from bot.handoff.contact import OFFER_AFTER_MISSES, is_second_miss
from bot.text.fallback import fallback_response

logger = logging.getLogger(__name__)


class ActionFallback(Action):
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
        failed = response in (names.UTTER_FALLBACK, names.UTTER_OUT_OF_SCOPE)
        if failed and is_second_miss(tracker.events):
            # The second failed answer in a row: offer a person (asks consent).
            return say_offer(dispatcher, OFFER_AFTER_MISSES, "live")
        dispatcher.utter_message(response=response, **contact_fields())
        return []
