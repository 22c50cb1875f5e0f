"""Rasa NLU components that keep odd messages from getting a confident wrong answer.

`MessageGuard` goes first in the pipeline: it marks messages without letters or digits
(empty, emoji only, only markup) and very long ones. The NLU reads the text without HTML
tags and script blocks, without a greeting in front of a question ("Hoi! Wat is LOL?" is
classified as "Wat is LOL?"), and only the first `max_chars` of a long message (cut before any
check), so a turn stays fast. The tracker keeps the full text (Rasa builds `UserUttered` from
the original message). `GuardFallback` goes last: it turns a marked message into `nlu_fallback`,
so `action_fallback` answers it politely; a request for a person in any words becomes
`request_contact` / `request_human` (bot/text/person.py); a question about another municipality's programme
or a job at the municipality becomes `out_of_scope` (bot/text/scope.py); a message without one
word known from the training data becomes `nlu_fallback`; and a vague one ("inkoop", "ik wil meedoen";
bot/text/vague.py) too, so it is answered with the likeliest meanings as choices.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import names
from bot.nlp.fallback_rescue import rescue
from bot.text.greeting import strip_greeting
from bot.text.guard import (
    NLU_MAX_CHARS,
    contains_markup,
    foreign_language,
    has_letters_or_digits,
    strip_markup,
)
from bot.text.person import person_request
from bot.text.scope import out_of_scope_reason
from bot.text.vague import is_vague

GUARD_KEY = names.GUARD_KEY
FALLBACK_INTENT = names.NLU_FALLBACK
VAGUE_KEY = names.VAGUE_KEY
SCOPE_KEY = "scope"
LANGUAGE_KEY = "language"
# A message of this many words that the language detector is sure is not Dutch is read as
# `other_language` whatever the classifier made of it (bot/text/guard.py foreign_language).
FOREIGN_MIN_WORDS = 4
UNKNOWN_WORDS_KEY = "unknown_words"  # set by bot.nlp.linear.LinearIntentClassifier
# Intents a scope or unknown-word check never overrides: what the user wants is clear.
KEEP_INTENTS = frozenset(
    [
        names.OTHER_LANGUAGE,
        names.REQUEST_HUMAN,
        names.REQUEST_CONTACT,
        names.FRUSTRATION,
        names.GREET,
        names.GOODBYE,
        names.THANK,
        names.AFFIRM,
        names.DENY,
    ]
)


def text_for_nlu(text: str, max_chars: int) -> str:
    """What the NLU reads of a message: the first `max_chars`, without markup, and without a
    greeting in front of a question (bot/text/greeting.py)."""
    text = text[:max_chars]
    if contains_markup(text):
        text = " ".join(strip_markup(text).split())
    return strip_greeting(text)


def guard_reason(text: Optional[str], max_chars: int) -> Optional[str]:
    """Why a message can't be classified by intent, or None when it can.

    Only the first `max_chars` characters are checked (cut first: every check is linear
    and reads a bounded text).
    """
    text = text or ""
    head = text[:max_chars]
    if contains_markup(head) and not has_letters_or_digits(strip_markup(head)):
        return "markup"
    if not has_letters_or_digits(head):
        return "no_words"
    if len(text) > max_chars:
        return "too_long"
    return None


class _Stateless(GraphComponent):
    def __init__(self, config: Dict[Text, Any]) -> None:
        self.config = config

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class MessageGuard(_Stateless):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"max_chars": NLU_MAX_CHARS}

    def process(self, messages: List[Message]) -> List[Message]:
        limit = int(self.config["max_chars"])
        for message in messages:
            text = message.get(TEXT) or ""
            reason = guard_reason(text, limit)
            if reason:
                message.set(GUARD_KEY, reason, add_to_output=True)
            readable = text_for_nlu(text, limit)
            if readable != text:
                message.set(TEXT, readable)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class GuardFallback(_Stateless):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get("name")
            if not message.get(GUARD_KEY) and intent not in (
                names.OTHER_LANGUAGE,
                names.OUT_OF_SCOPE,
            ):
                language = foreign_language(message.get(TEXT) or "", FOREIGN_MIN_WORDS)
                if language:
                    message.set(LANGUAGE_KEY, language, add_to_output=True)
                    message.set(
                        INTENT,
                        {"name": names.OTHER_LANGUAGE, "confidence": 1.0},
                        add_to_output=True,
                    )
                    continue
            if not message.get(GUARD_KEY) and intent not in KEEP_INTENTS:
                wanted = person_request(message.get(TEXT))
                if wanted:
                    message.set(INTENT, {"name": wanted, "confidence": 1.0}, add_to_output=True)
                    continue
                reason = out_of_scope_reason(message.get(TEXT))
                if reason:
                    message.set(SCOPE_KEY, reason, add_to_output=True)
                    message.set(
                        INTENT, {"name": names.OUT_OF_SCOPE, "confidence": 1.0}, add_to_output=True
                    )
                    continue
            if not message.get(GUARD_KEY) and is_vague(
                message.get(TEXT), intent, message.get("entities") or []
            ):
                # Keep the ranking: the clarifying question offers its likeliest meanings.
                message.set(VAGUE_KEY, True, add_to_output=True)
                message.set(
                    INTENT, {"name": FALLBACK_INTENT, "confidence": 1.0}, add_to_output=True
                )
                continue
            if (
                not message.get(GUARD_KEY)
                and intent not in KEEP_INTENTS
                and message.get(UNKNOWN_WORDS_KEY)
                and intent != names.OTHER_LANGUAGE
            ):
                message.set(
                    INTENT, {"name": FALLBACK_INTENT, "confidence": 1.0}, add_to_output=True
                )
                continue
            rescued = (
                None
                if message.get(GUARD_KEY)
                else rescue(
                    intent,
                    message.get(TEXT) or "",
                    message.get("entities") or [],
                    message.get(INTENT_RANKING_KEY) or [],
                    message.get(names.RESPONSE_SELECTOR_KEY),
                )
            )
            if rescued:
                name, confidence = rescued
                message.set(INTENT, {"name": name, "confidence": confidence}, add_to_output=True)
                continue
            if message.get(GUARD_KEY):
                message.set(
                    INTENT, {"name": FALLBACK_INTENT, "confidence": 1.0}, add_to_output=True
                )
                ranking = message.get(INTENT_RANKING_KEY) or []
                message.set(
                    INTENT_RANKING_KEY,
                    [{"name": FALLBACK_INTENT, "confidence": 1.0}] + ranking,
                    add_to_output=True,
                )
        return messages
