"""Two-step recovery when the assistant is unsure: "Bedoel je ...?", then rephrase, then helpdesk.

Pure Python. Step 1 offers the two or three likeliest meanings as buttons plus "Iets anders"; a
choice answers right away (its payload triggers the intent, with the entities of the message).
"Iets anders" asks to rephrase. A second miss ends in a plain helpdesk offer.
The step is kept in a slot, and only counts when the bot's previous turn was the one that set it,
so an old step never leaks into a later conversation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from bot import names

CLARIFY, REPHRASE, OFFER = "verduidelijken", "anders_zeggen", "helpdesk"
SOMETHING_ELSE = "Iets anders"
MAX_CHOICES = 3
MIN_CANDIDATE = 0.08  # a meaning below this probability is not worth a button
FAQ_SHARE = 0.5  # topic candidates: at least this share of the best topic's probability

# Meanings worth offering, with the button title. Small talk and follow-ups are left out: they
# are never what someone with an unclear question meant.
INTENT_TITLES: Dict[str, str] = {
    names.SEARCH_OFFERS: "Inkopen bij impactondernemers",
    names.SEARCH_OPPORTUNITIES: "Opdrachten zoeken voor mijn bedrijf",
    names.SEARCH_EVENTS: "Evenementen zoeken",
    names.JOIN_PLATFORM: "Aanmelden op het inkoopplatform",
    names.REQUEST_HUMAN: "Een medewerker spreken",
    names.HELP: "Wat kun je allemaal?",
    names.BOT_CHALLENGE: "Ben je een mens?",
}
SEARCH_ENTITIES = ("categorie", "soort", "impact", "locatie")

Button = Tuple[str, str]


@dataclass(frozen=True)
class Reply:
    """What to say, the buttons, and the step to remember."""

    text: str
    buttons: List[Button] = field(default_factory=list)
    step: Optional[str] = None
    response: Optional[str] = None  # a domain response instead of text

    def button_dicts(self) -> List[Dict[str, str]]:
        return [{"title": title, "payload": payload} for title, payload in self.buttons]


def previous_step(
    events: Sequence[Mapping[str, Any]], slot_value: Optional[str], actions: Iterable[str]
) -> Optional[str]:
    """The recovery step of the bot's previous turn, if that turn was a recovery step.

    ``events`` is the tracker's event list (dicts). The slot counts only when the last action
    before the latest user message is one of ``actions`` (the ones that set it).
    """
    if not slot_value:
        return None
    actions = set(actions)
    seen_user = False
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user":
            if seen_user:
                return None
            seen_user = True
            continue
        if seen_user and kind == "action" and event.get("name") not in ("action_listen", None):
            return slot_value if event.get("name") in actions else None
    return None


def search_entities(entities: Iterable[Mapping[str, Any]]) -> Dict[str, str]:
    """The search filters named in a message, to carry into a button's payload."""
    found: Dict[str, str] = {}
    for entity in entities:
        label, value = entity.get("entity"), entity.get("value")
        if label in SEARCH_ENTITIES and value and label not in found:
            found[label] = str(value)
    return found


def candidates(
    intent_ranking: Sequence[Mapping[str, Any]],
    faq_ranking: Sequence[Mapping[str, Any]],
    topic_titles: Mapping[str, str],
    entities: Iterable[Mapping[str, Any]] = (),
) -> List[Button]:
    """Up to three likely meanings as (title, payload), likeliest first.

    A programme question (faq) becomes its likeliest topics; a search keeps the message's filters.
    """
    entities = list(entities)
    filters = search_entities(entities)
    faq_topics = _faq_candidates(faq_ranking, topic_titles)
    buttons: List[Button] = []
    for item in intent_ranking:
        name, confidence = item.get("name"), float(item.get("confidence") or 0.0)
        if confidence < MIN_CANDIDATE:
            break
        if name == names.FAQ:
            buttons += [b for b in faq_topics[:2] if b not in buttons]
        elif name in INTENT_TITLES:
            carried = (
                filters
                if name in (names.SEARCH_OFFERS, names.SEARCH_OPPORTUNITIES, names.SEARCH_EVENTS)
                else {}
            )
            buttons.append((INTENT_TITLES[name], names.payload(name, **carried)))
        if len(buttons) >= MAX_CHOICES:
            break
    return buttons[:MAX_CHOICES]


