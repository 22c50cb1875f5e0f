"""Asking for a person in any words (bot/text/person.py)."""

import pytest

from bot import names
from bot.text.person import person_request


@pytest.mark.parametrize(
    "text,intent",
    [
        (
            "Ik maak een reportage, kan iemand van het programma mij bellen of mailen?",
            names.REQUEST_CONTACT,
        ),
        ("wil iemand contact met mij opnemen", names.REQUEST_CONTACT),
        ("bel me terug", names.REQUEST_CONTACT),
        ("kun je me doorzetten naar de helpdesk", names.REQUEST_HUMAN),
        ("kan ik iemand spreken over mijn inschrijving", names.REQUEST_HUMAN),
    ],
)
def test_a_request_for_a_person(text, intent):
    assert person_request(text) == intent


@pytest.mark.parametrize(
    "text",
    [
        "wat is LOL",
        "mijn klanten bellen mij vaak",
        "hoe kan ik de gemeente bellen",
        "we willen mensen spreken die sociaal ondernemen",
    ],
)
def test_not_a_request_for_a_person(text):
    assert person_request(text) is None


@pytest.mark.parametrize(
    "text,wanted",
    [
        ("mag ik met een echt persoon chatten", "request_human"),
        ("ik wil even met iemand praten over mijn inschrijving", "request_human"),
        (
            "ik zoek contact met een medewerker over de inkoop van onze woningstichting",
            "request_contact",
        ),
    ],
)
def test_chatting_and_talking_with_a_person(text, wanted):
    assert person_request(text) == wanted
