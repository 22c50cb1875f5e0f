"""A greeting in front of a question: the NLU reads the question (bot/text/greeting.py)."""

import pytest

from bot.nlp.message_guard import text_for_nlu
from bot.text.greeting import strip_greeting


@pytest.mark.parametrize(
    "text,question",
    [
        ("Hoi! Wat is LOL?", "Wat is LOL?"),
        ("hallo daar, hoe meld ik me aan", "hoe meld ik me aan"),
        ("Beste gemeente, ik zoek opdrachten", "ik zoek opdrachten"),
        ("goede morgen, waar vind ik het inkoopplatform", "waar vind ik het inkoopplatform"),
        ("Hoi hoi wie kan ik bellen", "wie kan ik bellen"),
        ("heyy wat doen jullie", "wat doen jullie"),
    ],
)
def test_the_question_after_a_greeting_is_read(text, question):
    assert strip_greeting(text) == question
    assert text_for_nlu(text, 1000) == question


@pytest.mark.parametrize(
    "text", ["hallo", "goedemorgen allemaal", "hoihoi!", "Hallo?", "goeiendag samen", "heej"]
)
def test_a_greeting_alone_is_read_as_hallo(text):
    """Not as "dag" (goodbye) or anything else: the NLU reads one plain greeting."""
    assert strip_greeting(text) == "hallo"


@pytest.mark.parametrize("text", ["dag", "dag, bedankt", "hi there", "Dag allemaal!"])
def test_dag_and_unknown_words_stay(text):
    """A bare "dag" says hello and goodbye: the dialogue decides."""
    assert strip_greeting(text) == text


@pytest.mark.parametrize(
    "text,read",
    [
        ("Goedendag, u spreekt met Priya.", "hallo"),
        ("middag, met Bram van inkoop", "hallo"),
        ("goedemiddag, ik ben Sanne van team inkoop", "hallo"),
        ("Hallo, ik ben Mira. Ik wil graag weten wat LOL is.", "Ik wil graag weten wat LOL is."),
        ("Hoi, mijn naam is Jansen, waar vind ik het platform?", "waar vind ik het platform?"),
        ("Hallo, ik ben Mira en ik zoek drukwerk", "ik zoek drukwerk"),
        # Not an introduction: what follows "ik ben" is the question itself.
        ("hallo, ik ben zzp'er en zoek opdrachten", "ik ben zzp'er en zoek opdrachten"),
        ("Hallo ik ben op zoek naar opdrachten", "ik ben op zoek naar opdrachten"),
        ("hoi, met wie spreek ik?", "met wie spreek ik?"),
        # Only announcing a question: the greeting alone is read.
        ("Hallo, ik ben Anna Bakker en ik heb een vraag", "hallo"),
    ],
)
def test_an_introduction_after_a_greeting_belongs_to_the_greeting(text, read):
    assert strip_greeting(text) == read


def test_linear_on_a_long_introduction():
    text = "hallo, ik ben Piet van " + "de " * 5000 + "gemeente"
    assert strip_greeting(text) == text[len("hallo, ") :]


@pytest.mark.parametrize(
    "text", ["dagbesteding zoeken voor ons team", "Hoe gaat het met de hiring?", "beste aanbod?"]
)
def test_words_that_only_start_like_a_greeting_are_kept(text):
    assert strip_greeting(text) == text


def test_linear_on_a_long_run_of_greetings():
    text = "hoi " * 5000 + "wat is lol"
    assert strip_greeting(text) == "wat is lol"


@pytest.mark.parametrize(
    "text,question",
    [
        ("oké, en wat doet Haarlem dan precies?", "en wat doet Haarlem dan precies?"),
        ("ok wat is lol?", "wat is lol?"),
        ("top, en wie voert het uit", "en wie voert het uit"),
    ],
)
def test_an_acknowledgement_before_a_new_question_is_left_out(text, question):
    assert strip_greeting(text) == question


@pytest.mark.parametrize("text", ["ja, kan iemand me bellen?", "oké", "ok dank je", "ja graag"])
def test_yes_and_a_bare_acknowledgement_stay(text):
    assert strip_greeting(text) == text


@pytest.mark.parametrize(
    "text,question",
    [
        ("Ik heb nog een vraag. Wie voert het programma uit?", "Wie voert het programma uit?"),
        ("hoi, even een vraagje: wat kost een pso?", "wat kost een pso?"),
        ("Vraag aan jullie, waar zit het stadhuis?", "waar zit het stadhuis?"),
    ],
)
def test_an_announced_question_is_read_without_the_announcement(text, question):
    assert strip_greeting(text) == question


@pytest.mark.parametrize(
    "text", ["ik heb een vraag over social return", "ik heb een vraag.", "vraagje: lol?"]
)
def test_a_question_about_something_keeps_its_words(text):
    assert strip_greeting(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "goedemiddag, ik heb een vraagje",
        "hoi, mag ik je iets vragen?",
        "hallo, ik wou iets vragen",
        "hé hallo, is daar iemand?",
        "hoi, ben jij er?",
        "goedemorgen, ik ben Anouk en ik zit met een paar vragen",
        "awel, goeiedag",
        "nou hallo allemaal",
    ],
)
def test_a_greeting_with_only_an_announcement_or_filler_is_a_greeting(text):
    assert strip_greeting(text) == "hallo"


@pytest.mark.parametrize("text", ["allez, tot ziens", "nou, doei", "zo, dat was het"])
def test_a_filler_without_a_greeting_stays(text):
    assert strip_greeting(text) == text


@pytest.mark.parametrize(
    "text,question",
    [
        ("dank je wel voor de uitleg! Wie voert het uit?", "Wie voert het uit?"),
        ("merci, en wanneer is de volgende workshop?", "en wanneer is de volgende workshop?"),
    ],
)
def test_thanks_with_a_tail_before_a_new_question_is_left_out(text, question):
    assert strip_greeting(text) == question


@pytest.mark.parametrize(
    "text,read",
    [
        ("goedemorgen, Eva hier van de corporatie", "hallo"),
        ("hoi, Eva hier. Wat is LOL?", "Wat is LOL?"),
        ("hoi, Demi hier van inkoop, ik zoek catering", "ik zoek catering"),
        ("Morgen!", "hallo"),
        ("morgen allemaal", "hallo"),
        ("morgen is er een workshop?", "morgen is er een workshop?"),
    ],
)
def test_a_name_with_hier_and_a_bare_morning(text, read):
    assert strip_greeting(text) == read
