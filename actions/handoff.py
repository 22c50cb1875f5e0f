"""Hand the conversation to the municipal helpdesk (KCC): consent, live handover, contact request.

Thin: the decisions and texts live in `bot.handoff` (contact, validation, transcript, outbox);
the live desk and office hours are `bot.handoff.hours` / `bot.handoff.live`.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import ConversationPaused, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import GuardedAction
from actions.data import contact_fields
from bot import names
from bot.handoff import contact as texts
from bot.handoff import transcript, validation
from bot.handoff.adapters import configured
from bot.handoff.contact import ContactRequest
from bot.handoff.outbox import DuplicateReference, Outbox
from bot.settings import Settings

logger = logging.getLogger(__name__)

CONTACT_SLOTS = (
    names.SLOT_CONTACT_NAME,
    names.SLOT_CONTACT_ADDRESS,
    names.SLOT_CONTACT_EMAIL,
    names.SLOT_CONTACT_PHONE,
    names.SLOT_CONTACT_QUESTION,
    names.SLOT_CONTACT_QUESTION_DRAFT,
    names.SLOT_CONTACT_CANCELLED,
)


def outbox(settings: Settings) -> Outbox:
    """The contact-request outbox in the conversation database (shared by every replica)."""
    return Outbox.from_settings(settings)


def _intent(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


CONSENT_BUTTONS = [
    {"title": texts.YES_BUTTON, "payload": names.payload(names.AFFIRM)},
    {"title": texts.NO_BUTTON, "payload": names.payload(names.DENY)},
]


def say_offer(dispatcher: CollectingDispatcher, lead: str, mode: str) -> List[EventType]:
    """Ask consent, saying what will be passed on (and the phone number, for those who would
    rather call); `mode` "contact" skips the live chat."""
    body = texts.OFFER_CALLBACK if mode == "contact" else texts.OFFER
    dispatcher.utter_message(
        text=lead + body + texts.CALL_YOURSELF.format(**contact_fields()),
        buttons=CONSENT_BUTTONS,
    )
    return [SlotSet(names.SLOT_HANDOFF_OFFER, "consent"), SlotSet(names.SLOT_HANDOFF_MODE, mode)]


def live_available(settings: Settings, now: datetime) -> bool:
    """Office hours and an employee on duty (on any replica: the shared live desk)."""
    from bot.handoff.hours import OfficeHours
    from bot.handoff.live import LiveDesk

    if not OfficeHours.from_settings(settings).is_open(now):
        return False
    return LiveDesk(settings).agents_on_duty()


def _enqueue(settings: Settings, conversation_id: str, channel: str, turns: list) -> int:
    from bot.handoff.live import LiveDesk

    return LiveDesk(settings).enqueue(conversation_id, channel, turns)


async def start_handoff(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """Consent given: queue for a live employee when one is there, else the contact request."""
    settings = Settings.from_env()
    mode = tracker.get_slot(names.SLOT_HANDOFF_MODE) or "live"
    events: List[EventType] = [SlotSet(names.SLOT_HANDOFF_OFFER, None)]
    if mode != "contact":
        try:
            if await asyncio.to_thread(live_available, settings, datetime.now(timezone.utc)):
                turns = transcript.from_events(tracker.events)
                channel = tracker.get_latest_input_channel() or ""
                position = await asyncio.to_thread(
                    _enqueue, settings, tracker.sender_id, channel, turns
                )
                logger.debug("handoff: queued for a live employee at %s", position)
                dispatcher.utter_message(text=texts.QUEUED.format(position=max(position, 1)))
                return events + [ConversationPaused()]
        except Exception:  # the live desk failed: the contact request still works
            logger.exception("handoff: live handover failed; offering a contact request")
    dispatcher.utter_message(text=texts.CHOSE_CONTACT if mode == "contact" else texts.NOBODY_LIVE)
    draft = transcript.draft_question(_before_handoff(tracker.events))
    return (
        events
        + [SlotSet(slot, None) for slot in CONTACT_SLOTS]
        + [
            SlotSet(names.SLOT_CONTACT_QUESTION_DRAFT, draft or None),
            FollowupAction(names.FORM_CONTACT),
        ]
    )


def _before_handoff(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The events before the contact form started (the form's answers are not the transcript)."""
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if event.get("event") == "active_loop" and event.get("name") == names.FORM_CONTACT:
            return events[:index]
    return events


