"""Words people (and event feeds) use for "online" and "on site": one list for every module.

Used by the search dialogue (bot/catalog/dialogue.py), the .ics feed parser
(bot/feeds/parsers.py) and the generated NLU vocabulary (bot/nlp/vocabulary.py).
"""

from __future__ import annotations

import re

ONLINE_WORDS = (
    "online",
    "digitaal",
    "virtueel",
    "zoom",
    "teams",
    "op afstand",
    "webinar",
    "livestream",
)
ON_SITE_WORDS = ("in haarlem", "op locatie", "fysiek", "in het echt", "ter plekke")

ONLINE_PATTERN = re.compile(r"\b(" + "|".join(map(re.escape, ONLINE_WORDS)) + r")\b", re.IGNORECASE)
