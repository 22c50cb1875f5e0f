"""Contact details, names, redaction, transcripts and the dialogue decisions (pure Python)."""

import pytest

from bot.handoff import contact, transcript
from bot.handoff.validation import (
    PHONE_PATTERN,
    extract_contact,
    normalise_phone,
    parse_email,
    parse_name,
    parse_phone,
)
from bot.text.redact import redact
from tests.handoff.stand_ins import OPEN_KLANT_PHONE


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("06 12345678", "0612345678"),
        ("+31 6 1234 5678", "+31612345678"),
        ("+31 (0)6 12345678", "+31612345678"),
        ("06-12345678", "0612345678"),
        ("023 - 511 5115", "0235115115"),
        ("0031 6 12345678", "0031612345678"),
        ("+32 470 12 34 56", "+32470123456"),
        ("14023", "14023"),
        ("0800 1234", "08001234"),
    ],
)
def test_phone_numbers_are_normalised_to_what_open_klant_accepts(typed, stored):
    assert parse_phone(typed) == stored
    assert OPEN_KLANT_PHONE.match(stored)


@pytest.mark.parametrize(
    "typed",
    [
        "06 1234",
        "12345",
        "0612345678901",
        "+31",
        "abc",
        "",
        "😀",
        "06 1234 567a",
        "+" + "1" * 25,
    ],
)
def test_invalid_phone_numbers_are_refused(typed):
    assert parse_phone(typed) is None


def test_the_pattern_is_open_klants_current_one():
    # The older release's pattern was unanchored; the current one refuses trailing digits.
    assert not PHONE_PATTERN.match("06123456789")
    assert normalise_phone(" +31 (0)20 123 4567 ") == "+31201234567"


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("jan@example.nl", "jan@example.nl"),
        ("Jan.Jansen@Voorbeeld.NL", "Jan.Jansen@voorbeeld.nl"),
    ],
)
def test_email_addresses(typed, stored):
    assert parse_email(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "jan@",
        "jan@example",
        "@example.nl",
        "jan example.nl",
        "a" * 300 + "@example.nl",
        "<script>@x.nl",
    ],
)
def test_invalid_email_addresses(typed):
    assert parse_email(typed) is None


def test_contact_details_found_in_a_sentence():
    details = extract_contact("Mail naar jan@example.nl of bel 06 12345678 graag")
    assert (details.email, details.phone) == ("jan@example.nl", "0612345678")
    assert details.ok


def test_contact_details_that_are_wrong_say_which_part():
    assert extract_contact("jan@@voorbeeld").invalid_email
    assert extract_contact("bel 06 1234").invalid_phone
    nothing = extract_contact("dat wil ik liever niet zeggen")
    assert not nothing.ok and not nothing.invalid_email and not nothing.invalid_phone
    assert not extract_contact("x" * 10_000).ok


@pytest.mark.parametrize(
    "typed, name",
    [
        ("Jan de Vries", "Jan de Vries"),
        ("  Fatima   El Amrani ", "Fatima El Amrani"),
        ("Zoë", "Zoë"),
    ],
)
def test_names(typed, name):
    assert parse_name(typed) == name


@pytest.mark.parametrize(
    "typed", ["", "   ", "12345", "jan@example.nl", "<b>Jan</b>", "x" * 201, "😀😀"]
)
def test_invalid_names(typed):
    assert parse_name(typed) is None


def test_redact_removes_email_phone_bsn_and_iban():
    text = (
        "Mail jan@example.nl, bel +31 6 1234 5678 of 023-5115115, BSN 123456782, "
        "IBAN NL91ABNA0417164300 of NL91 ABNA 0417 1643 00. Referentie IO-7K3F9Q2."
    )
    out = redact(text)
    for secret in (
        "jan@example.nl",
        "1234 5678",
        "5115115",
        "123456782",
        "NL91ABNA0417164300",
        "0417 1643",
    ):
        assert secret not in out
    assert "[e-mail]" in out and "[telefoon]" in out and "[bsn]" in out and "[iban]" in out
    assert "IO-7K3F9Q2" in out  # the reference stays: it is how logs are followed


def user(text, intent, ts=None):
    return {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent}},
        "timestamp": ts,
    }


def test_second_miss_in_a_row():
    one = [user("blabla", "nlu_fallback"), {"event": "bot", "text": "Sorry"}]
    assert not contact.is_second_miss(one)
    assert contact.is_second_miss(one + [user("nog eens blabla", "nlu_fallback")])
    assert contact.is_second_miss(one + [user("wanneer is het grofvuil", "out_of_scope")])
    between = one + [user("wat is LOL", "faq"), user("blabla", "nlu_fallback")]
    assert not contact.is_second_miss(between)
    new_session = one + [{"event": "session_started"}, user("blabla", "nlu_fallback")]
    assert not contact.is_second_miss(new_session)


def test_callback_wishes_and_cancel_words():
    assert contact.wants_callback("Kan iemand mij terugbellen?")
    assert contact.wants_callback("mail me maar")
    assert not contact.wants_callback("Ik wil een medewerker spreken")
    assert contact.is_cancel("Stop") and contact.is_cancel("annuleren!")
    assert not contact.is_cancel("stop met social return?")
    assert contact.keeps_draft("Ja, klopt", None) and contact.keeps_draft("/affirm", "affirm")
    assert not contact.keeps_draft("ja maar over PSO", None)


def test_reference_numbers_fit_the_klantcontact_nummer():
    refs = {contact.new_reference() for _ in range(500)}
    assert len(refs) == 500
    assert all(len(r) <= 10 and r.startswith("IO-") for r in refs)
    assert not any(c in r[3:] for r in refs for c in "01OI")


def test_transcript_and_draft_question():
    events = [
        user("Hoi", "greet", 1764340000),
        {"event": "bot", "text": "Hoi! <b>Welkom</b>"},
        user("Hoe vraag ik subsidie aan voor mijn <i>sociale</i> onderneming?", "nlu_fallback"),
        {"event": "bot", "text": "Sorry"},
        {"event": "action", "name": "action_listen"},
        user("/request_human", "request_human"),
        user("ja", "affirm"),
    ]
    turns = transcript.from_events(events)
    assert [t["from"] for t in turns] == ["user", "bot", "user", "bot", "user", "user"]
    assert turns[4]["text"] == "[knop: request_human]"
    assert turns[0]["at"].startswith("2025-11-28")
    assert transcript.draft_question(events).startswith("Hoe vraag ik subsidie")
    html = transcript.to_html(turns)
    assert "<b>" not in html and "&lt;b&gt;Welkom&lt;/b&gt;" in html
    assert "Inwoner: Hoi" in transcript.to_text(turns)
    assert transcript.draft_question([user("ja", "affirm")]) == ""


def test_consent_counts_only_for_the_question_just_asked():
    offer = {"event": "slot", "name": "handoff_offer", "value": "consent"}
    asked = [
        user("blabla", "nlu_fallback"),
        offer,
        {"event": "bot", "text": "Is dat goed?"},
        user("ja", "affirm"),
    ]
    assert contact.consent_asked_last(asked)
    later = asked[:3] + [
        user("wat is LOL", "faq"),
        {"event": "bot", "text": "LOL is"},
        user("ja", "affirm"),
    ]
    assert not contact.consent_asked_last(later)
    assert not contact.consent_asked_last([user("ja", "affirm")])
