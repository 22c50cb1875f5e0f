"""A greeting in front of a question ("Hoi! Wat is LOL?"): the NLU reads the question.

People often greet and ask in one message. An intent classifier gives one intent per message, and
the greeting words won often enough ("hoi, hoe meld ik me aan" got only a greeting back). So the
NLU reads a message without its leading greeting when a real question follows (at least
`MIN_REST_WORDS` words); a greeting alone ("hallo", "goedemorgen allemaal") stays a greeting.
The tracker keeps the whole message. Pure Python, linear in the length of the text.
"""

from __future__ import annotations

import re
from typing import Optional

# Lower case, matched as whole words at the start of the message.
GREETINGS = (
    "goedemorgen",
    "goedemiddag",
    "goedenavond",
    "goedendag",
    "goeiemorgen",
    "goeiemiddag",
    "goeienavond",
    "goeiedag",
    "goeiendag",
    "goeienmiddag",
    "goedenmiddag",
    "middag",
    "goede morgen",
    "goede middag",
    "hallootjes",
    "hallooo",
    "halloo",
    "hallo",
    "hoihoi",
    "hoii",
    "hoi",
    "heyyy",
    "heyy",
    "hey",
    "heey",
    "heej",
    "hee",
    "hai",
    "hi",
    "hello",
    "hej",
    "yo",
    "moi",
    "dag",
    "beste",
    "geachte",
)
# Words that may follow a greeting ("hallo daar", "beste gemeente", "hoi allemaal").
ADDRESSEES = (
    "daar",
    "allemaal",
    "allen",
    "assistent",
    "chatbot",
    "bot",
    "team",
    "gemeente",
    "haarlem",
    "meneer",
    "mevrouw",
    "heer",
    "dame",
    "heren",
    "dames",
    "medewerker",
    "samen",
    "iedereen",
    "zenne",
)
# "Goedemiddag, u spreekt met Priya." / "hoi, met Bram van inkoop": an introduction after a
# greeting is part of the greeting; a question after it is what the NLU reads.
INTRODUCTIONS = (
    "u spreekt met",
    "je spreekt met",
    "jij spreekt met",
    "hier spreekt",
    "mijn naam is",
    "ik heet",
    "ik ben",
    "hier is",
    "dit is",
    "met",
)
# After the name: "van team inkoop", "namens de corporatie", "bij Elan Wonen", up to 4 words.
AFFILIATIONS = ("van", "namens", "bij", "uit", "vanuit")
MAX_AFFILIATION_WORDS = 4
_SENTENCE_END = ".!?,;:"
MIN_REST_WORDS = 2
GREETING_FOR_NLU = "hallo"
# Interjections that may come before a greeting ("allez, goeiendag", "nou hallo"); only skipped
# when a greeting follows, so "allez, tot ziens" stays a goodbye.
FILLERS = ("allez", "awel", "jo", "nou", "zo", "ha", "hé", "he", "oh", "ah")
# After a greeting, a rest that only announces a question or checks that someone is there
# ("hoi, ik zit met een vraag", "hoi hoi, ben je er") is still just a greeting.
_ANNOUNCEMENT_ONLY = re.compile(
    r"(?:(?:(?:ik|'?k)\s+)?(?:heb|had|zit\s+(?:hier\s+)?met|zat\s+(?:hier\s+)?met)\s+(?:nog\s+)?"
    r"(?:een|wat|een\s+paar|enkele|ne|nen)\s+(?:vraag|vraagje|vragen|vraagjes|vraagske)(?:\s+(?:voor|aan)\s+(?:jullie|je|jou|u))?"
    r"|(?:mag|kan|kun)\s+ik\s+(?:je\s+|jou\s+|u\s+|jullie\s+)?(?:iets|wat|een\s+vraag)"
    r"(?:\s+vragen)?"
    r"|ik\s+(?:wil|wou|zou)\s+(?:graag\s+)?(?:je\s+|u\s+)?(?:iets|wat)\s+(?:vragen|weten)"
    r"(?:\s+graag)?"
    r"|(?:ben\s+(?:je|jij|u)|is\s+(?:er|daar)\s+iemand|iemand)(?:\s+(?:er|daar|thuis|aanwezig))?"
    r")[\s.!?,;:]*",
    re.IGNORECASE,
)
_SEPARATORS = " \t\r\n,.!?:;-–—~"


def _take(text: str, start: int, words: tuple) -> Optional[int]:
    """The end of one of `words` at `start` (a whole word), or None."""
    lowered = text[start : start + 20].lower()
    for word in words:
        end = len(word)
        if lowered.startswith(word) and (end == len(lowered) or not lowered[end].isalpha()):
            return start + end
    return None


def _skip(text: str, position: int) -> int:
    while position < len(text) and text[position] in _SEPARATORS:
        position += 1
    return position


