"""Answer programme questions (retrieval intent faq/*) from data/programme/."""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import GuardedAction, ran_this_turn
from actions.data import programme
from bot import names
from bot.content.answers import format_topic
from bot.content.topics import (
    choose_topic,
    follow_up_topic,
    is_follow_up,
    is_unsure,
    runner_up_confidence,
)
from bot.text import clarify

UNSURE_LEAD = "Ik weet niet zeker over welk onderwerp je vraag gaat."
SEARCH_ENTITIES = ("categorie", "soort", "periode", "locatie", "impact")
# "En wie geeft die trainingen?" asks about the answer; "en catering?" refines a search.
QUESTION_WORDS = re.compile(
    r"\b(?:wie|wat|hoe|waarom|wanneer|welke?|waar|geldt|kan|kun|mag|is|zijn|heeft|hebben|"
    r"doet|doen|geeft|geven|krijg|betekent)\b",
    re.IGNORECASE,
)


logger = logging.getLogger(__name__)


class ActionProgrammeAnswer(GuardedAction):
    def name(self) -> Text:
        return names.ACTION_PROGRAMME_ANSWER

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        message = tracker.latest_message
        intent = (message.get("intent") or {}).get("name")
        entities = message.get("entities") or []
        text = message.get("text") or ""
        if intent == names.NLU_FALLBACK and not (
            is_follow_up(text)
            and tracker.get_slot(names.SLOT_LAST_TOPIC)
            and not message.get(names.GUARD_KEY)
            and not message.get(names.VAGUE_KEY)
        ):
            # Not understood, and not a short question about the answer just given.
            return [FollowupAction(names.ACTION_FALLBACK)]
        if (
            intent != names.FAQ
            and any(e.get("entity") in SEARCH_ENTITIES for e in entities)
            and not QUESTION_WORDS.search(text)
            and not ran_this_turn(tracker, names.ACTION_SEARCH)
        ):
            # A search answer after a programme answer ("en catering?"): the search handles it.
            return [FollowupAction(names.ACTION_SEARCH)]
        selector = (message.get(names.RESPONSE_SELECTOR_KEY) or {}).get(names.FAQ) or {}
        response = selector.get("response") or {}
        mentioned = [
            e.get("value") for e in message.get("entities", []) if e.get("entity") == "onderwerp"
        ]
        data = programme()
        key = response.get("intent_response_key")
        confidence = float(response.get("confidence") or 0.0)
        titles = {topic_id: topic.titel for topic_id, topic in data.topics.items()}
        topic_id = None
        if intent != names.FAQ or is_follow_up(message.get("text")):
            previous = tracker.get_slot(names.SLOT_LAST_TOPIC)
            topic_id = follow_up_topic(data, previous, key, confidence, mentioned)
        runner_up = runner_up_confidence(selector.get("ranking") or [], key)
        if topic_id is None and is_unsure(data, key, confidence, mentioned, runner_up=runner_up):
            choices = clarify.topic_choices(selector.get("ranking") or [], titles)
            if len(choices) >= 2:
                reply = clarify.ask_meaning(choices, UNSURE_LEAD)
                dispatcher.utter_message(text=reply.text, buttons=reply.button_dicts())
                return [SlotSet(names.SLOT_RECOVERY, reply.step)]
        topic_id = topic_id or choose_topic(data, key, confidence, mentioned)
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
        return [SlotSet(names.SLOT_RECOVERY, None), SlotSet(names.SLOT_LAST_TOPIC, topic_id)]
