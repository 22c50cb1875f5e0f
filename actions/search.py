"""Search offers, opportunities and events; page through results; details of one result."""

from __future__ import annotations

import asyncio
import logging
import re
from collections import Counter
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import GuardedAction, ran_this_turn
from actions.data import live_catalog, now
from actions.programme import QUESTION_WORDS
from bot import names
from bot.catalog import replies, roles
from bot.catalog.dialogue import (
    EVENTS,
    OFFERS,
    OPPORTUNITIES,
    SearchState,
    extract_filters,
    matching_items,
    missing,
    next_state,
    platform_role,
)
from bot.catalog.ordinals import parse_ordinal
from bot.catalog.search import page
from bot.content.topics import is_follow_up
from bot.text import clarify

SLOT = names.SLOT_SEARCH
PAGE_SIZE = 3
logger = logging.getLogger(__name__)


def say(dispatcher: CollectingDispatcher, reply: replies.Reply) -> None:
    """Text and buttons for every channel, plus result cards for channels that render them."""
    dispatcher.utter_message(**reply.message())


def bot_texts(tracker: Tracker) -> List[str]:
    """What the assistant said in this conversation session."""
    texts: List[str] = []
    for event in tracker.events:
        if event.get("event") == "session_started":
            texts = []
        elif event.get("event") == "bot":
            texts.append(event.get("text") or "")
    return texts


# Actions after which an answer without filters still belongs to the search (its question).
# A question word first: "wie kregen die trainingen toen?" asks about the answer just given,
# "zijn er ook workshops?" asks for a search.
ABOUT_THE_ANSWER = re.compile(
    r"\s*(?:en\s+|maar\s+)?(?:wie|wanneer|waarom|hoe|wat|waar|hoeveel)\b", re.IGNORECASE
)
SEARCH_ACTIONS = frozenset(
    [names.ACTION_SEARCH, names.ACTION_SEARCH_MORE, names.ACTION_SEARCH_DETAIL]
)


