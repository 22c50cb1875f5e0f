"""The assistant's reply as data: text, buttons and, for search results, result items.

Actions build a `Reply` and hand it to Rasa as text plus buttons plus a custom payload
(`Reply.message()`); each channel turns the payload back into a `Reply` (`Reply.from_custom`)
and renders it in its own format (bot/replies/render.py). Channels that know nothing of the
payload still show the text and buttons. Pure Python: no Rasa imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

Button = Tuple[str, str]  # (title, Rasa payload)

CUSTOM_KEY = "ioc_results"  # the key of our custom payload in a Rasa bot message
VERSION = 1
KINDS = ("offer", "opportunity", "event")
DETAIL_FALLBACK = "Meer over"  # "Meer over 2": a result's detail button without cards


@dataclass(frozen=True)
class Link:
    """A web link with a short label such as "Aanmelden"."""

    title: str
    url: str


@dataclass(frozen=True)
class ResultItem:
    """One search result as a card: a title, one or two facts, an action link, a detail button.

    ``number`` counts across pages (4 on page 2); ``calendar_path`` is the server path of the
    event's .ics file (events only), made absolute by each channel.
    """

    kind: str
    id: str
    number: int
    title: str
    facts: List[str]
    link: Link
    detail: Button
    calendar_path: Optional[str] = None

    def to_dict(self) -> Dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "number": self.number,
            "title": self.title,
            "facts": list(self.facts),
            "link": {"title": self.link.title, "url": self.link.url},
            "details": {"title": self.detail[0], "payload": self.detail[1]},
            "calendar": self.calendar_path,
        }

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> ResultItem:
        link, detail = data["link"], data["details"]
        return cls(
            kind=str(data["kind"]),
            id=str(data["id"]),
            number=int(data["number"]),
            title=str(data["title"]),
            facts=[str(f) for f in data.get("facts") or []],
            link=Link(str(link["title"]), str(link["url"])),
            detail=(str(detail["title"]), str(detail["payload"])),
            calendar_path=data.get("calendar") or None,
        )


@dataclass(frozen=True)
class Reply:
    """What the assistant says: ``text`` (complete on its own) and ``buttons``.

    A result list also has ``intro`` (the head line), ``items`` and ``notes`` (shown once,
    small, after the items); ``text`` then is the plain-text version of all of it.
    """

    text: str
    buttons: List[Button] = field(default_factory=list)
    items: List[ResultItem] = field(default_factory=list)
    intro: str = ""
    notes: List[str] = field(default_factory=list)

    def button_dicts(self) -> List[dict]:
        return [{"title": title, "payload": payload} for title, payload in self.buttons]

    def custom(self) -> Optional[Dict[str, Any]]:
        """The custom payload for channels that render result items, or None without items."""
        if not self.items:
            return None
        return {
            CUSTOM_KEY: {
                "version": VERSION,
                "text": self.text,
                "intro": self.intro,
                "items": [i.to_dict() for i in self.items],
                "buttons": self.button_dicts(),
                "notes": list(self.notes),
            }
        }

    def fallback_buttons(self) -> List[Button]:
        """The buttons for channels without cards: a detail button per result, then the rest."""
        return [(f"{DETAIL_FALLBACK} {i.number}", i.detail[1]) for i in self.items] + list(
            self.buttons
        )

    def message(self) -> Dict[str, Any]:
        """Keyword arguments for rasa_sdk's `dispatcher.utter_message`: text, buttons, custom."""
        buttons = [{"title": t, "payload": p} for t, p in self.fallback_buttons()]
        message: Dict[str, Any] = {"text": self.text, "buttons": buttons or None}
        custom = self.custom()
        if custom:
            message["json_message"] = custom
        return message

    @classmethod
    def from_custom(cls, custom: Any) -> Optional[Reply]:
        """The reply in a Rasa message's ``custom`` field, or None when it is not ours."""
        if not isinstance(custom, dict) or not isinstance(custom.get(CUSTOM_KEY), dict):
            return None
        data = custom[CUSTOM_KEY]
        try:
            return cls(
                text=str(data.get("text") or ""),
                buttons=[(str(b["title"]), str(b["payload"])) for b in data.get("buttons") or []],
                items=[ResultItem.from_dict(i) for i in data.get("items") or []],
                intro=str(data.get("intro") or ""),
                notes=[str(n) for n in data.get("notes") or []],
            )
        except (KeyError, TypeError, ValueError):
            return None
