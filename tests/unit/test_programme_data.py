"""The real programme data (`data/programme/`): schema and invariants only.

These tests must keep passing after any valid edit of the data, so they check no counts, ids,
names or addresses. Behaviour is tested on the frozen copy in tests/fixtures/programme/.
"""

from collections import Counter
from datetime import datetime

from bot import PROJECT_ROOT
from bot.catalog.loader import load_catalog
from bot.catalog.schema import AMSTERDAM
from bot.content.loader import load_programme

DATA = PROJECT_ROOT / "data" / "programme"
NOW = datetime.now(AMSTERDAM)


def test_topics_and_contact_load_and_every_entry_has_sources():
    programme = load_programme(DATA)
    assert programme.topics, "at least one topic"
    for topic in programme.topics.values():
        assert topic.bronnen and topic.antwoord.strip()
    assert programme.contact.bronnen and programme.contact.telefoon.strip()


def test_concept_topics_say_so():
    for topic in load_programme(DATA).topics.values():
        if topic.status == "concept":
            assert "niet" in topic.antwoord.lower(), topic.id


def test_catalogue_loads_with_sources_and_unique_ids():
    catalog = load_catalog(DATA, NOW)
    for kind in (catalog.offers, catalog.opportunities, catalog.events):
        ids = Counter(item.id for item in kind)
        assert all(n == 1 for n in ids.values()), ids.most_common(3)
        assert all(item.bronnen for item in kind)
    for event in catalog.events:
        assert event.end >= event.start and event.start.tzinfo is not None
    assert catalog.platform.bronnen


def test_example_entries_are_marked_as_examples():
    catalog = load_catalog(DATA, NOW)
    for item in [*catalog.offers, *catalog.opportunities, *catalog.events]:
        if item.status == "voorbeeld":
            link = getattr(item, "link", None) or getattr(item, "aanmelden", "")
            assert "voorbeeld" in link, item.id
