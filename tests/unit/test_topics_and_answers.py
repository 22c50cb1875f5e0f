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


def test_a_follow_up_question_stays_with_the_previous_topic():
    from bot.content.topics import follow_up_topic, is_follow_up

    programme = load_programme(FIXTURE_PROGRAMME)
    some, other = list(programme.topics)[:2]
    assert is_follow_up("en wie geeft die trainingen?")
    assert is_follow_up("geldt dat alleen voor Haarlem?")
    assert is_follow_up("is er ook een lagere trede?")
    assert is_follow_up("hoe heten ze?")
    assert not is_follow_up("wat is de prestatieladder")
    assert not is_follow_up(
        "wat is de prestatieladder socialer ondernemen precies en hoe werkt het"
    )
    # unsure selector: the previous topic; a sure one or a named topic: the new one
    assert follow_up_topic(programme, some, f"faq/{other}", 0.4, []) == some
    assert follow_up_topic(programme, some, f"faq/{other}", 0.9, []) == other
    assert follow_up_topic(programme, some, f"faq/{some}", 0.2, [other]) == other
    assert follow_up_topic(programme, None, f"faq/{other}", 0.4, []) is None


def test_a_low_topic_well_ahead_of_the_runner_up_is_answered_a_close_one_is_asked():
    from bot.content.topics import is_unsure, runner_up_confidence

    key = "faq/lol"
    ranking = [
        {"intent_response_key": "faq/lol", "confidence": 0.29},
        {"intent_response_key": "faq/programma", "confidence": 0.14},
    ]
    assert runner_up_confidence(ranking, key) == 0.14
    assert not is_unsure(PROGRAMME, key, 0.29, [], runner_up=0.14)
    assert is_unsure(PROGRAMME, key, 0.29, [], runner_up=0.25)
    assert is_unsure(PROGRAMME, key, 0.2, [], runner_up=0.01)
    assert not is_unsure(PROGRAMME, key, 0.6, [], runner_up=0.4)
