"""Fixtures shared by the integration, browser and channel tests."""

import json
import shutil
from pathlib import Path

import pytest
import yaml

from tests.feedserver import FeedServer
from tests.fixtures import FIXTURE_PROGRAMME
from tests.servers import running_pair


@pytest.fixture(scope="session")
def programme_dir(tmp_path_factory) -> Path:
    """A copy of the fixture programme data that tests may edit (the servers read this copy)."""
    target = tmp_path_factory.mktemp("programme")
    for f in FIXTURE_PROGRAMME.iterdir():
        if f.is_file():
            shutil.copy(f, target / f.name)
    return target


def offers_feed_body() -> bytes:
    """The fixture offers as a JSON feed (same shape as data/programme/aanbod.yml)."""
    raw = yaml.safe_load((FIXTURE_PROGRAMME / "aanbod.yml").read_text())
    return json.dumps(raw["aanbod"]).encode()


@pytest.fixture(scope="session")
def feed_server():
    """A real HTTP server the action server reads its offers from (OFFERS_JSON_URL)."""
    server = FeedServer().start()
    server.serve("/offers.json", offers_feed_body())
    yield server
    server.stop()


@pytest.fixture(scope="session")
def servers(tmp_path_factory, programme_dir, feed_server):
    """The real action server and Rasa server, on free ports, for the whole session."""
    with running_pair(
        tmp_path_factory.mktemp("servers"),
        {
            "PROGRAMME_DIR": str(programme_dir),
            "OFFERS_JSON_URL": feed_server.url("/offers.json"),
            "FEED_TTL_SECONDS": "1",
        },
    ) as pair:
        yield pair


@pytest.fixture(scope="session")
def rasa_server(servers):
    return servers[1]


@pytest.fixture(scope="session")
def action_server(servers):
    return servers[0]
