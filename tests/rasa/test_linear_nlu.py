"""The scikit-learn classifiers of the NLU pipeline (bot/nlp/linear.py), without training Rasa."""

from bot.nlp.linear import TextModel, selector_output

TEXTS = {
    "search_events": [
        "welke evenementen zijn er",
        "wanneer is de volgende workshop",
        "zijn er bijeenkomsten in maart",
        "agenda van de netwerkborrels",
    ],
    "search_offers": [
        "ik zoek een cateraar",
        "wie levert koffie",
        "welke bedrijven doen schoonmaak",
        "ik wil kerstpakketten inkopen",
    ],
    "greet": ["hallo", "goedemorgen", "hoi daar", "dag assistent"],
}


def model() -> TextModel:
    texts = [t for items in TEXTS.values() for t in items]
    labels = [label for label, items in TEXTS.items() for _ in items]
    return TextModel().fit(texts, labels)


def test_ranking_is_a_probability_distribution_best_first():
    [ranking] = model().rank(["wanneer zijn er evenementen"])
    assert ranking[0][0] == "search_events"
    assert abs(sum(p for _, p in ranking) - 1.0) < 1e-6
    assert [p for _, p in ranking] == sorted((p for _, p in ranking), reverse=True)


def test_character_ngrams_survive_typos_and_case():
    [ranking] = model().rank(["WELKE EVENEMTEN ZIJN ER"])
    assert ranking[0][0] == "search_events"


def test_state_round_trip_gives_the_same_ranking():
    trained = model()
    again = TextModel.from_state(trained.state())
    assert again.rank(["ik zoek koffie"]) == trained.rank(["ik zoek koffie"])


def test_selector_output_has_the_shape_the_programme_action_reads():
    out = selector_output("faq", [("faq/lol", 0.7), ("faq/pso", 0.2)])
    response = out["faq"]["response"]
    assert response["intent_response_key"] == "faq/lol" and response["confidence"] == 0.7
    assert [r["intent_response_key"] for r in out["faq"]["ranking"]] == ["faq/lol", "faq/pso"]
    assert out["all_retrieval_intents"] == ["faq"]


HOSTILE = ["", "🙂🙂🙂", "<script>alert(1)</script>", "x" * 1000, "Hoi!! Ik ZOEK een cateraar..."]


def test_fast_scorer_gives_scikit_learns_probabilities():
    import numpy as np

    from bot.devtools.nlu_data import TEST_FILES, labelled_examples

    # The fixture model, and one on the held-out sentences (many labels, unseen n-grams):
    # on every text the fast path must give predict_proba's numbers.
    held_out = [pair for path in TEST_FILES for pair in labelled_examples(path)]
    big = TextModel().fit([t for _, t in held_out], [label for label, _ in held_out])
    texts = [t for items in TEXTS.values() for t in items] + HOSTILE
    for fitted in (model(), big):
        reference = fitted.probabilities(texts + [t for _, t in held_out[:200]])
        fitted.rank(["warm up"])
        fast = fitted._scorer.probabilities(texts + [t for _, t in held_out[:200]])
        assert np.allclose(reference, fast, rtol=0, atol=1e-9)


def test_fast_scorer_handles_two_labels_like_scikit_learn():
    import numpy as np

    fitted = TextModel().fit(TEXTS["greet"] + TEXTS["search_offers"], ["a"] * 4 + ["b"] * 4)
    reference = fitted.probabilities(TEXTS["search_events"] + HOSTILE)
    fitted.rank(["warm up"])
    assert np.allclose(reference, fitted._scorer.probabilities(TEXTS["search_events"] + HOSTILE))


def test_known_words_counts_words_seen_in_training():
    trained = model()
    assert trained.known_words("welke evenementen") == (2, 2)
    assert trained.known_words("asdfjkl qwerty") == (0, 2)
    assert trained.known_words("1234 cateraar") == (1, 1)  # numbers are not words
