"""The message-length limits are set in one place each and agree with each other.

- MAX_MESSAGE_CHARS (bot/settings.py): the longest message a channel accepts (413 / a reply);
- NLU_MAX_CHARS (bot/text/guard.py): what the NLU reads of a message; MessageGuard's default;
- the widget's `data-max-chars` default: what one can type, never more than the server takes.
"""

import re

import yaml

from bot import PROJECT_ROOT
from bot.nlp.message_guard import MessageGuard
from bot.settings import Settings
from bot.text.guard import NLU_MAX_CHARS

WIDGET = (PROJECT_ROOT / "web" / "static" / "widget.js").read_text(encoding="utf-8")


def widget_default_max_chars() -> int:
    match = re.search(r'maxChars: parseInt\(data\.maxChars \|\| "(\d+)", 10\)', WIDGET)
    assert match, "widget.js reads data-max-chars"
    return int(match.group(1))


def test_the_nlu_limit_has_one_source():
    assert MessageGuard.get_default_config()["max_chars"] == NLU_MAX_CHARS
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    guard = next(c for c in config["pipeline"] if c["name"].endswith("MessageGuard"))
    assert "max_chars" not in guard, "config.yml must not set its own copy of NLU_MAX_CHARS"


def test_the_widget_never_allows_more_than_the_server_accepts():
    server = Settings.from_env({}).max_message_chars
    assert NLU_MAX_CHARS <= widget_default_max_chars() <= server
    assert "maxlength: String(config.maxChars)" in WIDGET
