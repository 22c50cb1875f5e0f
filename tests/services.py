"""The machine's services for tests: `require(...)` here, the rest from bot.devtools.services.

A test that needs one calls `require(...)`: when the service can't be reached the test is skipped
with the reason, unless REQUIRE_SERVICES=1 (CI), then it fails.
"""

from __future__ import annotations

import os
import socket

import pytest

from bot.devtools.services import (  # noqa: F401
    POSTGRES,
    RABBITMQ,
    REDIS,
    delete_queue_and_exchange,
    drain_queue,
    postgres_database,
    postgres_env,
    postgres_rows,
    rabbitmq_env,
    redis_env,
    unique,
)


def require(service: tuple) -> None:
    """Skip (or fail under REQUIRE_SERVICES=1) when `service` does not accept connections."""
    name, host, port = service
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError as error:
        reason = f"{name} not reachable at {host}:{port} ({error})"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"{reason}; REQUIRE_SERVICES=1 makes it required")
        pytest.skip(reason)
