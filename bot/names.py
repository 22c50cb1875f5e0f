"""Names shared by `domain.yml`, the training data and the Python code: one source.

Like rasa_sdk's `REQUESTED_SLOT`, every intent, action, slot, response and NLU output key that
Python refers to is a constant here. `tests/unit/test_names_contract.py` checks that each name
exists in `domain.yml`, that every intent and custom action of the domain is used, and that
the button payloads in the code and data name real intents. Pure Python: no Rasa imports.
"""

from __future__ import annotations

import json
from typing import Any

# --- intents -------------------------------------------------------------------------------
GREET = "greet"
GOODBYE = "goodbye"
THANK = "thank"
AFFIRM = "affirm"
DENY = "deny"
BOT_CHALLENGE = "bot_challenge"
HELP = "help"
FAQ = "faq"
SEARCH_EVENTS = "search_events"
SEARCH_OFFERS = "search_offers"
SEARCH_OPPORTUNITIES = "search_opportunities"
JOIN_PLATFORM = "join_platform"
MORE = "more"
INFORM = "inform"
DETAIL = "detail"
REQUEST_HUMAN = "request_human"
# A contact request ("bel of mail mij terug"); the live desk offers payload(REQUEST_CONTACT).
REQUEST_CONTACT = "request_contact"
FRUSTRATION = "frustration"
OTHER_LANGUAGE = "other_language"
OUT_OF_SCOPE = "out_of_scope"
NLU_FALLBACK = "nlu_fallback"

# --- custom actions ------------------------------------------------------------------------
ACTION_PROGRAMME_ANSWER = "action_programme_answer"
ACTION_FALLBACK = "action_fallback"
ACTION_CONTACT = "action_contact"
ACTION_SEARCH = "action_search"
ACTION_SEARCH_MORE = "action_search_more"
ACTION_SEARCH_DETAIL = "action_search_detail"
ACTION_JOIN_PLATFORM = "action_join_platform"
ACTION_HANDOFF_OFFER = "action_handoff_offer"
ACTION_HANDOFF_START = "action_handoff_start"
ACTION_HANDOFF_CONSENT_AGAIN = "action_handoff_consent_again"
ACTION_HANDOFF_SUBMIT = "action_handoff_submit"
ACTION_ASK_CONTACT_QUESTION = "action_ask_contact_question"
ACTION_VALIDATE_CONTACT_FORM = "validate_contact_form"

# --- forms ---------------------------------------------------------------------------------
FORM_CONTACT = "contact_form"

# --- entities set by button payloads --------------------------------------------------------
ENTITY_RESULT = "resultaat"  # the id of a search result: /detail{"resultaat": "<id>"}

# --- slots ---------------------------------------------------------------------------------
SLOT_SEARCH = "zoekopdracht"
SLOT_HANDOFF_OFFER = "handoff_offer"
SLOT_HANDOFF_MODE = "handoff_mode"
SLOT_CONTACT_NAME = "contact_name"
SLOT_CONTACT_ADDRESS = "contact_address"
SLOT_CONTACT_EMAIL = "contact_email"
SLOT_CONTACT_PHONE = "contact_phone"
SLOT_CONTACT_QUESTION = "contact_question"
SLOT_CONTACT_QUESTION_DRAFT = "contact_question_draft"
SLOT_CONTACT_CANCELLED = "contact_cancelled"
SLOT_LAST_TOPIC = "laatste_onderwerp"  # the programme topic of the latest answer
SLOT_RECOVERY = "herstelstap"  # the step of the two-step recovery (bot.text.clarify)

# --- responses used by the actions -----------------------------------------------------------
UTTER_CONTACT = "utter_contact"
UTTER_TOPIC_UNKNOWN = "utter_topic_unknown"
UTTER_HANDOFF_DECLINED = "utter_handoff_declined"
UTTER_ANYTHING_ELSE = "utter_anything_else"
# Asked by contact_form (Rasa finds them by name: utter_ask_<slot>).
UTTER_ASK_CONTACT_NAME = "utter_ask_contact_name"
UTTER_ASK_CONTACT_ADDRESS = "utter_ask_contact_address"
UTTER_FALLBACK = "utter_fallback"
UTTER_OUT_OF_SCOPE = "utter_out_of_scope"
UTTER_OTHER_LANGUAGE = "utter_other_language"
UTTER_EMPTY_MESSAGE = "utter_empty_message"
UTTER_EMOJI_ONLY = "utter_emoji_only"
UTTER_MARKUP_MESSAGE = "utter_markup_message"
UTTER_LONG_MESSAGE = "utter_long_message"
UTTER_ANYTHING_ELSE = "utter_anything_else"

# --- keys that our NLU components add to a parsed message ------------------------------------
GUARD_KEY = "message_guard"
VAGUE_KEY = "vague"  # set by the NLU on a vague message ("inkoop"): clarify with choices
RESPONSE_SELECTOR_KEY = "response_selector"


def payload(intent: str, **entities: Any) -> str:
    """A Rasa button payload that triggers `intent` directly: `/inform{"categorie": "x"}`."""
    if not entities:
        return f"/{intent}"
    return f"/{intent}" + json.dumps(entities, ensure_ascii=False)
