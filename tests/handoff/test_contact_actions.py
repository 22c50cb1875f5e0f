"""The handoff actions against rasa_sdk's Tracker: consent, live or contact form, validation,
submit into the outbox (no Rasa server)."""

import asyncio
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.contact import ActionContact
from actions.data import contact_fields
from actions.handoff import (
    ActionAskContactQuestion,
    ActionHandoffOffer,
    ActionHandoffStart,
    ActionHandoffSubmit,
    ValidateContactForm,
)
from bot import names
from bot.handoff.live import LiveDesk
from bot.handoff.outbox import Outbox
from bot.handoff.store import database_path
from bot.settings import Settings

QUESTION = "Hoe vraag ik een terrasvergunning aan voor mijn onderneming?"


def user(text: str, intent: str) -> Dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent}},
        "timestamp": 1764340000,
    }


def tracker(
    text: str,
    intent: str,
    slots: Optional[Dict[str, Any]] = None,
    events: Optional[List[dict]] = None,
) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    history = (events or []) + [user(text, intent)]
    return Tracker(
        "conv-42", slots or {}, latest, history, False, None, {"name": None}, "action_listen"
    )


def run(action, trk: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, trk, {}))
    return dispatcher.messages, events


def slot_events(events) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    for name in ("SMTP_HOST", "HELPDESK_EMAIL", "KLANTINTERACTIES_URL", "HANDOFF_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OFFICE_HOLIDAYS", "")
    return tmp_path


def test_offer_says_what_is_shared_and_asks_consent():
    [message], events = run(
        ActionHandoffOffer(), tracker("Ik wil een medewerker spreken", names.REQUEST_HUMAN)
    )
    assert "dit gesprek" in message["text"] and "Is dat goed?" in message["text"]
    assert [b["payload"] for b in message["buttons"]] == ["/affirm", "/deny"]
    assert slot_events(events) == {
        names.SLOT_HANDOFF_OFFER: "consent",
        names.SLOT_HANDOFF_MODE: "live",
    }
    [message], events = run(
        ActionHandoffOffer(), tracker("Kan iemand mij terugbellen?", names.REQUEST_HUMAN)
    )
    assert "contactverzoek" in message["text"]
    assert slot_events(events)[names.SLOT_HANDOFF_MODE] == "contact"
    [message], _ = run(ActionHandoffOffer(), tracker("je snapt er niks van", names.FRUSTRATION))
    assert message["text"].startswith("Sorry")


def test_closed_helpdesk_starts_the_contact_form_with_the_question_prefilled(env, monkeypatch):
    monkeypatch.setenv("OFFICE_HOURS", "mon-sun 00:00-00:01")
    LiveDesk(Settings.from_env()).seen("anna")  # on duty, but the office is closed
    history = [
        user(QUESTION, "nlu_fallback"),
        {"event": "bot", "text": "Sorry"},
        user("Ik wil een medewerker spreken", "request_human"),
    ]
    messages, events = run(ActionHandoffStart(), tracker("ja", "affirm", events=history))
    assert "geen medewerker live" in messages[0]["text"]
    assert events[-1] == {"event": "followup", "name": names.FORM_CONTACT, "timestamp": None}
    assert slot_events(events)[names.SLOT_CONTACT_QUESTION_DRAFT] == QUESTION


def test_open_helpdesk_with_an_employee_queues_and_pauses(env, monkeypatch):
    monkeypatch.setenv("OFFICE_HOURS", "mon-sun 00:00-24:00")
    LiveDesk(Settings.from_env()).seen("anna")
    messages, events = run(
        ActionHandoffStart(),
        tracker(
            "ja",
            "affirm",
            slots={names.SLOT_HANDOFF_MODE: "live"},
            events=[user(QUESTION, "nlu_fallback")],
        ),
    )
    assert "nummer 1 in de rij" in messages[0]["text"]
    assert events[-1]["event"] == "pause"
    [waiting] = LiveDesk(Settings.from_env()).handoffs()
    assert waiting.conversation_id == "conv-42"


def test_a_callback_wish_skips_the_live_desk(env, monkeypatch):
    monkeypatch.setenv("OFFICE_HOURS", "mon-sun 00:00-24:00")
    LiveDesk(Settings.from_env()).seen("anna")
    messages, events = run(
        ActionHandoffStart(), tracker("ja", "affirm", slots={names.SLOT_HANDOFF_MODE: "contact"})
    )
    assert events[-1]["name"] == names.FORM_CONTACT
    assert LiveDesk(Settings.from_env()).handoffs() == []


