"""The generated vocabulary and the Dutch spaCy pipeline built from the programme data."""

from pathlib import Path

import spacy
import yaml

from bot.content.loader import load_programme
from bot.nlp import pipeline, training_data, vocabulary
from bot.nlp.message_guard import guard_reason, text_for_nlu
from tests.fixtures import FIXTURE_PROGRAMME

PROGRAMME = load_programme(FIXTURE_PROGRAMME)


def test_patterns_cover_every_topic_term():
    patterns = vocabulary.entity_patterns(PROGRAMME)
    by_text = {p["pattern"]: p["id"] for p in patterns}
    assert by_text["live online learning"] == "lol"
    assert by_text["sroi"] == "social_return"
    assert {p["label"] for p in patterns} == {"onderwerp"}


def test_generated_training_data_is_valid_rasa_yaml():
    doc = yaml.safe_load(training_data.render(PROGRAMME))
    synonyms = {item["synonym"]: item["examples"] for item in doc["nlu"]}
    assert "- live online learning" in synonyms["lol"]
    assert set(doc["responses"]) == {f"utter_faq/{t}" for t in PROGRAMME.topics}


def test_built_pipeline_lemmatizes_dutch_and_finds_topics(tmp_path: Path):
    patterns = vocabulary.entity_patterns(PROGRAMME)
    out = pipeline.build(tmp_path / "nl", patterns)
    assert pipeline.is_current(out, patterns)
    assert not pipeline.is_current(out, patterns[1:])
    nlp = spacy.load(out)
    doc = nlp("Wanneer zijn de evenementen van The Impact Days en wat is SROI?")
    assert [t.lemma_ for t in doc][3] == "evenement"
    assert [(e.text, e.ent_id_) for e in doc.ents] == [
        ("The Impact Days", "impact_days"),
        ("SROI", "social_return"),
    ]


def test_a_new_term_in_the_data_becomes_a_pattern():
    topic = PROGRAMME.topic("pso").copy(update={"termen": ["socialeladder"]})
    changed = type(PROGRAMME)(topics={**PROGRAMME.topics, "pso": topic}, contact=PROGRAMME.contact)
    assert {
        "label": "onderwerp",
        "pattern": "socialeladder",
        "id": "pso",
    } in vocabulary.entity_patterns(changed)


def test_guard_reason():
    assert guard_reason("😀", 100) == "no_words"
    assert guard_reason("", 100) == "no_words"
    assert guard_reason("a" * 101, 100) == "too_long"
    assert guard_reason("wat is lol", 100) is None


def test_markup_is_removed_before_nlu():
    assert guard_reason('<img src=x onerror="alert(1)">', 100) == "markup"
    assert guard_reason("<script>alert('x')</script>", 100) == "markup"
    assert guard_reason("<b>Wat is LOL?</b>", 100) is None
    assert text_for_nlu("<p>Wat is <b>LOL</b>?</p><script>x()</script>", 100) == "Wat is LOL ?"
    assert text_for_nlu("a" * 50, 10) == "a" * 10