def _previous_action(tracker: Tracker) -> Optional[str]:
    """The assistant's last action before the user's latest message."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return None
            seen_user = True
        elif seen_user and event.get("event") == "action":
            name = event.get("name")
            if name and name != "action_listen":
                return str(name)
    return None


def _state(tracker: Tracker) -> Optional[SearchState]:
    return SearchState.from_slot(tracker.get_slot(SLOT))


def _melding(snapshot, kind: str) -> Optional[str]:
    source = {
        OFFERS: snapshot.offers,
        OPPORTUNITIES: snapshot.opportunities,
        EVENTS: snapshot.events,
    }[kind]
    return source.melding()


def listed_state(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[SearchState]:
    """The search the user is looking at, or None after saying there is no list yet."""
    state = _state(tracker)
    if state is None or state.kind is None or missing(state):
        say(dispatcher, replies.no_list())
        return None
    return state


async def current_snapshot():
    """The live catalogue's snapshot, waited for in a worker thread.

    A slow feed makes `snapshot()` wait up to 2.5 s; on the action server's event loop that would
    stall every other user's action, so the wait happens off the loop.
    """
    return await asyncio.to_thread(lambda: live_catalog().snapshot())


async def show(
    dispatcher: CollectingDispatcher, state: SearchState, tracker: Tracker
) -> List[Dict[Text, Any]]:
    """Say the current page of ``state`` (or why there is none) and store the state."""
    assert state.kind is not None  # callers checked missing(state) or listed_state()
    snapshot = await current_snapshot()
    catalog = snapshot.index.catalog
    items = matching_items(state, snapshot.index, now())
    if not items:
        counts = Counter(
            getattr(i, "categorie", None)
            for i in (
                snapshot.offers.items if state.kind == OFFERS else snapshot.opportunities.items
            )
        )
        say(dispatcher, replies.no_results(state, catalog, counts, state.categorie))
    else:
        found = page(items, state.page, PAGE_SIZE)
        if not found.items:
            say(dispatcher, replies.no_more(state))
        else:
            noted = replies.example_noted(bot_texts(tracker))
            say(
                dispatcher,
                replies.results_reply(
                    state, found, catalog, _melding(snapshot, state.kind), noted=noted
                ),
            )
    return [SlotSet(SLOT, state.to_slot())]


class ActionSearch(GuardedAction):
    """search_offers / search_opportunities / search_events, and refinements (inform)."""

    def name(self) -> Text:
        return names.ACTION_SEARCH

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        message = tracker.latest_message
        intent = (message.get("intent") or {}).get("name") or ""
        catalog = live_catalog().catalog
        text = message.get("text") or ""
        filters = extract_filters(text, message.get("entities") or [], catalog, now())
        if (
            intent == names.INFORM
            and (filters.empty or (filters.names_nothing and _state(tracker) is None))
            and ("?" in text or QUESTION_WORDS.search(text))
            and _previous_action(tracker) not in SEARCH_ACTIONS
            and not ran_this_turn(tracker, names.ACTION_PROGRAMME_ANSWER)
        ):
            # "en Haarlem?" after another answer: nothing to search, a programme question.
            return [FollowupAction(names.ACTION_PROGRAMME_ANSWER)]
        if (
            filters.categorie is None
            and tracker.get_slot(names.SLOT_LAST_TOPIC)
            and _previous_action(tracker) == names.ACTION_PROGRAMME_ANSWER
            and is_follow_up(text)
            and ABOUT_THE_ANSWER.match(text)
            and not ran_this_turn(tracker, names.ACTION_PROGRAMME_ANSWER)
        ):
            # "wie kregen die trainingen toen?" right after the LOL answer: about that answer.
            return [FollowupAction(names.ACTION_PROGRAMME_ANSWER)]
        intent = roles.clear_role(intent, text)
        if roles.role_conflict(intent, text):
            logger.debug("search: intent %s contradicts the words, asking the role", intent)
            say(dispatcher, roles.ask_role(filters.categorie))
            return []
        state = next_state(intent, filters, _state(tracker))
        question = missing(state)
        logger.debug(
            "search: intent=%s filters=%s state=%s ask=%s",
            intent,
            filters,
            state.to_slot(),
            question,
        )
        if question == "kind":
            say(dispatcher, replies.ask_kind())
            return [SlotSet(SLOT, state.to_slot())]
        if question == "categorie":
            word = roles.unknown_category_word(text, catalog.categories.values())
            if word:
                reply = roles.unknown_category(word, state, catalog)
                say(dispatcher, reply)
                asked = any(title == "Iets anders" for title, _ in reply.buttons)
                return [
                    SlotSet(SLOT, state.to_slot()),
                    SlotSet(names.SLOT_RECOVERY, clarify.CLARIFY if asked else None),
                ]
            say(dispatcher, replies.ask_category(state, catalog))
            return [SlotSet(SLOT, state.to_slot())]
        return await show(dispatcher, state, tracker)


class ActionSearchMore(GuardedAction):
    """ "meer": the next page of the last search."""

    def name(self) -> Text:
        return names.ACTION_SEARCH_MORE

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        state = listed_state(dispatcher, tracker)
        if state is None:
            return []
        return await show(
            dispatcher, SearchState(**{**state.to_slot(), "page": state.page + 1}), tracker
        )


class ActionSearchDetail(GuardedAction):
    """ "vertel meer over de tweede" or a result's detail button: one result, in full."""

    def name(self) -> Text:
        return names.ACTION_SEARCH_DETAIL

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        chosen = next(tracker.get_latest_entity_values(names.ENTITY_RESULT), None)
        if chosen is not None:
            catalog = (await current_snapshot()).index.catalog
            item = replies.by_id(catalog, str(chosen))
            if item is not None:
                say(dispatcher, replies.detail(item, catalog))
                return []
        state = listed_state(dispatcher, tracker)
        if state is None:
            return []
        snapshot = await current_snapshot()
        items = matching_items(state, snapshot.index, now())
        item = replies.pick(items, parse_ordinal(tracker.latest_message.get("text") or ""))
        if item is None:
            say(dispatcher, replies.which_one(len(items)))
        else:
            say(dispatcher, replies.detail(item, snapshot.index.catalog))
        return []


class ActionJoinPlatform(GuardedAction):
    """How to put an offer or a demand on the inkoopplatform."""

    def name(self) -> Text:
        return names.ACTION_JOIN_PLATFORM

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        role = platform_role(tracker.latest_message.get("text") or "")
        say(dispatcher, replies.join_platform(live_catalog().catalog, role))
        return []
