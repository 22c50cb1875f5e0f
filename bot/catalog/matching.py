"""Map the words people use to vocabulary ids (categories, event kinds, impact kinds).

``options`` is either a mapping ``{id: [synonyms...]}`` or an iterable of terms with ``id``, ``naam``
and ``synoniemen`` (Category, EventKind, ImpactKind). Matching, in order:

1. exact: the term is the id, the name or a synonym (after lower-casing, removing accents and
   punctuation, and a light Dutch inflection strip: "-en", "-s", "-'s", "-tje(s)");
2. compound: a synonym is the head (end) of the term, at least 4 letters ("kantoorschoonmaak",
   "mantelzorg"), or the modifier (start) of the term, at least 6 letters ("schoonmaakbedrijf");
   the longest synonym wins, a head before a modifier (the head carries the meaning in Dutch); a
   shorter modifier (4+ letters) only before a generic head ("zorgopdrachten", "theehandel");
   Before compounds, a verb form is tried as its lemma ("gemaaid" -> "maaien", bot.text.lexicon);
3. fuzzy: a typo of a single-word synonym, for terms of at least 5 letters that are not a Dutch
   word the lexicon knows ("tussen" is no slip for "tassen", "plaatsen" none for "plantsoen"): rapidfuzz
   ``fuzz.ratio`` >= ``FUZZY_THRESHOLD`` (82) AND at most ``max_typos`` Levenshtein edits (1 for
   words up to 7 letters, 2 for longer ones) AND the same first letter.

Why both: ``fuzz.ratio`` is 100 * (1 - edits / (len(a) + len(b))) with insertions and deletions as
edits (a substitution counts 2). One typo in a word of 6 letters or more stays above 82 (a swapped or
wrong letter in "catring"/"schoonmaakt" scores 83-95), while different words that share a stem stay
below it ("drukte" vs "drukwerk" 71, "thuis" vs "thee" 67). But the ratio alone let an ordinary word
two letters away through: "klein" scored 83 against "kleding" and a housing corporation asking for
"klein onderhoud" got textile offers. A typo is one slip of the keyboard (two in a long word); a
different word is not, so the edit count is the floor. ``LOOKALIKES`` are common words that are a
typo away from a synonym and never name a category themselves.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, Iterable, List, Mapping, Optional, Protocol, Sequence, Tuple, Union, cast

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.text import lexicon

FUZZY_THRESHOLD = 82
SUGGEST_THRESHOLD = 50
MIN_HEAD = 4
MIN_MODIFIER = 6
MIN_FUZZY = 5


def max_typos(word: str) -> int:
    """Edits a typo may make in `word`: one up to 7 letters, two in longer words."""
    return 1 if len(word) <= 7 else 2


# Ordinary words a typo away from a synonym ("klein" / "kleding", "zoeken" / "koeken"): never a
# category by themselves.
LOOKALIKES = frozenset(["klein", "kleine", "kleiner", "groot", "grote", "eigen", "leden"])

# Words that never name a category or kind by themselves (skipped in free sentences).
STOPWORDS = frozenset(
    [
        "aan",
        "al",
        "alle",
        "alles",
        "als",
        "andere",
        "bedrijf",
        "bedrijven",
        "bij",
        "dan",
        "dat",
        "de",
        "deze",
        "die",
        "dit",
        "doen",
        "een",
        "en",
        "er",
        "graag",
        "heb",
        "hebben",
        "het",
        "hoe",
        "ik",
        "in",
        "is",
        "je",
        "jullie",
        "kan",
        "kun",
        "kunnen",
        "maar",
        "me",
        "mee",
        "met",
        "mijn",
        "na",
        "naar",
        "niet",
        "nog",
        "of",
        "om",
        "onder",
        "ons",
        "onze",
        "ook",
        "op",
        "over",
        "te",
        "tot",
        "u",
        "uit",
        "van",
        "veel",
        "voor",
        "waar",
        "wanneer",
        "wat",
        "we",
        "welke",
        "wie",
        "wil",
        "willen",
        "wij",
        "zijn",
        "zo",
        "zoek",
        "zoeken",
        "zou",
        "zouden",
        "haarlem",
        "organisatie",
        "organisaties",
        "leverancier",
        "leveranciers",
        "iemand",
        "iets",
        "ondernemer",
        "ondernemers",
        "sociaal",
        "sociale",
        "impact",
        "inkoop",
        "inkopen",
        "vraag",
        "aanbod",
        "evenement",
        "evenementen",
        "activiteit",
        "activiteiten",
        "hallo",
        "hoi",
        "dag",
        "goedemorgen",
        "bedankt",
        "dank",
        "please",
    ]
)


class NamedTerm(Protocol):
    """A vocabulary term (Category, EventKind, ImpactKind): id, Dutch name and synonyms."""

    @property
    def id(self) -> str: ...

    @property
    def naam(self) -> str: ...

    @property
    def synoniemen(self) -> Sequence[str]: ...


Options = Union[Mapping[str, Union[Iterable[str], NamedTerm]], Iterable[NamedTerm]]


def normalize(text: str) -> str:
    """Lower case, accents removed, punctuation to spaces (hyphens too), single spaces."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"['’`]", "", text)
    text = re.sub(r"[^\w]+", " ", text)
    return text.strip()


def stem(word: str) -> str:
    """A light Dutch inflection strip for single words: plurals, diminutives; not a real lemmatizer."""
    for suffix in ("tjes", "tje", "jes", "je"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    # The Flemish diminutive: "bedrijfke(s)", and "-ske(s)" after a k: "geschenkske".
    for suffix in ("skes", "ske", "kes", "ke"):
        base = word[: -len(suffix)]
        after_k = suffix.startswith("s") == base.endswith("k")
        if word.endswith(suffix) and len(base) >= 5 and after_k:
            return base
    if word.endswith("en") and len(word) >= 6:
        return word[:-2]
    if word.endswith("s") and len(word) >= 5 and not word.endswith("ss"):
        return word[:-1]
    return word


@dataclass(frozen=True)
class Vocabulary:
    """Prepared lookup tables for one set of options."""

    forms: Dict[str, str]  # normalized form (and its stem) -> id
    words: Tuple[Tuple[str, str], ...]  # single-word forms (form, id), for compounds and fuzzy
    phrases: Tuple[Tuple[re.Pattern[str], str, int], ...]  # multi-word forms, longest first
    choices: Tuple[str, ...]  # every form, for suggestions
    choice_ids: Tuple[str, ...]

    @classmethod
    def build(cls, options: Options) -> Vocabulary:
        forms: Dict[str, str] = {}
        for key, synonyms in _pairs(options):
            for raw in [key, key.replace("_", " "), *synonyms]:
                form = normalize(raw)
                if not form:
                    continue
                forms.setdefault(form, key)
                if " " not in form:
                    forms.setdefault(stem(form), key)
                else:
                    forms.setdefault(form.replace(" ", ""), key)
        words = tuple((f, k) for f, k in forms.items() if " " not in f)
        multi = sorted((f for f in forms if " " in f), key=len, reverse=True)
        phrases = tuple(
            (re.compile(rf"(?<!\w){re.escape(f)}(?!\w)"), forms[f], f.count(" ") + 1) for f in multi
        )
        return cls(
            forms=forms,
            words=words,
            phrases=phrases,
            choices=tuple(forms),
            choice_ids=tuple(forms.values()),
        )


def _pairs(options: Options) -> List[Tuple[str, List[str]]]:
    if isinstance(options, Vocabulary):
        raise TypeError("pass options, not a Vocabulary")
    if isinstance(options, Mapping):
        items = []
        for key, value in options.items():
            if hasattr(value, "synoniemen"):
                term = cast(NamedTerm, value)
                items.append((key, [term.naam, *term.synoniemen]))
            else:
                items.append((key, list(cast(Iterable[str], value))))
        return items
    return [(term.id, [term.naam, *term.synoniemen]) for term in options]


def vocabulary(options: Union[Options, Vocabulary]) -> Vocabulary:
    """A Vocabulary for ``options``; cached for hashable inputs, so repeated calls are cheap."""
    if isinstance(options, Vocabulary):
        return options
    try:
        return _cached(_freeze(options))
    except TypeError:
        return Vocabulary.build(options)


def _freeze(options: Options) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
    return tuple((key, tuple(words)) for key, words in _pairs(options))


@lru_cache(maxsize=64)
def _cached(frozen: Tuple[Tuple[str, Tuple[str, ...]], ...]) -> Vocabulary:
    return Vocabulary.build({key: list(words) for key, words in frozen})


# Heads that make any category word before them a compound of that category: "zorgopdrachten",
# "theehandel", "drukwerkleverancier" (a short modifier counts only before one of these).
GENERIC_HEADS = frozenset(
    [
        "opdracht",
        "opdrachten",
        "handel",
        "bedrijf",
        "bedrijfje",
        "bedrijven",
        "winkel",
        "dienst",
        "diensten",
        "zaak",
        "branche",
        "sector",
        "markt",
        "leverancier",
        "leveranciers",
        "aanbieder",
        "aanbieders",
        "vraag",
        "vragen",
        "kansen",
        "tender",
        "tenders",
        "atelier",
        "werkplaats",
        "branderij",
        "blenderij",
        "makerij",
        "service",
        "levering",
        "leveringen",
        "specialist",
    ]
)


def _compound(word: str, vocab: Vocabulary) -> Optional[str]:
    heads = [
        (f, k)
        for f, k in vocab.words
        if len(f) >= MIN_HEAD and len(word) > len(f) and word.endswith(f)
    ]
    if heads:
        return max(heads, key=lambda fk: len(fk[0]))[1]
    modifiers = [
        (f, k)
        for f, k in vocab.words
        if len(word) > len(f)
        and word.startswith(f)
        and (len(f) >= MIN_MODIFIER or (len(f) >= MIN_HEAD and word[len(f) :] in GENERIC_HEADS))
    ]
    if modifiers:
        return max(modifiers, key=lambda fk: len(fk[0]))[1]
    return None


def _fuzzy(word: str, vocab: Vocabulary) -> Optional[str]:
    if len(word) < MIN_FUZZY or not vocab.words or word in LOOKALIKES or lexicon.is_known(word):
        return None
    forms = [f for f, _ in vocab.words]
    limit = max_typos(word)
    for form, _score, index in process.extract(
        word, forms, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD, limit=5
    ):
        if form[0] == word[0] and Levenshtein.distance(word, form, score_cutoff=limit) <= limit:
            return vocab.words[index][1]
    return None


def _resolve_word(word: str, vocab: Vocabulary) -> Optional[str]:
    if word in vocab.forms:
        return vocab.forms[word]
    if stem(word) in vocab.forms:
        return vocab.forms[stem(word)]
    base = lexicon.lemma(word) if len(word) >= MIN_HEAD else None
    if base is not None and (base in vocab.forms or stem(base) in vocab.forms):
        return vocab.forms.get(base) or vocab.forms[stem(base)]
    return _compound(word, vocab) or _fuzzy(word, vocab)


def resolve(term: str, options: Union[Options, Vocabulary]) -> Optional[str]:
    """The id ``term`` stands for (exact, then compound, then fuzzy), or None."""
    vocab = vocabulary(options)
    form = normalize(term or "")
    if not form:
        return None
    if form in vocab.forms:
        return vocab.forms[form]
    if " " not in form:
        return _resolve_word(form, vocab)
    if form.replace(" ", "") in vocab.forms:
        return vocab.forms[form.replace(" ", "")]
    found = find_in_text(form, vocab)
    if len(found) == 1:
        return found[0]
    best = process.extractOne(form, vocab.choices, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD)
    return vocab.choice_ids[best[2]] if best else None


def nearest(term: str, options: Union[Options, Vocabulary], n: int = 3) -> List[str]:
    """Up to ``n`` ids whose words look most like ``term``, best first (for "bedoel je ...?")."""
    vocab = vocabulary(options)
    form = normalize(term or "")
    if not form or n <= 0:
        return []
    scores: Dict[str, float] = {}
    for scorer in (fuzz.ratio, fuzz.partial_ratio):
        for _, score, index in process.extract(
            form, vocab.choices, scorer=scorer, limit=None, score_cutoff=SUGGEST_THRESHOLD
        ):
            key = vocab.choice_ids[index]
            weighted = score if scorer is fuzz.ratio else score * 0.9
            scores[key] = max(scores.get(key, 0.0), weighted)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return [key for key, _ in ranked[:n]]


def find_in_text(text: str, options: Union[Options, Vocabulary]) -> List[str]:
    """Every id mentioned in a free sentence, in order of appearance, without duplicates."""
    vocab = vocabulary(options)
    clean = normalize(text or "")
    hits: List[Tuple[int, str]] = []
    taken = [False] * len(clean)
    for pattern, key, _ in vocab.phrases:
        for match in pattern.finditer(clean):
            if any(taken[match.start() : match.end()]):
                continue
            hits.append((match.start(), key))
            for i in range(match.start(), match.end()):
                taken[i] = True
    for match in re.finditer(r"\w+", clean):
        word = match.group(0)
        if taken[match.start()] or word in STOPWORDS or word.isdigit():
            continue
        found = _resolve_word(word, vocab)
        if found is not None:
            hits.append((match.start(), found))
    result: List[str] = []
    for _, key in sorted(hits):
        if key not in result:
            result.append(key)
    return result
