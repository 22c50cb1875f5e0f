import pytest
from sanic.exceptions import InvalidUsage, PayloadTooLarge

from bot.channels.rest import validate_body


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "tekst",
        5,
        {"sender": 5, "message": "hoi"},
        {"sender": "a", "message": ["hoi"]},
        {"sender": "a" * 201, "message": "hoi"},
        {"sender": "a", "message": "hoi", "metadata": "x"},
    ],
)
def test_bad_bodies_are_400(body):
    with pytest.raises(InvalidUsage):
        validate_body(body)


def test_too_long_is_413():
    with pytest.raises(PayloadTooLarge):
        validate_body({"sender": "a", "message": "x" * 11}, max_chars=10)


def test_good_body_passes():
    body = {"sender": "a", "message": "x" * 10000, "metadata": {"k": 1}}
    assert validate_body(body) is body
