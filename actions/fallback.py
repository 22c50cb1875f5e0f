"""Polite answers when the assistant can't help: unclear, out of scope, another language.

An unclear message gets the two-step recovery of `bot.text.clarify`: "Bedoel je ...?" with the
likeliest meanings, "Iets anders" asks to rephrase, and a second miss ends in the helpdesk offer.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import GuardedAction
from actions.data import contact_fields, programme
from actions.handoff import say_offer
from bot import names
from bot.handoff.contact import OFFER_AFTER_MISSES, is_second_miss
from bot.text import clarify
from bot.text.fallback import fallback_response

# Actions that can ask "Bedoel je ...?" (they set the recovery slot).
CLARIFYING_ACTIONS = (names.ACTION_FALLBACK, names.ACTION_PROGRAMME_ANSWER, names.ACTION_SEARCH)


def recovery_step(tracker: Tracker) -> str | None:
    """The recovery step of the bot's previous turn, if it was one."""
    return clarify.previous_step(
        tracker.events, tracker.get_slot(names.SLOT_RECOVERY), CLARIFYING_ACTIONS
    )


def topic_titles() -> Dict[str, str]:
    return {topic_id: topic.titel for topic_id, topic in programme().topics.items()}


def say(dispatcher: CollectingDispatcher, reply: clarify.Reply) -> None:
    if reply.response:
        dispatcher.utter_message(response=reply.response, **contact_fields())
    else:
        dispatcher.utter_message(text=reply.text, buttons=reply.button_dicts() or None)


logger = logging.getLogger(__name__)


class ActionFallback(GuardedAction):
    def name(self) -> Text:
        return names.ACTION_FALLBACK

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        message = tracker.latest_message
        intent = (message.get("intent") or {}).get("name")
        ranking = [
            i for i in message.get("intent_ranking") or [] if i.get("name") != names.NLU_FALLBACK
        ]
        runner_up = next((i.get("name") for i in ranking if i.get("name") != intent), None)
        if message.get(names.VAGUE_KEY):
            runner_up = None  # "infoo" is a vague Dutch word, not another language
        response = fallback_response(
            intent, message.get("text"), message.get(names.GUARD_KEY), runner_up
        )
        logger.debug(
            "fallback: intent=%s guard=%s runner_up=%s response=%s",
            intent,
            message.get(names.GUARD_KEY),
            runner_up,
            response,
        )
        if intent != names.DENY and response != names.UTTER_FALLBACK:
            if response == names.UTTER_OUT_OF_SCOPE and is_second_miss(tracker.events):
                # The second failed answer in a row: offer a person (asks consent first).
                return say_offer(dispatcher, OFFER_AFTER_MISSES, "live") + [
                    SlotSet(names.SLOT_RECOVERY, None)
                ]
            # Empty, emoji, markup, too long, another language, out of scope: a fixed answer.
            dispatcher.utter_message(response=response, **contact_fields())
            return [SlotSet(names.SLOT_RECOVERY, None)]
        selector = (message.get(names.RESPONSE_SELECTOR_KEY) or {}).get(names.FAQ) or {}
        choices = clarify.candidates(
            ranking, selector.get("ranking") or [], topic_titles(), message.get("entities") or []
        )
        short = len((message.get("text") or "").split()) <= 2
        if message.get(names.VAGUE_KEY) or (short and choices):
            # "inkoop", or one or two words the classifier half placed ("klus"): the main
            # routes to choose from besides its runners-up. Words it could not place at all
            # ("blabla") are asked again in other words.
            choices = clarify.padded(choices)
        reply = clarify.recover(intent, recovery_step(tracker), choices)
        if reply.step == clarify.OFFER:
            # The second misunderstanding in a row: offer a person (asks consent first).
            return say_offer(dispatcher, OFFER_AFTER_MISSES, "live") + [
                SlotSet(names.SLOT_RECOVERY, reply.step)
            ]
        say(dispatcher, reply)
        return [SlotSet(names.SLOT_RECOVERY, reply.step)]