class ActionHandoffOffer(GuardedAction):
    """request_human, request_contact, frustration: say what happens and ask consent."""

    def name(self) -> Text:
        return names.ACTION_HANDOFF_OFFER

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        intent = _intent(tracker)
        text = tracker.latest_message.get("text") or ""
        mode = (
            "contact" if intent == names.REQUEST_CONTACT or texts.wants_callback(text) else "live"
        )
        lead = texts.OFFER_AFTER_FRUSTRATION if intent == names.FRUSTRATION else ""
        return say_offer(dispatcher, lead, mode)


def ask_consent_again(dispatcher: CollectingDispatcher) -> List[EventType]:
    """Nothing was passed on; ask the consent question again, plainly."""
    dispatcher.utter_message(
        text=texts.CONSENT_AGAIN.format(
            yes=texts.YES_BUTTON, no=texts.NO_BUTTON, **contact_fields()
        ),
        buttons=CONSENT_BUTTONS,
    )
    return [SlotSet(names.SLOT_HANDOFF_OFFER, "consent")]


class ActionHandoffConsentAgain(GuardedAction):
    """At the consent question the user typed something else (a name, a question): nothing is
    passed on; ask the consent again, plainly. A second answer that is neither yes nor no is
    handled as any message (data/rules/handoff.yml)."""

    def name(self) -> Text:
        return names.ACTION_HANDOFF_CONSENT_AGAIN

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        return ask_consent_again(dispatcher)


class ActionHandoffStart(GuardedAction):
    """The user consented: a live handover or the contact form."""

    def name(self) -> Text:
        return names.ACTION_HANDOFF_START

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if not texts.is_clear_yes(tracker.latest_message.get("text")):
            # Classified as yes, but the words do not say it (a name: "jan"): ask again, as the
            # consent question's own action (its rules take the next yes or no).
            return [FollowupAction(names.ACTION_HANDOFF_CONSENT_AGAIN)]
        return await start_handoff(dispatcher, tracker)


def _cancelled() -> Dict[Text, Any]:
    """Fill every required slot so the form ends; the submit action sees the cancel flag."""
    return {
        names.SLOT_CONTACT_CANCELLED: True,
        names.SLOT_CONTACT_NAME: "-",
        names.SLOT_CONTACT_ADDRESS: "-",
        names.SLOT_CONTACT_QUESTION: "-",
    }


