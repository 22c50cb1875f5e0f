import pytest

from bot.text.fallback import fallback_response
from bot.text.guard import MessageKind, classify, foreign_language


@pytest.mark.parametrize(
    "text, kind",
    [
        ("", MessageKind.EMPTY),
        ("   \n", MessageKind.EMPTY),
        (None, MessageKind.EMPTY),
        ("😀🎉👍", MessageKind.EMOJI_ONLY),
        ("?!...", MessageKind.EMOJI_ONLY),
        ("<script>alert('x')</script>", MessageKind.MARKUP),
        ('<img src=x onerror="alert(1)">', MessageKind.MARKUP),
        ("hallo " * 300, MessageKind.LONG),
        ("Where can I find information about tenders?", MessageKind.FOREIGN),
        ("Bonjour, je cherche des informations", MessageKind.FOREIGN),
        ("waar kan ik informatie vinden over aanbestedingen", MessageKind.UNCLEAR),
        ("asdf", MessageKind.UNCLEAR),
    ],
)
def test_classify(text, kind):
    assert classify(text) == kind


def test_short_messages_are_never_called_foreign():
    assert foreign_language("ok") is None
    assert foreign_language("hoi hoi") is None


@pytest.mark.parametrize(
    "intent, text, guard, response",
    [
        ("other_language", "hoi", None, "utter_other_language"),
        ("nlu_fallback", "", None, "utter_empty_message"),
        ("nlu_fallback", "😀", None, "utter_emoji_only"),
        ("nlu_fallback", "<b>x</b>", None, "utter_markup_message"),
        ("nlu_fallback", "x" * 1000, "too_long", "utter_long_message"),
        (
            "nlu_fallback",
            "Where can I find information about tenders?",
            None,
            "utter_other_language",
        ),
        ("out_of_scope", "wanneer wordt het grofvuil opgehaald", None, "utter_out_of_scope"),
        ("nlu_fallback", "blablabla", None, "utter_fallback"),
        ("nlu_fallback", "gnorf blap tiedeldie", None, "utter_fallback"),
        ("nlu_fallback", "", "markup", "utter_markup_message"),
    ],
)
def test_fallback_response(intent, text, guard, response):
    assert fallback_response(intent, text, guard) == response


def test_fallback_with_other_language_as_runner_up_answers_in_english():
    assert (
        fallback_response("nlu_fallback", "where tenders", None, "other_language")
        == "utter_other_language"
    )
    assert (
        fallback_response("nlu_fallback", "waar tenders", None, "search_opportunities")
        == "utter_fallback"
    )


@pytest.mark.parametrize(
    "text,code",
    [
        ("Buongiorno, che cos'è questo programma?", "it"),
        ("Hola, ¿qué es el programa de emprendimiento de impacto?", "es"),
        ("Добрий день, я шукаю замовлення для своєї компанії", "xx"),  # no Cyrillic detector
        ("Können Sie mir sagen, wie ich die Gemeinde erreiche?", "de"),
    ],
)
def test_a_message_in_another_language_is_recognised(text, code):
    assert foreign_language(text, 4) == code


@pytest.mark.parametrize(
    "text",
    [
        "wie organiseert the impact days",  # the programme's own English names
        "social return buy social meet the buyer",
        "wat is impactdays eigenlijk dan",
        "welke zeven steden deden er in 2021 mee aan The Impact Days",
        "lol trainign corona sociale ondernemers",
        "hoe zijn ze tot da programma gekomen, met veel vergaderen zeker?",  # Flemish
    ],
)
def test_dutch_with_english_names_or_typos_is_dutch(text):
    assert foreign_language(text, 4) is None


def test_foreign_check_is_linear_on_long_text():
    assert foreign_language("het " * 20000 + "is") is None
