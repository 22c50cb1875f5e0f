"""Item 1: one message must not freeze everyone; Socket.IO has the REST length limit."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.settings import Settings
from bot.text.notices import MESSAGE_TOO_LONG
from tests.security.conftest import SocketUser, new_sender, post, texts, user_texts

pytestmark = pytest.mark.servers
ATTACK = "<" + " " * 19998  # took 4 s on the old quadratic tag pattern


def test_markup_attack_is_answered_and_another_user_too(rasa):
    with ThreadPoolExecutor(4) as pool:
        attacks = [
            pool.submit(post, rasa, {"sender": new_sender(), "message": ATTACK}) for _ in range(3)
        ]
        other = pool.submit(post, rasa, {"sender": new_sender(), "message": "hoi"})
        answers = [f.result() for f in attacks]
        hello = other.result()
    for resp in answers:
        assert resp.status_code == 200 and texts(resp).strip()
    assert hello.status_code == 200 and texts(hello).strip()


def test_socketio_refuses_messages_over_the_rest_limit(rasa):
    limit = Settings.from_env().max_message_chars
    user = SocketUser(rasa)
    try:
        replies = user.say("x" * (limit + 1))
        assert [r["text"] for r in replies] == [MESSAGE_TOO_LONG]
        assert user_texts(rasa, user.conversation) == []
        # A message of exactly the limit is taken (and answered politely).
        replies = user.say("Ik heb een vraag. " * (limit // 18) + "x" * (limit % 18))
        assert replies and replies[0]["text"] != MESSAGE_TOO_LONG
        assert len(user_texts(rasa, user.conversation)[0]) == limit
    finally:
        user.close()
