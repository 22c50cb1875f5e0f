"""Each failure class of the blind evaluation (docs/understanding.md) as a real conversation:
real Rasa server and action server on the fixture programme data. The sentences are this test's
own (not copied from tests/eval/blind/)."""

import uuid
from typing import List

import pytest

from bot import names

pytestmark = pytest.mark.servers


def sender() -> str:
    return f"test-classes-{uuid.uuid4().hex[:10]}"


def texts(messages: List[dict]) -> str:
    return "\n\n".join(m.get("text", "") for m in messages)


def payloads(messages: List[dict]) -> List[str]:
    return [b.get("payload", "") for m in messages for b in m.get("buttons") or []]


def asks_consent(messages: List[dict]) -> bool:
    return {names.payload(names.AFFIRM), names.payload(names.DENY)} <= set(payloads(messages))


def test_a_small_printer_gets_printing_not_textile(rasa_server):
    reply = texts(
        rasa_server.say(
            sender(), "wij zijn een klein drukkerijtje, heeft de gemeente opdrachten voor ons"
        )
    )
    assert "drukwerk" in reply.lower() and "textiel" not in reply.lower()


def test_small_maintenance_never_pulls_in_workwear(rasa_server):
    reply = texts(
        rasa_server.say(
            sender(), "als woningcorporatie zoeken we een sociale onderneming voor klein onderhoud"
        )
    ).lower()
    assert "textiel" not in reply and "bedrijfskleding" not in reply


def test_an_unknown_product_is_said_honestly_with_a_way_out(rasa_server):
    reply = rasa_server.say(
        sender(),
        "wij bouwen ruimteschepen als sociale onderneming, kunnen we aan de gemeente leveren",
    )
    assert "Ik vond geen categorie 'ruimteschepen'" in texts(reply)
    assert names.payload(names.REQUEST_HUMAN) in payloads(reply)


def test_a_greeting_and_a_question_gets_the_answer(rasa_server):
    reply = texts(rasa_server.say(sender(), "Goedemiddag! Waar staat LOL eigenlijk voor?"))
    assert "Live Online Learning" in reply


def test_a_vague_word_is_clarified_and_a_typed_choice_understood(rasa_server):
    me = sender()
    question = rasa_server.say(me, "inkoop")
    assert "Bedoel je" in texts(question) and len(payloads(question)) >= 3
    titles = [b["title"] for m in question for b in m.get("buttons") or []]
    reply = rasa_server.say(me, "de eerste")  # typed, not clicked
    assert "Bedoel je" not in texts(reply) and texts(reply), (titles, reply)


@pytest.mark.parametrize(
    "question,fact",
    [
        ("op welk nummer kan ik jullie bellen", "14 023"),
        ("hoe heten de kernthema's van het programma", "niet in een openbare bron"),
        ("hoeveel geld geeft haarlem per jaar uit aan inkopen", "250 miljoen"),
        ("wie geeft het pso-keurmerk uit", "TNO"),
        (
            "we kregen een tender gegund en moeten social return leveren, wat nu",
            "afstand tot de arbeidsmarkt",
        ),
    ],
)
def test_facts_are_reached(rasa_server, question, fact):
    assert fact in texts(rasa_server.say(sender(), question))


@pytest.mark.parametrize(
    "request_text",
    [
        "kan iemand van het team mij mailen over mijn offerte voor de aanbesteding",
        "ik wil graag iemand spreken over mijn aanmelding voor een tender",
    ],
)
def test_a_request_for_a_person_gets_the_consent_question(rasa_server, request_text):
    assert asks_consent(rasa_server.say(sender(), request_text))


@pytest.mark.parametrize(
    "question",
    [
        "wat doet de gemeente Rotterdam voor impactondernemers",
        "ik wil solliciteren bij de gemeente haarlem",
    ],
)
def test_out_of_scope_is_recognised(rasa_server, question):
    assert "Daar kan ik je helaas niet mee helpen" in texts(rasa_server.say(sender(), question))


def test_a_name_at_the_consent_question_re_asks_it(rasa_server):
    me = sender()
    assert asks_consent(rasa_server.say(me, "ik wil een medewerker spreken"))
    again = rasa_server.say(me, "Piet")
    assert "Ik heb nog niets doorgegeven" in texts(again) and asks_consent(again)
    declined = rasa_server.say(me, "nee")
    assert "Ik heb nog niets doorgegeven" not in texts(declined)
    assert not asks_consent(declined)


@pytest.mark.parametrize(
    "message", ["advis", "ik zit met een vraagje", "ondersteuning", "informatiee"]
)
def test_a_vague_word_a_typo_of_one_or_a_bare_announcement_is_clarified(rasa_server, message):
    question = rasa_server.say(sender(), message)
    assert "Bedoel je" in texts(question) and len(payloads(question)) >= 3, question


def test_a_yes_typed_with_more_words_at_the_consent_question_is_a_yes(rasa_server):
    plain, typed = sender(), sender()
    for me in (plain, typed):
        assert asks_consent(rasa_server.say(me, "ik wil een medewerker spreken"))
    after_yes = rasa_server.say(plain, "ja")
    after_typed = rasa_server.say(typed, "akkoord, verbind me maar door")
    assert texts(after_typed) == texts(after_yes)
    assert "Ik heb nog niets doorgegeven" not in texts(after_typed)


def test_a_correction_is_read_as_what_the_user_wants_now(rasa_server):
    me = sender()
    rasa_server.say(me, "welke sociale ondernemingen verzorgen catering")
    reply = texts(
        rasa_server.say(me, "nee wacht, ik ben zelf cateraar en zoek opdrachten bij de gemeente")
    ).lower()
    assert "opdracht" in reply and "catering" in reply


def test_another_town_compared_with_haarlem_is_out_of_scope(rasa_server):
    reply = rasa_server.say(
        sender(), "ik heb ook een winkel in Gouda, bestaat daar een programma zoals in Haarlem?"
    )
    assert "Daar kan ik je helaas niet mee helpen" in texts(reply)


def test_a_sure_topic_is_answered_though_the_message_also_names_a_trade(rasa_server):
    reply = texts(
        rasa_server.say(sender(), "mijn hoveniersbedrijf wil op de prestatieladder, hoe begin ik?")
    )
    assert "TNO" in reply


def test_haarlem_after_another_city_gets_the_programme_answer_without_a_loop(rasa_server):
    me = sender()
    rasa_server.say(me, "wat doet de stad Gent voor sociale ondernemers?")
    reply = rasa_server.say(me, "en in Haarlem dan?")
    assert "Actieprogramma Impact Ondernemen" in texts(reply) and len(reply) <= 3, reply