def test_yes_to_the_first_fallback_gives_the_phone_number_but_after_consent_hands_off(env):
    messages, _ = run(ActionContact(), tracker("ja", "affirm"))
    assert messages[0]["response"] == names.UTTER_CONTACT
    offer = [
        user("blabla", "nlu_fallback"),
        {"event": "slot", "name": names.SLOT_HANDOFF_OFFER, "value": "consent"},
    ]
    messages, events = run(ActionContact(), tracker("ja", "affirm", events=offer))
    assert events[-1]["name"] == names.FORM_CONTACT


def validate(slot: str, value: str, slots: Optional[Dict[str, Any]] = None, intent="inform"):
    dispatcher = CollectingDispatcher()
    method = getattr(ValidateContactForm(), f"validate_{slot}")
    result = method(value, dispatcher, tracker(value, intent, slots), {})
    return result, [m.get("text") for m in dispatcher.messages]


def test_form_validation_re_asks_kindly():
    assert validate("contact_name", "Jan de Vries") == ({"contact_name": "Jan de Vries"}, [])
    result, said = validate("contact_name", "<script>x</script>")
    assert result == {"contact_name": None} and "naam" in said[0]
    result, _ = validate("contact_address", "bel me op +31 6 1234 5678")
    assert result == {
        "contact_address": "+31612345678",
        "contact_email": None,
        "contact_phone": "+31612345678",
    }
    result, said = validate("contact_address", "06 1234")
    assert result == {"contact_address": None} and "telefoonnummer klopt niet" in said[0]
    result, said = validate("contact_address", "jan@@x")
    assert "e-mailadres klopt niet" in said[0]
    result, said = validate("contact_address", "😀" * 5000)
    assert result == {"contact_address": None} and said
    draft = {names.SLOT_CONTACT_QUESTION_DRAFT: QUESTION}
    assert validate("contact_question", "/affirm", draft, "affirm")[0] == {
        "contact_question": QUESTION
    }
    assert validate("contact_question", "Over PSO graag", draft)[0] == {
        "contact_question": "Over PSO graag"
    }
    result, said = validate("contact_question", "ja")
    assert result == {"contact_question": None} and said
    assert validate("contact_name", "stop")[0][names.SLOT_CONTACT_CANCELLED] is True


def test_the_reset_at_form_activation_is_not_an_answer():
    # The form validates the slots reset just before it started, right after the user's "ja".
    draft = {names.SLOT_CONTACT_QUESTION_DRAFT: QUESTION}
    for slot in ("contact_name", "contact_address", "contact_question"):
        assert validate(slot, None, draft, "affirm") == ({slot: None}, [])


def test_the_question_is_shown_for_editing():
    [message], _ = run(
        ActionAskContactQuestion(),
        tracker("x", "inform", {names.SLOT_CONTACT_QUESTION_DRAFT: QUESTION}),
    )
    assert QUESTION in message["text"] and message["buttons"][0]["payload"] == "/affirm"
    [message], _ = run(ActionAskContactQuestion(), tracker("x", "inform"))
    assert message["text"] == "Wat is je vraag voor de medewerker?"


def test_submit_stores_before_it_confirms_with_a_reference(env):
    slots = {
        names.SLOT_CONTACT_NAME: "Jan",
        names.SLOT_CONTACT_EMAIL: "jan@example.nl",
        names.SLOT_CONTACT_PHONE: None,
        names.SLOT_CONTACT_QUESTION: QUESTION,
    }
    history = [
        user(QUESTION, "nlu_fallback"),
        {"event": "active_loop", "name": names.FORM_CONTACT},
        user("Jan", "inform"),
    ]
    [message], events = run(ActionHandoffSubmit(), tracker("ja", "affirm", slots, history))
    box = Outbox(database_path(env))
    [stored] = box.recent()
    assert stored["reference"] in message["text"] and "via e-mail" in message["text"]
    assert stored["question"] == QUESTION and stored["conversation_id"] == "conv-42"
    assert [t["text"] for t in stored["transcript"]] == [QUESTION]  # not the form's answers
    assert all(v is None for v in slot_events(events).values())


def test_cancelled_form_stores_nothing(env):
    [message], _ = run(
        ActionHandoffSubmit(), tracker("stop", "inform", {names.SLOT_CONTACT_CANCELLED: True})
    )
    assert "niets door" in message["text"]
    assert Outbox(database_path(env)).count() == 0


def test_a_broken_outbox_still_gives_the_user_a_way_to_the_helpdesk(env, monkeypatch):
    blocker = env / "not-a-dir"
    blocker.write_text("x")
    monkeypatch.setenv("DATA_DIR", str(blocker))
    [message], _ = run(
        ActionHandoffSubmit(),
        tracker(
            "ja",
            "affirm",
            {
                names.SLOT_CONTACT_NAME: "Jan",
                names.SLOT_CONTACT_QUESTION: QUESTION,
                names.SLOT_CONTACT_EMAIL: "jan@example.nl",
            },
        ),
    )
    assert "Sorry" in message["text"] and contact_fields()["telefoon"] in message["text"]