class ValidateContactForm(FormValidationAction, GuardedAction):
    """Checks name, e-mail/phone and question; re-asks kindly when something is off."""

    def name(self) -> Text:
        return names.ACTION_VALIDATE_CONTACT_FORM

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        # Defined here so that GuardedAction wraps it (a failure gets the apology).
        return await super().run(dispatcher, tracker, domain)

    def validate_contact_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not isinstance(value, str):  # the reset at activation, not an answer
            return {names.SLOT_CONTACT_NAME: None}
        if texts.is_cancel(value):
            return _cancelled()
        name = validation.parse_name(value if isinstance(value, str) else "")
        if name is None:
            dispatcher.utter_message(text=texts.INVALID_NAME)
        return {names.SLOT_CONTACT_NAME: name}

    def validate_contact_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not isinstance(value, str):  # the reset at activation, not an answer
            return {names.SLOT_CONTACT_ADDRESS: None}
        if texts.is_cancel(value):
            return _cancelled()
        details = validation.extract_contact(value if isinstance(value, str) else "")
        if not details.ok:
            if details.invalid_email and not details.invalid_phone:
                dispatcher.utter_message(text=texts.INVALID_EMAIL)
            elif details.invalid_phone and not details.invalid_email:
                dispatcher.utter_message(text=texts.INVALID_PHONE)
            else:
                dispatcher.utter_message(text=texts.INVALID_CONTACT)
            return {names.SLOT_CONTACT_ADDRESS: None}
        logger.debug(
            "handoff: contact details accepted (email=%s, phone=%s)",
            bool(details.email),
            bool(details.phone),
        )
        return {
            names.SLOT_CONTACT_ADDRESS: ", ".join(v for v in (details.email, details.phone) if v),
            names.SLOT_CONTACT_EMAIL: details.email,
            names.SLOT_CONTACT_PHONE: details.phone,
        }

    def validate_contact_question(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not isinstance(value, str):  # the reset at activation, not an answer
            return {names.SLOT_CONTACT_QUESTION: None}
        text = value
        if texts.is_cancel(text):
            return _cancelled()
        draft = tracker.get_slot(names.SLOT_CONTACT_QUESTION_DRAFT)
        if draft and texts.keeps_draft(text, _intent(tracker)):
            return {names.SLOT_CONTACT_QUESTION: draft}
        question = " ".join(text.split())[:1000]
        if text.startswith("/") or len(question) < 3 or not any(c.isalpha() for c in question):
            dispatcher.utter_message(text=texts.INVALID_QUESTION)
            return {names.SLOT_CONTACT_QUESTION: None}
        return {names.SLOT_CONTACT_QUESTION: question}


class ActionAskContactQuestion(GuardedAction):
    """The question, pre-filled from the conversation and editable."""

    def name(self) -> Text:
        return names.ACTION_ASK_CONTACT_QUESTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        draft = tracker.get_slot(names.SLOT_CONTACT_QUESTION_DRAFT)
        if draft:
            dispatcher.utter_message(
                text=texts.ASK_QUESTION_DRAFT.format(draft=draft),
                buttons=[
                    {"title": texts.KEEP_DRAFT_BUTTON, "payload": names.payload(names.AFFIRM)}
                ],
            )
        else:
            dispatcher.utter_message(text=texts.ASK_QUESTION)
        return []


def store_request(settings: Settings, request: ContactRequest) -> ContactRequest:
    """Write the request to the outbox (a fresh reference if one is taken) and wake the worker."""
    box = outbox(settings)
    adapters = [a.name for a in configured(settings)]
    for _ in range(3):
        try:
            box.add(request, adapters)
            break
        except DuplicateReference:
            request.reference = texts.new_reference()
    else:
        raise RuntimeError("no free reference number")
    from bot.handoff import worker

    running = worker.background()
    if running is not None:
        running.wake()
    return request


class ActionHandoffSubmit(GuardedAction):
    """The form is complete: store the request in the outbox and give the reference number."""

    def name(self) -> Text:
        return names.ACTION_HANDOFF_SUBMIT

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        reset = [SlotSet(slot, None) for slot in CONTACT_SLOTS]
        if tracker.get_slot(names.SLOT_CONTACT_CANCELLED):
            dispatcher.utter_message(text=texts.CANCELLED)
            return reset
        request = ContactRequest(
            reference=texts.new_reference(),
            name=tracker.get_slot(names.SLOT_CONTACT_NAME) or "",
            question=tracker.get_slot(names.SLOT_CONTACT_QUESTION) or "",
            email=tracker.get_slot(names.SLOT_CONTACT_EMAIL),
            phone=tracker.get_slot(names.SLOT_CONTACT_PHONE),
            conversation_id=tracker.sender_id,
            channel=tracker.get_latest_input_channel() or "",
            transcript=transcript.from_events(_before_handoff(tracker.events)),
        )
        try:
            request = await asyncio.to_thread(store_request, Settings.from_env(), request)
        except Exception:
            logger.exception("handoff: the contact request could not be stored")
            dispatcher.utter_message(text=texts.SAVE_FAILED.format(**contact_fields()))
            return reset
        logger.info("handoff: contact request %s stored", request.reference)
        dispatcher.utter_message(
            text=texts.CONFIRMED.format(
                name=request.name, reference=request.reference, via=request.via()
            )
        )
        return reset
