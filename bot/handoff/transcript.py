"""The conversation as the helpdesk sees it: from Rasa tracker events (plain dicts) to text/HTML.

A transcript is a list of `{"from": "user"|"bot", "text": str, "at": ISO time}` (the form the
live desk, `bot.handoff.live.normalise_transcript`, accepts too). Pure Python: no Rasa imports.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, Iterable, List, Mapping, Optional

from jinja2 import Environment, select_autoescape

from bot import names

MAX_TURNS = 200
MAX_TEXT = 2000
# Intents whose messages are about the handoff itself, not the user's question.
NOT_A_QUESTION = {
    names.GREET,
    names.GOODBYE,
    names.THANK,
    names.AFFIRM,
    names.DENY,
    names.REQUEST_HUMAN,
    names.REQUEST_CONTACT,
    names.FRUSTRATION,
    names.BOT_CHALLENGE,
    names.HELP,
    names.MORE,
}
SPEAKERS = {"user": "Inwoner", "bot": "Assistent", "agent": "Medewerker"}

Turn = Dict[str, Any]


def _iso(timestamp: Optional[float]) -> Optional[str]:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(float(timestamp), timezone.utc).isoformat(timespec="seconds")


def _user_text(event: Mapping[str, Any]) -> str:
    text = event.get("text") or ""
    if text.startswith("/"):  # a button payload: say which button, not its syntax
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name") or text[1:]
        return f"[knop: {intent}]"
    return text


def from_events(events: Iterable[Mapping[str, Any]], limit: int = MAX_TURNS) -> List[Turn]:
    """The user's and the bot's messages of a tracker's events, oldest first (the last `limit`)."""
    turns: List[Turn] = []
    for event in events:
        kind = event.get("event")
        if kind == "user":
            text = _user_text(event)
        elif kind == "bot":
            text = event.get("text") or ""
        else:
            continue
        if text.strip():
            turns.append(
                {"from": kind, "text": text[:MAX_TEXT], "at": _iso(event.get("timestamp"))}
            )
    return turns[-limit:]


def draft_question(events: Iterable[Mapping[str, Any]], limit: int = 1000) -> str:
    """The user's last message that asked something (pre-fills the contact request)."""
    for event in reversed(list(events)):
        if event.get("event") != "user":
            continue
        text = (event.get("text") or "").strip()
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if text and not text.startswith("/") and intent not in NOT_A_QUESTION:
            return " ".join(text.split())[:limit]
    return ""


def to_text(turns: List[Turn]) -> str:
    """One line per message: `[time] Speaker: text`."""
    lines = []
    for turn in turns:
        when = (turn.get("at") or "")[:19].replace("T", " ")
        who = SPEAKERS.get(turn.get("from", ""), turn.get("from", ""))
        lines.append(
            f"[{when}] {who}: {turn.get('text', '')}" if when else f"{who}: {turn.get('text', '')}"
        )
    return "\n".join(lines)


_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_HTML = _ENV.from_string(
    """<table role="presentation" style="border-collapse:collapse">
{% for t in turns %}<tr>
<td style="padding:2px 8px;color:#666;white-space:nowrap">
{{ (t.at or "")[:19]|replace("T", " ") }}</td>
<td style="padding:2px 8px;font-weight:bold">{{ speakers.get(t["from"], t["from"]) }}</td>
<td style="padding:2px 8px;white-space:pre-wrap">{{ t.text }}</td></tr>
{% endfor %}</table>"""
)


def to_html(turns: List[Turn]) -> str:
    """An HTML table of the messages, every text escaped."""
    return _HTML.render(turns=turns, speakers=SPEAKERS)
