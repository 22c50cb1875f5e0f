"""Answer programme questions (retrieval intent faq/*) from data/programme/."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import GuardedAction
from actions.data import programme
from bot import names
from bot.content.answers import format_topic
from bot.content.topics import choose_topic, is_unsure
from bot.text import clarify

UNSURE_LEAD = "Ik weet niet zeker over welk onderwerp je vraag gaat."


logger = logging.getLogger(__name__)


class ActionProgrammeAnswer(GuardedAction):
    def name(self) -> Text:
        return names.ACTION_PROGRAMME_ANSWER

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        message = tracker.latest_message
        selector = (message.get(names.RESPONSE_SELECTOR_KEY) or {}).get(names.FAQ) or {}
        response = selector.get("response") or {}
        mentioned = [
            e.get("value") for e in message.get("entities", []) if e.get("entity") == "onderwerp"
        ]
        data = programme()
        key = response.get("intent_response_key")
        confidence = float(response.get("confidence") or 0.0)
        titles = {topic_id: topic.titel for topic_id, topic in data.topics.items()}
        if is_unsure(data, key, confidence, mentioned):
            choices = clarify.topic_choices(selector.get("ranking") or [], titles)
            if len(choices) >= 2:
                reply = clarify.ask_meaning(choices, UNSURE_LEAD)
                dispatcher.utter_message(text=reply.text, buttons=reply.button_dicts())
                return [SlotSet(names.SLOT_RECOVERY, reply.step)]
        topic_id = choose_topic(data, key, confidence, mentioned)
        logger.debug(
            "topic: selector=%s confidence=%s mentioned=%s chosen=%s",
            key,
            confidence,
            mentioned,
            topic_id,
        )
        if topic_id is None:
            dispatcher.utter_message(response=names.UTTER_TOPIC_UNKNOWN)
        else:
            # A plausible runner-up topic is one click away, in case this answer was not it.
            related = clarify.related_topics(selector.get("ranking") or [], topic_id, titles)
            dispatcher.utter_message(
                text=format_topic(data.topic(topic_id)),
                buttons=[{"title": title, "payload": payload} for title, payload in related],
            )
        return [SlotSet(names.SLOT_RECOVERY, None)]
