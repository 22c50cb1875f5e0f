from bot.nlp.fallback_rescue import rescued_faq


def selector(confidence):
    return {"faq": {"response": {"intent_response_key": "faq/pso", "confidence": confidence}}}


RANKING = [
    {"name": "nlu_fallback", "confidence": 1.0},
    {"name": "search_offers", "confidence": 0.29},
    {"name": "faq", "confidence": 0.27},
    {"name": "inform", "confidence": 0.1},
]


def test_a_sure_topic_rescues_a_programme_question_among_the_two_likeliest_intents():
    assert rescued_faq(RANKING, selector(0.83))


def test_an_unsure_topic_or_a_programme_question_further_down_does_not():
    assert not rescued_faq(RANKING, selector(0.6))
    assert not rescued_faq([RANKING[0], RANKING[1], RANKING[3], RANKING[2]], selector(0.9))
    assert not rescued_faq(RANKING, None)
    assert not rescued_faq([], selector(0.9))


def test_a_fallback_that_names_a_category_is_read_as_the_likeliest_search():
    from bot.nlp.fallback_rescue import rescued_search

    entities = [{"entity": "categorie", "value": "drukwerk"}]
    ranking = [
        {"name": "nlu_fallback", "confidence": 1.0},
        {"name": "faq", "confidence": 0.25},
        {"name": "search_opportunities", "confidence": 0.24},
        {"name": "search_offers", "confidence": 0.2},
    ]
    assert rescued_search(ranking, entities) == "search_opportunities"
    assert rescued_search(ranking, []) is None
    assert (
        rescued_search([ranking[0], ranking[1], {"name": "inform"}, ranking[2]], entities) is None
    )


def test_a_question_naming_the_topic_the_selector_is_sure_of_is_a_programme_question():
    from bot.nlp.fallback_rescue import question_about_named_topic

    topic = [{"entity": "onderwerp", "value": "pso"}]
    assert question_about_named_topic("heb ik als inkoper iets aan pso?", topic, selector(0.8))
    assert not question_about_named_topic("ik ben inkoper, pso", topic, selector(0.8))
    assert not question_about_named_topic("wat is pso?", topic, selector(0.4))
    assert not question_about_named_topic(
        "wat is pso?", topic + [{"entity": "categorie", "value": "catering"}], selector(0.8)
    )
    assert not question_about_named_topic("wat is lol?", [], selector(0.9))


def test_a_question_about_joining_the_platform_is_joining():
    from bot.nlp.fallback_rescue import joins_platform

    platform = {"faq": {"response": {"intent_response_key": "faq/inkoopplatform"}}}
    assert joins_platform("hoe kan ik meedoen met het inkoopplatform?", platform)
    assert joins_platform("kan mijn stichting ook op het platform komen?", platform)
    assert not joins_platform("wat is het inkoopplatform?", platform)
    assert not joins_platform("hoe kan ik meedoen?", selector(0.9))


def test_a_search_that_only_names_a_trade_gives_way_to_the_topic_it_asks_about():
    from bot.nlp.fallback_rescue import topic_over_search

    pso = [{"entity": "onderwerp", "value": "pso"}]
    text = "mijn schildersbedrijf wil op de prestatieladder, hoe begin ik?"
    assert topic_over_search("search_opportunities", text, pso, selector(0.9))
    assert not topic_over_search("search_opportunities", text, pso, selector(0.5))
    assert not topic_over_search(
        "search_opportunities", "zijn er opdrachten met pso?", pso, selector(0.9)
    )
    assert not topic_over_search("inform", text, pso, selector(0.9))


def test_rescue_applies_the_rules_in_order_and_leaves_other_messages_alone():
    from bot.nlp.fallback_rescue import rescue

    assert rescue("nlu_fallback", "x", [], RANKING, selector(0.83)) == ("faq", 0.83)
    entities = [{"entity": "categorie", "value": "drukwerk"}]
    assert rescue("nlu_fallback", "x", entities, RANKING, selector(0.2)) == (
        "search_offers",
        0.29,
    )
    assert rescue("faq", "wat is pso?", [], RANKING, selector(0.9)) is None
    assert rescue("greet", "hallo", [], RANKING, selector(0.9)) is None
