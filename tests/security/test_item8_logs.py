"""Item 8: no message text or personal data in the logs of a whole session at INFO.

Runs a session over REST, Socket.IO and Twilio with an e-mail address, phone numbers, a
BSN, an IBAN and ordinary text (with made-up words that appear nowhere else), plus a
failure (the action server is down for one message), then reads both servers' logs.
"""

import time

import pytest

from tests.security.conftest import SocketUser, new_sender, post
from tests.security.test_item2_identity import twilio_post, wait_user_texts

pytestmark = pytest.mark.servers

EMAIL = "jan.jansen@voorbeeld.nl"
PHONES = ["06-12345678", "+31 6 4444 5555", "0612398765"]
BSN = "123456782"
IBAN = "NL91ABNA0417164300"
IBAN_SPACED = "NL91 ABNA 0417 1643 00"
WORDS = ["Zwanenburgstraatje", "Kruidvatgebouw", "Ooievaarsnest", "Zwavelzuurfabriek"]
MESSAGES = [
    f"Mijn e-mail is {EMAIL} en mijn nummer is {PHONES[0]}",
    f"Mijn BSN is {BSN} en mijn IBAN is {IBAN}",
    f"Welke evenementen zijn er in het {WORDS[1]}?",
    f"Maak {IBAN_SPACED} over, mijn mobiel is {PHONES[2]}",
]
SOCKET_MESSAGE = f"Ik woon aan het {WORDS[0]}, mail me op {EMAIL}"
SMS_MESSAGE = f"Wat betekent LOL? Bel me op {PHONES[1]}"
FAILING_MESSAGE = f"Ik zoek een leverancier voor het {WORDS[2]}, BSN {BSN}"
BROKEN_PAYLOAD = '/greet{"naam": "' + WORDS[3] + " " + PHONES[0]


def test_a_whole_session_leaves_no_personal_data_in_the_logs(rasa, action):
    sender = new_sender()
    for text in MESSAGES:
        assert post(rasa, {"sender": sender, "message": text}).status_code == 200
    assert post(rasa, {"sender": new_sender(), "message": BROKEN_PAYLOAD}).status_code == 200
    user = SocketUser(rasa)
    try:
        assert user.say(SOCKET_MESSAGE)
    finally:
        user.close()
    assert twilio_post(rasa, "+31633333333", SMS_MESSAGE).status_code == 204
    wait_user_texts(rasa, "twilio:+31633333333", 1)

    action.stop()  # a failure: the action server is gone for one message
    try:
        failing = new_sender()
        resp = post(rasa, {"sender": failing, "message": FAILING_MESSAGE})
        assert resp.status_code == 200
    finally:
        action.start()
    time.sleep(1)  # the last log lines

    logs = {log.name: log.read_text(errors="replace") for log in (rasa.log, action.log)}
    assert "action" in logs[rasa.log.name].lower()  # the failure was logged
    assert "Traceback" in logs[rasa.log.name] or "Error" in logs[rasa.log.name]
    secrets = [
        EMAIL,
        BSN,
        IBAN,
        IBAN_SPACED,
        *PHONES,
        *WORDS,
        *MESSAGES,
        SOCKET_MESSAGE,
        SMS_MESSAGE,
        FAILING_MESSAGE,
    ]
    for name, text in logs.items():
        leaks = [s for s in secrets if s in text]
        assert not leaks, f"{name} contains {leaks}"
