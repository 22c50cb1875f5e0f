from bot.content.answers import CONCEPT_NOTE, format_topic
from bot.content.loader import load_programme
from bot.content.topics import choose_topic, topic_from_response_key
from tests.fixtures import FIXTURE_PROGRAMME

PROGRAMME = load_programme(FIXTURE_PROGRAMME)


def test_response_key_to_topic():
    assert topic_from_response_key("faq/lol") == "lol"
    assert topic_from_response_key("greet") is None
    assert topic_from_response_key(None) is None


def test_confident_selector_wins_over_entity():
    assert choose_topic(PROGRAMME, "faq/pso", 0.9, ["lol"]) == "pso"


def test_single_named_topic_wins_over_unsure_selector():
    assert choose_topic(PROGRAMME, "faq/pso", 0.2, ["lol"]) == "lol"


def test_unsure_selector_used_when_no_single_topic_named():
    assert choose_topic(PROGRAMME, "faq/pso", 0.2, ["lol", "social_return"]) == "pso"
    assert choose_topic(PROGRAMME, "faq/bestaat_niet", 0.99, []) is None
    assert choose_topic(PROGRAMME, None, 0.0, ["onbekend"]) is None


def test_answer_has_text_and_source():
    text = format_topic(PROGRAMME.topic("lol"))
    assert text.startswith("LOL betekent Live Online Learning")
    assert "Bron: https://learningconnected.com" in text


def test_concept_answer_says_it_is_incomplete():
    text = format_topic(PROGRAMME.topic("actielijnen"))
    assert CONCEPT_NOTE in text
