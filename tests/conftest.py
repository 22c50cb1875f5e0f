"""Fixtures shared by the integration, browser and channel tests."""
import shutil
from pathlib import Path

import pytest

from bot import PROJECT_ROOT, training
from tests.servers import start_pair


@pytest.fixture(scope="session")
def programme_dir(tmp_path_factory) -> Path:
    """A copy of the programme data that tests may edit (the servers read this copy)."""
    target = tmp_path_factory.mktemp("programme")
    for f in (PROJECT_ROOT / "data" / "programme").iterdir():
        if f.is_file():
            shutil.copy(f, target / f.name)
    return target


@pytest.fixture(scope="session")
def servers(tmp_path_factory, programme_dir):
    """The real action server and Rasa server, on free ports, for the whole session."""
    training.train(PROJECT_ROOT)
    workdir = tmp_path_factory.mktemp("servers")
    action, rasa = start_pair(workdir, {"PROGRAMME_DIR": str(programme_dir)})
    yield action, rasa
    rasa.stop()
    action.stop()


@pytest.fixture(scope="session")
def rasa_server(servers):
    return servers[1]


@pytest.fixture(scope="session")
def action_server(servers):
    return servers[0]