# What a vague message ("inkoop", "ik wil meedoen") most often means, to fill its choices.
VAGUE_DEFAULTS = (
    names.SEARCH_OFFERS,
    names.SEARCH_OPPORTUNITIES,
    names.JOIN_PLATFORM,
    names.SEARCH_EVENTS,
)


def padded(choices: Sequence[Button], n: int = MAX_CHOICES) -> List[Button]:
    """`choices`, filled up to `n` with the main routes (for a vague message)."""
    result = list(choices)[:n]
    for name in VAGUE_DEFAULTS:
        if len(result) >= n:
            break
        button = (INTENT_TITLES[name], names.payload(name))
        if all(payload != button[1] for _, payload in result):
            result.append(button)
    return result


def _faq_candidates(
    faq_ranking: Sequence[Mapping[str, Any]], topic_titles: Mapping[str, str]
) -> List[Button]:
    buttons: List[Button] = []
    best = None
    for item in faq_ranking:
        key = str(item.get("intent_response_key") or "")
        topic = key.split("/", 1)[1] if "/" in key else ""
        confidence = float(item.get("confidence") or 0.0)
        if topic not in topic_titles:
            continue
        best = confidence if best is None else best
        if confidence < best * FAQ_SHARE and buttons:
            break
        buttons.append((topic_titles[topic], names.payload(names.FAQ, onderwerp=topic)))
        if len(buttons) >= MAX_CHOICES:
            break
    return buttons


def topic_choices(
    faq_ranking: Sequence[Mapping[str, Any]], topic_titles: Mapping[str, str]
) -> List[Button]:
    """The likeliest programme topics, for a topic question the selector is unsure about."""
    return _faq_candidates(faq_ranking, topic_titles)


RELATED_MIN = 0.1  # a runner-up topic at least this likely is offered under the answer
MAX_RELATED = 2


def related_topics(
    faq_ranking: Sequence[Mapping[str, Any]],
    answered: str,
    topic_titles: Mapping[str, str],
    min_confidence: float = RELATED_MIN,
) -> List[Button]:
    """Buttons for the runner-up topics of a confident answer (one click if it was the wrong
    one): at most two, each at least `min_confidence` likely."""
    buttons: List[Button] = []
    for item in faq_ranking:
        key = str(item.get("intent_response_key") or "")
        topic = key.split("/", 1)[1] if "/" in key else ""
        if topic == answered or topic not in topic_titles:
            continue
        if float(item.get("confidence") or 0.0) < min_confidence:
            break
        buttons.append((topic_titles[topic], names.payload(names.FAQ, onderwerp=topic)))
        if len(buttons) >= MAX_RELATED:
            break
    return buttons


def ask_meaning(
    choices: Sequence[Button], lead: str = "Ik weet niet zeker wat je bedoelt."
) -> Reply:
    """Step 1: "Bedoel je ...?" with the choices and "Iets anders"."""
    text = f"{lead} Bedoel je een van deze?"
    return Reply(text, [*choices, (SOMETHING_ELSE, names.payload(names.DENY))], CLARIFY)


def ask_rephrase() -> Reply:
    """After "Iets anders": ask for the question in other words."""
    return Reply(
        "Oké. Kun je je vraag in andere woorden stellen? Een korte zin werkt het best.",
        [],
        REPHRASE,
    )


def helpdesk_offer() -> Reply:
    """The last step: a plain offer of the helpdesk (`utter_fallback`, a `request_human` button)."""
    return Reply("", [], OFFER, response=names.UTTER_FALLBACK)


def recover(intent: Optional[str], step: Optional[str], choices: Sequence[Button]) -> Reply:
    """The reply to an unclear message (``nlu_fallback``) or to "Iets anders" (``deny``).

    ``step`` is what the bot's previous turn did (``previous_step``).
    """
    if intent == names.DENY:
        if step == CLARIFY:
            return ask_rephrase()
        return Reply("", [], None, response=names.UTTER_ANYTHING_ELSE)
    if step in (CLARIFY, REPHRASE, OFFER):
        return helpdesk_offer()
    if choices:
        return ask_meaning(choices)
    return ask_rephrase()
