"""The real PostgreSQL, Redis and RabbitMQ of the machine, for tests and benchmarks.

Names carry the prefix `persist_` and a random part, so parallel runs do not collide. Tests check
that a service is reachable with `tests.services.require(...)`.
"""

from __future__ import annotations

import os
import secrets
import socket
from contextlib import contextmanager
from typing import Dict, Iterator

POSTGRES = (
    "PostgreSQL",
    os.environ.get("TEST_POSTGRES_HOST", "127.0.0.1"),
    int(os.environ.get("TEST_POSTGRES_PORT", "5432")),
)
REDIS = (
    "Redis",
    os.environ.get("TEST_REDIS_HOST", "127.0.0.1"),
    int(os.environ.get("TEST_REDIS_PORT", "6379")),
)
RABBITMQ = (
    "RabbitMQ",
    os.environ.get("TEST_RABBITMQ_HOST", "127.0.0.1"),
    int(os.environ.get("TEST_RABBITMQ_PORT", "5672")),
)


def check(service: tuple) -> None:
    """Raise ConnectionError when `service` (name, host, port) does not accept connections."""
    name, host, port = service
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError as error:
        raise ConnectionError(f"{name} not reachable at {host}:{port} ({error})") from error


def unique(prefix: str) -> str:
    return f"persist_{prefix}_{secrets.token_hex(4)}"


@contextmanager
def postgres_database(host: str = POSTGRES[1], port: int = POSTGRES[2]) -> Iterator[str]:
    """A new, empty database (dropped afterwards); trust auth as user postgres."""
    import psycopg2

    check(POSTGRES)
    name = unique("db")
    admin = psycopg2.connect(host=host, port=port, user="postgres", dbname="postgres")
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        yield name
    finally:
        with admin.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
            )
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def postgres_env(database: str, host: str = POSTGRES[1], port: int = POSTGRES[2]) -> Dict[str, str]:
    """A PostgreSQL deployment's settings: the database, and the secrets the servers refuse to
    start without there (widget session tokens the same on every replica, a REST token)."""
    return {
        "SESSION_SECRET": "test-session-secret-shared-by-replicas",
        "REST_TOKEN": "test-rest-token",
        "TRACKER_STORE": "postgresql",
        "POSTGRES_HOST": host,
        "POSTGRES_PORT": str(port),
        "POSTGRES_DB": database,
        "POSTGRES_USER": "postgres",
    }


def redis_env(prefix: str) -> Dict[str, str]:
    check(REDIS)
    return {
        "LOCK_STORE": "redis",
        "REDIS_HOST": REDIS[1],
        "REDIS_PORT": str(REDIS[2]),
        "REDIS_KEY_PREFIX": prefix,
    }


def rabbitmq_env(
    queue: str, exchange: str, host: str = RABBITMQ[1], port: int = RABBITMQ[2]
) -> Dict[str, str]:
    return {
        "EVENT_BROKER": "rabbitmq",
        "RABBITMQ_HOST": host,
        "RABBITMQ_PORT": str(port),
        "RABBITMQ_USER": "guest",
        "RABBITMQ_PASSWORD": "guest",
        "RABBITMQ_QUEUE": queue,
        "RABBITMQ_EXCHANGE": exchange,
    }


def postgres_rows(database: str, sql: str, *params) -> list:
    import psycopg2

    with (
        psycopg2.connect(
            host=POSTGRES[1], port=POSTGRES[2], user="postgres", dbname=database
        ) as conn,
        conn.cursor() as cur,
    ):
        cur.execute(sql, params)
        rows = cur.fetchall()
    conn.close()
    return rows


def drain_queue(queue: str, idle: float = 3.0) -> list:
    """Every message now in RabbitMQ `queue` (JSON), read until it stays empty for `idle` s."""
    import asyncio
    import json
    import time

    import aio_pika

    async def run() -> list:
        connection = await aio_pika.connect(
            host=RABBITMQ[1], port=RABBITMQ[2], login="guest", password="guest"
        )
        async with connection:
            channel = await connection.channel()
            q = await channel.declare_queue(queue, durable=True, passive=True)
            messages, quiet_since = [], time.monotonic()
            while time.monotonic() - quiet_since < idle:
                message = await q.get(no_ack=True, fail=False)
                if message is None:
                    await asyncio.sleep(0.2)
                    continue
                messages.append(json.loads(message.body))
                quiet_since = time.monotonic()
            return messages

    return asyncio.run(run())


def delete_queue_and_exchange(queue: str, exchange: str) -> None:
    import asyncio

    import aio_pika

    async def run() -> None:
        connection = await aio_pika.connect(
            host=RABBITMQ[1], port=RABBITMQ[2], login="guest", password="guest"
        )
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete(queue)
            await channel.exchange_delete(exchange)

    asyncio.run(run())
