"""Helpers for conversations through real servers."""

import uuid
from typing import List, Tuple


def sender(prefix: str = "persist") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def say(rasa_server, who: str, text: str, timeout: float = 30) -> Tuple[str, List[dict]]:
    messages = rasa_server.say(who, text, timeout=timeout)
    return "\n\n".join(m.get("text", "") for m in messages), [
        b for m in messages for b in m.get("buttons", [])
    ]


def numbered(text: str) -> List[str]:
    return [line for line in text.splitlines() if line[:3].rstrip(". ").isdigit()]
