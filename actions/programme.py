"""Answer programme questions (retrieval intent faq/*) from data/programme/."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.data import programme
from bot.content.answers import format_topic
from bot.content.topics import choose_topic
from bot import names


logger = logging.getLogger(__name__)


class ActionProgrammeAnswer(Action):
    def name(self) -> Text:
        return names.ACTION_PROGRAMME_ANSWER

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        selector = (tracker.latest_message.get(names.RESPONSE_SELECTOR_KEY) or {}).get(names.FAQ) or {}
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
        logger.debug("topic: selector=%s confidence=%s mentioned=%s chosen=%s",
                     response.get("intent_response_key"), response.get("confidence"),
                     mentioned, topic_id)
        if topic_id is None:
            dispatcher.utter_message(response=names.UTTER_TOPIC_UNKNOWN)
        else:
            dispatcher.utter_message(text=format_topic(data.topic(topic_id)))
        return []
