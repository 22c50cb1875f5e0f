"""Fit the assistant's replies to what each messaging channel can show.

Pure functions and a small in-memory store: no Rasa import, so they are unit-tested
on their own. Button dicts are Rasa's: {"title": ..., "payload": ...}.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

Button = Dict[str, str]

CHOOSE_BY_NUMBER = "Stuur het nummer van je keuze."

_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.S)
_HEADING = re.compile(r"^#{1,6}\s+", re.M)
_CODE = re.compile(r"`([^`\n]+)`")
_CHOICE = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


def plain_text(text: str) -> str:
    """Markdown to plain text, for channels that would show the symbols as they are.

    [site](https://x.nl) -> "site (https://x.nl)", **vet** -> "vet", "# Kop" -> "Kop".
    """
    text = _LINK.sub(
        lambda m: m.group(2) if m.group(1) == m.group(2) else f"{m.group(1)} ({m.group(2)})", text
    )
    text = _BOLD.sub(r"\2", text)
    text = _HEADING.sub("", text)
    return _CODE.sub(r"\1", text)


def numbered_choices(text: str, buttons: Sequence[Button]) -> str:
    """The text with the buttons as a numbered list, for channels without buttons.

    Single line breaks only: Rasa's Twilio output sends each part between blank
    lines as a separate message.
    """
    titles = [b.get("title") or b.get("payload") or "" for b in buttons]
    lines = [plain_text(text).strip()] if text and text.strip() else []
    lines += [f"{i}. {plain_text(t)}" for i, t in enumerate(titles, start=1)]
    if titles:
        lines.append(CHOOSE_BY_NUMBER)
    return "\n".join(lines)


def choice_payload(reply: Optional[str], buttons: Sequence[Button]) -> Optional[str]:
    """The payload the user picked by answering "2" (or "2." or the exact title)."""
    if not reply or not buttons:
        return None
    match = _CHOICE.match(reply)
    if match:
        index = int(match.group(1))
        if 1 <= index <= len(buttons):
            return buttons[index - 1].get("payload")
        return None
    wanted = reply.strip().casefold()
    for button in buttons:
        if (button.get("title") or "").strip().casefold() == wanted:
            return button.get("payload")
    return None


def shorten(title: str, limit: int) -> str:
    """A title cut to `limit` characters, ending in an ellipsis when cut."""
    title = plain_text(title).strip()
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def fit_buttons(
    text: str, buttons: Sequence[Button], max_count: int, max_title: int
) -> Tuple[str, List[Button]]:
    """Text and buttons within a channel's limits (count and title length).

    When a title had to be shortened the full titles are added to the text as a
    numbered list, and the buttons get the numbers in front, so nothing is lost.
    """
    buttons = list(buttons)[:max_count]
    if all(len(b.get("title") or "") <= max_title for b in buttons):
        return plain_text(text), [dict(b) for b in buttons]
    fitted = [
        {**b, "title": shorten(f"{i}. {b.get('title') or ''}", max_title)}
        for i, b in enumerate(buttons, start=1)
    ]
    return numbered_choices(text, buttons), fitted


class ChoiceMemory:
    """The last buttons shown to each sender, so that "1" can be mapped to a payload.

    In memory of one Rasa process, bounded in size and age: after a restart a
    number is simply understood as text.
    """

    def __init__(
        self, max_senders: int = 10000, ttl_seconds: float = 3600, clock=time.monotonic
    ) -> None:
        self._items: OrderedDict[str, Tuple[float, List[Button]]] = OrderedDict()
        self._lock = threading.Lock()
        self.max_senders = max_senders
        self.ttl = ttl_seconds
        self.clock = clock

    def remember(self, sender: str, buttons: Sequence[Button]) -> None:
        with self._lock:
            self._items.pop(sender, None)
            if buttons:
                self._items[sender] = (self.clock(), [dict(b) for b in buttons])
                while len(self._items) > self.max_senders:
                    self._items.popitem(last=False)

    def forget(self, sender: str) -> None:
        with self._lock:
            self._items.pop(sender, None)

    def buttons(self, sender: str) -> List[Button]:
        with self._lock:
            item = self._items.get(sender)
            if item is None:
                return []
            if self.clock() - item[0] > self.ttl:
                del self._items[sender]
                return []
            return item[1]

    def resolve(self, sender: str, reply: Optional[str]) -> Optional[str]:
        """The payload for a numbered answer, or None when the reply is not a choice."""
        return choice_payload(reply, self.buttons(sender))