# "Oké, en wat doet Haarlem dan?": an acknowledgement in front of a new question.
# Not "ja"/"nee"/"prima": at a yes/no question "ja, kan iemand me bellen?" is a yes.
ACKNOWLEDGEMENTS = (
    "okay",
    "okee",
    "oke",
    "oké",
    "ok",
    "top",
    "duidelijk",
    "helder",
    "dankjewel",
    "dankje",
    "dank je wel",
    "dank je",
    "dank u wel",
    "dank u",
    "merci",
    "thx",
    "bedankt",
    "thanks",
    "mooi",
    "fijn",
    "aha",
    "ah",
)
QUESTION_STARTS = (
    "en ",
    "maar ",
    "wat ",
    "wie ",
    "hoe ",
    "waar ",
    "wanneer ",
    "welke ",
    "welk ",
    "waarom ",
    "kan ",
    "kun ",
    "kunnen ",
    "mag ",
    "heeft ",
    "hebben ",
    "is ",
    "zijn ",
    "geldt ",
    "doet ",
    "doen ",
    "moet ",
)


_THANKS_TAIL = 40


def strip_acknowledgement(text: str) -> str:
    """`text` without a leading "oké," / "ja," when a question follows (never "ja, graag")."""
    position = _skip(text, 0)
    end = _take(text, position, ACKNOWLEDGEMENTS)
    if end is None:
        return text
    rest = text[_skip(text, end) :]
    lowered = rest.lower()
    if lowered.startswith(("voor ", "hoor")):
        # "bedankt voor de info! En zijn er ook workshops?": the thanks ends at the sentence end.
        stop = next((i for i, c in enumerate(rest[:_THANKS_TAIL]) if c in ".!"), None)
        if stop is not None:
            rest = rest[_skip(rest, stop) :]
            lowered = rest.lower()
    is_question = rest.rstrip().endswith("?") or lowered.startswith(QUESTION_STARTS)
    if not is_question or len(rest.split()) < 3:
        return text
    return rest


# "nee wacht, ik koop niet in, ik brand zelf koffie": a correction of the last answer; the NLU
# reads what the user wants now. Only with a marker of a correction ("wacht", "sorry", "ik bedoel
# (niet)"), so "nee, ik zoek zelf wel verder" at a yes/no question stays a no.
_CORRECTION = re.compile(
    r"\s*(?:nee|neen|nope)\b[\s,.!]*(?:(?:wacht|sorry|oeps|sorry hoor)\b[\s,.!:]*"
    r"|(?=ik\s+bedoel\b|dat\s+bedoel\s+ik\b))"
    r"(?:(?:ik\s+bedoel\s+niet|dat\s+bedoel\s+ik\s+niet|niet)\b[^,.;!?]{0,60}[,.;!?]+\s*)?"
    r"(?:ik\s+bedoel\s*,?\s*)?",
    re.IGNORECASE,
)
MIN_CORRECTION_WORDS = 4


def strip_correction(text: str) -> str:
    """`text` without a leading "nee wacht," / "nee, ik bedoel niet X," when what the user
    wants now follows (MIN_CORRECTION_WORDS+ words)."""
    match = _CORRECTION.match(text)
    if match is None or match.end() == 0:
        return text
    rest = text[match.end() :]
    return rest if len(rest.split()) >= MIN_CORRECTION_WORDS else text


# "Ik heb nog een vraag. Sinds wanneer ...?": an announcement of a question, then the question.
_PREAMBLE = re.compile(
    r"(?:(?:ik\s+)?(?:heb|had)\s+(?:nog\s+)?(?:een\s+)?|nog\s+een\s+|even\s+een\s+|een\s+)?"
    r"(?:vraag|vraagje|vragen)(?:\s+(?:voor|aan)\s+(?:jullie|je|u))?\s*[.:!,?]+\s*",
    re.IGNORECASE,
)


def strip_preamble(text: str) -> str:
    """`text` without a leading "Ik heb nog een vraag." when a question of 3+ words follows."""
    match = _PREAMBLE.match(text, _skip(text, 0))
    if match is None:
        return text
    rest = text[match.end() :]
    return rest if len(rest.split()) >= 3 else text


# "Morgen!" alone is "goedemorgen"; in a sentence it is "tomorrow" and stays.
_BARE_MORNING = re.compile(
    r"\s*morgen(?:\s+(?:allemaal|samen|iedereen))?\s*[!.]*\s*", re.IGNORECASE
)


def strip_greeting(text: str) -> str:
    """`text` without a leading greeting (and an introduction or "ik heb een vraag") when a
    question follows; a greeting alone is read as GREETING_FOR_NLU."""
    if len(text) < 40 and _BARE_MORNING.fullmatch(text):
        return GREETING_FOR_NLU
    return strip_preamble(_strip_greeting(text))


