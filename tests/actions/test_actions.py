"""Custom actions run against rasa_sdk's Tracker and CollectingDispatcher."""

import asyncio
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.contact import ActionContact
from actions.fallback import ActionFallback
from actions.programme import ActionProgrammeAnswer
from bot.handoff.contact import OFFER_AFTER_MISSES

DOMAIN: Dict[str, Any] = {}


def tracker(
    text: str,
    intent: str,
    response_key: Optional[str] = None,
    confidence: float = 0.0,
    entities: Optional[List[dict]] = None,
    slots: Optional[Dict[str, Any]] = None,
    events: Optional[List[dict]] = None,
    ranking: Optional[List[dict]] = None,
    **extra: Any,
) -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
        **extra,
    }
    if response_key:
        latest["response_selector"] = {
            "faq": {
                "response": {"intent_response_key": response_key, "confidence": confidence},
                "ranking": ranking or [],
            }
        }
    return Tracker("tester", slots or {}, latest, events or [], False, None, {}, "action_listen")


def run(action, trk: Tracker) -> List[dict]:
    return run_with_events(action, trk)[0]


def run_with_events(action, trk: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, trk, DOMAIN))
    assert all(e["event"] == "slot" for e in events)
    return dispatcher.messages, events


def test_programme_answer_comes_from_the_data():
    [message] = run(ActionProgrammeAnswer(), tracker("Wat betekent LOL?", "faq", "faq/lol", 0.97))
    assert "Live Online Learning" in message["text"]
    assert "Bron: https://learningconnected.com" in message["text"]


def test_programme_answer_uses_named_topic_when_selector_unsure():
    entities = [{"entity": "onderwerp", "value": "pso", "start": 8, "end": 11}]
    [message] = run(
        ActionProgrammeAnswer(), tracker("vertel  PSO", "faq", "faq/lol", 0.2, entities)
    )
    assert message["text"].startswith("PSO staat voor Prestatieladder Socialer Ondernemen")


def test_programme_answer_without_topic_says_so():
    [message] = run(ActionProgrammeAnswer(), tracker("hmm", "faq"))
    assert message["response"] == "utter_topic_unknown"


@pytest.mark.parametrize(
    "text, intent, extra, response",
    [
        ("", "nlu_fallback", {}, "utter_empty_message"),
        ("🙂🙂", "nlu_fallback", {}, "utter_emoji_only"),
        ("<script>alert(1)</script>", "nlu_fallback", {}, "utter_markup_message"),
        ("x" * 1000, "nlu_fallback", {"message_guard": "too_long"}, "utter_long_message"),
        ("Do you speak English?", "other_language", {}, "utter_other_language"),
        ("wanneer komt de vuilniswagen", "out_of_scope", {}, "utter_out_of_scope"),
    ],
)
def test_fallback_picks_polite_answer_with_contact(text, intent, extra, response):
    [message] = run(ActionFallback(), tracker(text, intent, **extra))
    assert message["response"] == response
    assert message["telefoon"] == "14 023"
    assert message["website"] == "https://www.haarlem.nl"


def test_contact():
    [message] = run(ActionContact(), tracker("ik wil een mens", "request_human"))
    assert message["response"] == "utter_contact"
    assert message["telefoon_buitenland"] == "023 511 5115"


def after(action_name: str) -> List[dict]:
    """Tracker events of a turn that ended with ``action_name``, then a new user message."""
    return [
        {"event": "user", "text": "x"},
        {"event": "action", "name": action_name},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "y"},
    ]


def test_unclear_message_offers_likeliest_meanings():
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "search_opportunities", "confidence": 0.28},
        {"name": "join_platform", "confidence": 0.25},
        {"name": "greet", "confidence": 0.1},
    ]
    trk = tracker("ik wil leverancier worden", "nlu_fallback", intent_ranking=ranking)
    [message], events = run_with_events(ActionFallback(), trk)
    assert message["text"].endswith("Bedoel je een van deze?")
    assert [b["payload"] for b in message["buttons"]] == [
        "/search_opportunities",
        "/join_platform",
        "/deny",
    ]
    assert events[0]["value"] == "verduidelijken"


def test_something_else_asks_to_rephrase_and_second_miss_offers_helpdesk():
    slots = {"herstelstap": "verduidelijken"}
    [message] = run(
        ActionFallback(),
        tracker("Iets anders", "deny", slots=slots, events=after("action_fallback")),
    )
    assert "andere woorden" in message["text"]
    [message] = run(
        ActionFallback(),
        tracker(
            "gnorf",
            "nlu_fallback",
            slots={"herstelstap": "anders_zeggen"},
            events=after("action_fallback"),
        ),
    )
    # The second miss: the helpdesk handoff, which first asks consent (bot.handoff).
    assert message["text"].startswith(OFFER_AFTER_MISSES)
    assert [b["payload"] for b in message["buttons"]] == ["/affirm", "/deny"]


def test_unclear_message_without_candidates_asks_to_rephrase():
    [message] = run(ActionFallback(), tracker("blabla", "nlu_fallback"))
    assert "andere woorden" in message["text"]


def test_topic_question_selector_unsure_offers_topics():
    ranking = [
        {"intent_response_key": "faq/pso", "confidence": 0.35},
        {"intent_response_key": "faq/social_return", "confidence": 0.3},
        {"intent_response_key": "faq/lol", "confidence": 0.02},
    ]
    [message], events = run_with_events(
        ActionProgrammeAnswer(), tracker("dat certificaat", "faq", "faq/pso", 0.35, ranking=ranking)
    )
    assert message["text"].startswith("Ik weet niet zeker over welk onderwerp")
    assert [b["payload"] for b in message["buttons"]] == [
        '/faq{"onderwerp": "pso"}',
        '/faq{"onderwerp": "social_return"}',
        "/deny",
    ]
    assert events[0]["value"] == "verduidelijken"


def test_topic_choice_button_answers_right_away():
    entities = [{"entity": "onderwerp", "value": "social_return"}]
    [message] = run(
        ActionProgrammeAnswer(),
        tracker('/faq{"onderwerp": "social_return"}', "faq", entities=entities),
    )
    assert message["text"].startswith("Social return (SROI) is een voorwaarde")
