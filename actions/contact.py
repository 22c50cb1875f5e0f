"""Yes to the fallback's offer: how to reach the municipality, or (after a consent question) the
handoff to the helpdesk."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import GuardedAction
from actions.data import contact_fields
from actions.handoff import start_handoff
from bot import names
from bot.handoff.contact import consent_asked_last


class ActionContact(GuardedAction):
    def name(self) -> Text:
        return names.ACTION_CONTACT

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if consent_asked_last(tracker.events, names.SLOT_HANDOFF_OFFER):
            return await start_handoff(dispatcher, tracker)
        dispatcher.utter_message(response=names.UTTER_CONTACT, **contact_fields())
        return []
