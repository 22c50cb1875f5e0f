"""One `Reply`, rendered in the best format of each channel. Pure functions, no Rasa imports.

- widget (socket.io): a message with text, quick replies and cards (web/static/widget.js);
- Telegram: short text and an inline keyboard (link and detail button per result);
- WhatsApp and SMS: a compact numbered list with one link each; answering a number picks;
- Slack: Block Kit blocks;
- Messenger: a generic template (one card per result) and quick replies;
- anything else: the reply's own text and buttons.

``base_url`` is the assistant's public address (PUBLIC_URL): without it, channels other than
the widget (which knows its server) get no calendar link.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from bot.replies.model import Button, Reply, ResultItem

CALENDAR_TITLE = "In mijn agenda"
PICK_NUMBER = "Stuur een nummer voor meer informatie."
OPTIONS_TITLE = "Wat wil je nu doen?"
TELEGRAM_MAX_CALLBACK_BYTES = 64
MESSENGER_MAX_ELEMENTS = 10
MESSENGER_MAX_TITLE = 80
MESSENGER_MAX_BUTTON_TITLE = 20
MESSENGER_MAX_QUICK_REPLIES = 13
SLACK_MAX_BUTTON_TEXT = 75


def cut(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, ending in an ellipsis when cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def calendar_url(item: ResultItem, base_url: str) -> Optional[str]:
    """The absolute address of an event's .ics file, or None without a calendar or base URL."""
    if not item.calendar_path or not base_url:
        return None
    return base_url.rstrip("/") + item.calendar_path


def summary(item: ResultItem) -> str:
    """ "4. Titel (za 14 dec 14:00, Haarlem)": one line per result."""
    facts = f" ({', '.join(item.facts)})" if item.facts else ""
    return f"{item.number}. {item.title}{facts}"


# --------------------------------------------------------------------------- widget
def widget_message(reply: Reply) -> Dict[str, Any]:
    """The socket.io message for the web widget: it shows ``cards`` as cards.

    A widget that does not know cards still shows the intro and the quick replies.
    """
    return {
        "text": reply.intro or reply.text,
        "cards": [i.to_dict() for i in reply.items],
        "notes": list(reply.notes),
        "quick_replies": [
            {"content_type": "text", "title": t, "payload": p} for t, p in reply.buttons
        ],
    }


# --------------------------------------------------------------------------- WhatsApp / SMS
def numbered(reply: Reply) -> Tuple[str, List[Dict[str, str]]]:
    """A compact numbered list with one link per result, and the choices the numbers pick.

    Results are numbered 1..n on each message (the number the user sends back), followed by
    the other options. Single line breaks only: Twilio sends parts between blank lines as
    separate messages.
    """
    choices = [{"title": i.detail[0], "payload": i.detail[1]} for i in reply.items]
    lines = [reply.intro] if reply.intro else []
    for n, item in enumerate(reply.items, start=1):
        facts = f" ({', '.join(item.facts)})" if item.facts else ""
        lines.append(f"{n}. {item.title}{facts}")
        lines.append(f"{item.link.title}: {item.link.url}")
    if reply.items:
        lines.append(PICK_NUMBER)
    for n, (title, payload) in enumerate(reply.buttons, start=len(reply.items) + 1):
        lines.append(f"{n}. {title}")
        choices.append({"title": title, "payload": payload})
    lines += reply.notes
    return "\n".join(lines), choices


# --------------------------------------------------------------------------- Telegram
def telegram(reply: Reply, base_url: str = "") -> Tuple[str, List[List[Dict[str, str]]]]:
    """Short text and inline keyboard rows (dicts as in the Bot API's InlineKeyboardButton)."""
    lines = [reply.intro] if reply.intro else []
    lines += [summary(i) for i in reply.items]
    lines += reply.notes
    rows: List[List[Dict[str, str]]] = []
    for item in reply.items:
        row = [{"text": f"{item.number}. {item.link.title}", "url": item.link.url}]
        if _fits_callback(item.detail[1]):
            row.append(
                {"text": f"{item.number}. {item.detail[0]}", "callback_data": item.detail[1]}
            )
        rows.append(row)
        url = calendar_url(item, base_url)
        if url:
            rows.append([{"text": f"{item.number}. {CALENDAR_TITLE}", "url": url}])
    rows += [[{"text": t, "callback_data": p}] for t, p in reply.buttons if _fits_callback(p)]
    return "\n".join(lines), rows


