"""Answer programme questions (retrieval intent faq/*) from data/programme/."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import GuardedAction
from actions.data import programme
from bot.content.answers import format_topic
from bot.content.topics import choose_topic


class ActionProgrammeAnswer(GuardedAction):
    def name(self) -> Text:
        return "action_programme_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        selector = (tracker.latest_message.get("response_selector") or {}).get("faq") or {}
        response = selector.get("response") or {}
        mentioned = [e.get("value") for e in tracker.latest_message.get("entities", [])
                     if e.get("entity") == "onderwerp"]
        data = programme()
        topic_id = choose_topic(
            data,
            response.get("intent_response_key"),
            float(response.get("confidence") or 0.0),
            mentioned,
        )
        if topic_id is None:
            dispatcher.utter_message(response="utter_topic_unknown")
        else:
            dispatcher.utter_message(text=format_topic(data.topic(topic_id)))
        return []