def _strip_greeting(text: str) -> str:
    """`text` without a leading greeting when a question of MIN_REST_WORDS+ words follows."""
    position = _skip(text, 0)
    filler_end = _take(text, position, FILLERS)
    if filler_end is not None and _take(text, _skip(text, filler_end), GREETINGS) is not None:
        position = _skip(text, filler_end)
    greeted = False
    while position < len(text):
        end = _take(text, position, GREETINGS)
        if end is None:
            break
        greeted = True
        position = _skip(text, end)
        while (after := _take(text, position, ADDRESSEES)) is not None:
            position = _skip(text, after)
    if not greeted:
        return strip_correction(strip_acknowledgement(text))
    intro_end = _introduction(text, position)
    if intro_end is not None:
        question = text[_skip(text, intro_end) :]
        if question.lower().startswith("en "):
            question = question[3:]
        if announces_only(question):
            return _greeting_alone(text)
        if len(question.split()) < MIN_REST_WORDS or sum(c.isalpha() for c in question) < 6:
            return _greeting_alone(text)
        return question
    rest = text[position:]
    if not rest.strip(_SEPARATORS) or announces_only(rest):
        return _greeting_alone(text)
    if len(rest.split()) < MIN_REST_WORDS or sum(c.isalpha() for c in rest) < 6:
        return text
    return rest


def announces_only(rest: str) -> bool:
    """Whether `rest` (after a greeting) only announces a question or asks if someone is there."""
    rest = rest.strip(_SEPARATORS)
    return len(rest) <= 60 and _ANNOUNCEMENT_ONLY.fullmatch(rest) is not None


def _greeting_alone(text: str) -> str:
    """What the NLU reads for a message that is only a greeting (with addressees or an
    introduction): "hallo", so "goeiendag samen" is not read as "dag" (goodbye). A bare "dag"
    stays as it is: it says hello and goodbye."""
    position = _skip(text, 0)
    first = _take(text, position, GREETINGS)
    if first is not None and text[position:first].lower() == "dag":
        return text
    return GREETING_FOR_NLU


def _word_at(text: str, position: int) -> tuple:
    """The word starting at `position` and where it ends."""
    end = position
    while end < len(text) and (text[end].isalpha() or text[end] in "-'"):
        end += 1
    return text[position:end], end


def _introduction(text: str, position: int) -> Optional[int]:
    """The end of an introduction with a name at `position` ("ik ben Sanne van team inkoop"),
    or None. The name is one capitalised word (lower case only after "met": "met bram")."""
    lowered = text[position : position + 20].lower()
    starter = next(
        (w for w in INTRODUCTIONS if lowered.startswith(w + " ")),
        None,
    )
    if starter is None:
        return _name_here(text, position)
    name_at = _skip(text, position + len(starter))
    name, end = _word_at(text, name_at)
    if len(name) < 2 or not (name[0].isupper() or starter in ("met", "mijn naam is", "ik heet")):
        return None
    if name.lower() in ADDRESSEES or name.lower() in ("een", "de", "het", "ik", "jullie"):
        return None
    position = end
    for _ in range(2):  # a surname or two: "Anna Bakker", "Jan Willem Smit"
        word, word_end = _word_at(text, _skip_spaces(text, position))
        if not (word[:1].isupper() and len(word) > 1):
            break
        position = word_end
    return _affiliation(text, position)


def _name_here(text: str, position: int) -> Optional[int]:
    """The end of "Eva hier (van de corporatie)" at `position`, or None."""
    name, end = _word_at(text, position)
    if len(name) < 2 or not name[0].isupper() or name.lower() in ADDRESSEES:
        return None
    here, here_end = _word_at(text, _skip_spaces(text, end))
    if here.lower() != "hier":
        return None
    return _affiliation(text, here_end)


def _affiliation(text: str, position: int) -> Optional[int]:
    """The end of an introduction whose name ends at `position`: an optional "van team inkoop",
    then the end of the sentence; None when more follows in the same sentence."""
    word, word_end = _word_at(text, _skip_spaces(text, position))
    if word.lower() in AFFILIATIONS:
        position = word_end
        for _ in range(MAX_AFFILIATION_WORDS):
            at = _skip_spaces(text, position)
            if at >= len(text) or text[at] in _SENTENCE_END or text[at : at + 3].lower() == "en ":
                break
            word, word_end = _word_at(text, at)
            if not word:
                break
            position = word_end
    at = _skip_spaces(text, position)
    if at < len(text) and text[at] not in _SENTENCE_END and text[at : at + 3].lower() != "en ":
        return None  # more follows in the same sentence: not just an introduction
    return position


def _skip_spaces(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t":
        position += 1
    return position
