"""Custom actions run against rasa_sdk's Tracker and CollectingDispatcher."""
import asyncio
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.contact import ActionContact
from actions.fallback import ActionFallback
from actions.programme import ActionProgrammeAnswer

DOMAIN: Dict[str, Any] = {}


def tracker(text: str, intent: str, response_key: Optional[str] = None,
            confidence: float = 0.0, entities: Optional[List[dict]] = None,
            **extra: Any) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9},
              "entities": entities or [], **extra}
    if response_key:
        latest["response_selector"] = {"faq": {"response": {
            "intent_response_key": response_key, "confidence": confidence}}}
    return Tracker("tester", {}, latest, [], False, None, {}, "action_listen")


def run(action, trk: Tracker) -> List[dict]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, trk, DOMAIN))
    assert events == []
    return dispatcher.messages


def test_programme_answer_comes_from_the_data():
    [message] = run(ActionProgrammeAnswer(), tracker("Wat betekent LOL?", "faq", "faq/lol", 0.97))
    assert "Live Online Learning" in message["text"]
    assert "Bron: https://learningconnected.com" in message["text"]


def test_programme_answer_uses_named_topic_when_selector_unsure():
    entities = [{"entity": "onderwerp", "value": "pso", "start": 8, "end": 11}]
    [message] = run(ActionProgrammeAnswer(),
                    tracker("vertel  PSO", "faq", "faq/lol", 0.2, entities))
    assert message["text"].startswith("PSO staat voor Prestatieladder Socialer Ondernemen")


def test_programme_answer_without_topic_says_so():
    [message] = run(ActionProgrammeAnswer(), tracker("hmm", "faq"))
    assert message["response"] == "utter_topic_unknown"


@pytest.mark.parametrize("text, intent, extra, response", [
    ("", "nlu_fallback", {}, "utter_empty_message"),
    ("🙂🙂", "nlu_fallback", {}, "utter_emoji_only"),
    ("<script>alert(1)</script>", "nlu_fallback", {}, "utter_markup_message"),
    ("x" * 1000, "nlu_fallback", {"message_guard": "too_long"}, "utter_long_message"),
    ("Do you speak English?", "other_language", {}, "utter_other_language"),
    ("wanneer komt de vuilniswagen", "out_of_scope", {}, "utter_out_of_scope"),
    ("blabla", "nlu_fallback", {}, "utter_fallback"),
])
def test_fallback_picks_polite_answer_with_contact(text, intent, extra, response):
    [message] = run(ActionFallback(), tracker(text, intent, **extra))
    assert message["response"] == response
    assert message["telefoon"] == "14 023"
    assert message["website"] == "https://www.haarlem.nl"


def test_contact():
    [message] = run(ActionContact(), tracker("ik wil een mens", "request_human"))
    assert message["response"] == "utter_contact"
    assert message["telefoon_buitenland"] == "023 511 5115"
