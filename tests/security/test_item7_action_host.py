"""Item 7: the action server listens on 127.0.0.1 unless ACTION_HOST opens it."""

import socket
from pathlib import Path

import pytest

from tests.servers import ActionServer, free_port, server_env

pytestmark = pytest.mark.servers


def listening_addresses(port):
    """Local addresses with a listening TCP socket on `port` (from /proc/net/tcp, tcp6)."""
    found = set()
    for name, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            lines = Path(name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if fields[3] == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                if width == 8:
                    found.add(socket.inet_ntop(socket.AF_INET, bytes.fromhex(address)[::-1]))
                else:
                    raw = bytes.fromhex(address)
                    raw = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
                    found.add(socket.inet_ntop(socket.AF_INET6, raw))
    return found


def test_action_server_listens_on_loopback_by_default(action):
    assert listening_addresses(action.port) == {"127.0.0.1"}


def test_action_host_opens_it(tmp_path):
    env = server_env({"ACTION_HOST": "0.0.0.0"})
    server = ActionServer(free_port(), env, tmp_path / "action.log").start()
    try:
        assert listening_addresses(server.port) == {"0.0.0.0"}
    finally:
        server.stop()