def _fits_callback(payload: str) -> bool:
    return len(payload.encode("utf-8")) <= TELEGRAM_MAX_CALLBACK_BYTES


# --------------------------------------------------------------------------- Slack
def slack_escape(text: str) -> str:
    """Slack mrkdwn needs &, < and > escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_button(
    text: str, action_id: str, value: Optional[str] = None, url: Optional[str] = None
) -> Dict[str, Any]:
    button: Dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": cut(text, SLACK_MAX_BUTTON_TEXT)},
    }
    if value is not None:
        button["value"] = value
    if url is not None:
        button["url"] = url
    return button


def slack(reply: Reply, base_url: str = "") -> List[Dict[str, Any]]:
    """Block Kit blocks: a section per result with its link button, then its actions."""
    blocks: List[Dict[str, Any]] = []
    if reply.intro:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": slack_escape(reply.intro)}}
        )
    for item in reply.items:
        text = f"*{slack_escape(item.title)}*"
        if item.facts:
            text += "\n" + slack_escape(", ".join(item.facts))
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": text},
                "accessory": _slack_button(item.link.title, f"link-{item.id}", url=item.link.url),
            }
        )
        actions = [_slack_button(item.detail[0], f"detail-{item.id}", value=item.detail[1])]
        url = calendar_url(item, base_url)
        if url:
            actions.append(_slack_button(CALENDAR_TITLE, f"calendar-{item.id}", url=url))
        blocks.append({"type": "actions", "elements": actions})
    if reply.buttons:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    _slack_button(t, f"option-{n}", value=p)
                    for n, (t, p) in enumerate(reply.buttons, start=1)
                ],
            }
        )
    if reply.notes:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": slack_escape(n)} for n in reply.notes],
            }
        )
    return blocks


# --------------------------------------------------------------------------- Messenger
def messenger(reply: Reply, base_url: str = "") -> List[Dict[str, Any]]:
    """The Send API messages: the intro, a generic template, then notes and quick replies."""
    elements = []
    for item in reply.items[:MESSENGER_MAX_ELEMENTS]:
        buttons = [
            {
                "type": "web_url",
                "url": item.link.url,
                "title": cut(item.link.title, MESSENGER_MAX_BUTTON_TITLE),
            },
            {
                "type": "postback",
                "payload": item.detail[1],
                "title": cut(item.detail[0], MESSENGER_MAX_BUTTON_TITLE),
            },
        ]
        url = calendar_url(item, base_url)
        if url:
            buttons.append(
                {
                    "type": "web_url",
                    "url": url,
                    "title": cut(CALENDAR_TITLE, MESSENGER_MAX_BUTTON_TITLE),
                }
            )
        element = {
            "title": cut(f"{item.number}. {item.title}", MESSENGER_MAX_TITLE),
            "buttons": buttons,
        }
        if item.facts:
            element["subtitle"] = cut(", ".join(item.facts), MESSENGER_MAX_TITLE)
        elements.append(element)
    messages: List[Dict[str, Any]] = []
    if reply.intro:
        messages.append({"text": reply.intro})
    if elements:
        messages.append(
            {
                "attachment": {
                    "type": "template",
                    "payload": {"template_type": "generic", "elements": elements},
                }
            }
        )
    if reply.notes or reply.buttons:
        last: Dict[str, Any] = {"text": "\n".join(reply.notes) or OPTIONS_TITLE}
        if reply.buttons:
            last["quick_replies"] = [
                {"content_type": "text", "payload": p, "title": cut(t, MESSENGER_MAX_BUTTON_TITLE)}
                for t, p in reply.buttons[:MESSENGER_MAX_QUICK_REPLIES]
            ]
        messages.append(last)
    return messages


# --------------------------------------------------------------------------- fallback
def plain(reply: Reply) -> Tuple[str, List[Button]]:
    """Any other channel: the reply's own complete text and its buttons."""
    return reply.text, list(reply.buttons)
