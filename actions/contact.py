"""How to reach the municipality (until the helpdesk handoff lands)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import GuardedAction
from actions.data import contact_fields
from bot import names


class ActionContact(GuardedAction):
    def name(self) -> Text:
        return names.ACTION_CONTACT

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response=names.UTTER_CONTACT, **contact_fields())
        return []
