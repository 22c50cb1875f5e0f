"""Production settings on the real services: PostgreSQL tracker store, Redis lock store and
RabbitMQ event broker, two Rasa servers sharing them, and PostgreSQL / RabbitMQ going down.

Rasa server A reaches PostgreSQL and RabbitMQ through TCP proxies that a test can cut (the shared
services of the machine keep running for everyone else); server B connects directly.
"""

import contextlib
import json
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot import PROJECT_ROOT, training
from bot.channels.ids import conversation_id
from bot.rasa_patches import FALLBACK_MARKER
from tests import services
from tests.persistence.conftest import numbered, say, sender
from tests.servers import ActionServer, free_port, pair_env, start_rasa
from tests.tcpproxy import TcpProxy

pytestmark = pytest.mark.servers

SEARCH = "welke evenementen zijn er de komende maanden"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    services.require(services.POSTGRES)
    services.require(services.REDIS)
    services.require(services.RABBITMQ)
    training.train(PROJECT_ROOT)
    workdir = tmp_path_factory.mktemp("production")
    queue, exchange = services.unique("events"), services.unique("exchange")
    pg_proxy = TcpProxy(services.POSTGRES[1:]).start()
    mq_proxy = TcpProxy(services.RABBITMQ[1:]).start()
    started = []
    with services.postgres_database() as database:
        try:
            # Each server has its own DATA_DIR, as containers would: everything they share is
            # in PostgreSQL, Redis and RabbitMQ.
            common = {
                **services.redis_env(services.unique("locks")),
                "SESSION_SECRET": "production-stores-session-secret",
                "REST_TOKEN": "production-stores-rest-token",
            }
            env_b = pair_env(
                workdir,
                {
                    **common,
                    "DATA_DIR": str(workdir / "var-b"),
                    **services.postgres_env(database),
                    **services.rabbitmq_env(queue, exchange),
                },
            )
            env_a = pair_env(
                workdir,
                {
                    **common,
                    "DATA_DIR": str(workdir / "var-a"),
                    **services.postgres_env(database, "127.0.0.1", pg_proxy.port),
                    **services.rabbitmq_env(queue, exchange, "127.0.0.1", mq_proxy.port),
                },
            )
            action = ActionServer(free_port(), env_b, workdir / "action-server.log").start()
            started.append(action)
            # Both servers load their model at the same time (minutes on a busy machine).
            with ThreadPoolExecutor(max_workers=2) as pool:
                futures = [
                    pool.submit(start_rasa, workdir, env, action.url, name=name)
                    for env, name in ((env_a, "rasa-a"), (env_b, "rasa-b"))
                ]
                for future in futures:
                    with contextlib.suppress(Exception):
                        started.append(future.result())
                a, b = (future.result() for future in futures)
            yield {
                "a": a,
                "b": b,
                "database": database,
                "queue": queue,
                "pg": pg_proxy,
                "mq": mq_proxy,
                "workdir": workdir,
            }
        finally:
            for server in reversed(started):
                server.stop()
            pg_proxy.stop()
            mq_proxy.stop()
            services.delete_queue_and_exchange(queue, exchange)


def stored(cluster, who):
    """(type, text or action name) of every stored event of `who`, in order."""
    rows = services.postgres_rows(
        cluster["database"],
        "SELECT type_name, data FROM events WHERE sender_id = %s ORDER BY id",
        conversation_id("rest", who),  # REST senders are stored as "rest:<sender>"
    )
    out = []
    for type_name, data in rows:
        event = json.loads(data)
        out.append((type_name, event.get("text") or event.get("name") or ""))
    return out


def converse(server_for_turn, who):
    """One search conversation; turn i goes to server_for_turn(i). Returns the answers."""
    turns = [SEARCH, "meer", "vertel meer over de tweede", "welke daarvan zijn online?"]
    answers = [say(server_for_turn(i), who, text)[0] for i, text in enumerate(turns)]
    first, more, detail, online = answers
    assert numbered(first)[0].startswith("1. "), first
    assert numbered(more)[0].startswith("4. "), more
    assert detail.startswith(numbered(first)[1][3:].split(":")[0]), detail
    assert numbered(online) and all(", online." in line for line in numbered(online)), online
    return turns


def test_two_servers_share_conversations_and_the_broker_gets_every_event_once(cluster):
    a, b = cluster["a"], cluster["b"]
    services.drain_queue(cluster["queue"], idle=1)  # start from an empty queue
    senders = [sender("two") for _ in range(4)]
    results, errors = {}, []

    def run(index, who):
        try:
            # Conversations 0 and 2 start on A, 1 and 3 on B; every turn switches server.
            results[who] = converse(lambda i: (a, b)[(i + index) % 2], who)
        except Exception as error:  # reported below with the conversation that failed
            errors.append((who, error))

    threads = [threading.Thread(target=run, args=(i, who)) for i, who in enumerate(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors

    messages = services.drain_queue(cluster["queue"])
    for who in senders:
        events = stored(cluster, who)
        # Every turn once, in order: the user messages and one reply turn each.
        assert [text for kind, text in events if kind == "user"] == results[who]
        # The tracker the API shows is what is stored, nothing twice.
        api = [e for e in b.tracker(who)["events"]]
        assert len(api) == len(events)
        # The broker got each stored event exactly once.
        db_rows = services.postgres_rows(
            cluster["database"],
            "SELECT type_name, timestamp FROM events WHERE sender_id = %s",
            conversation_id("rest", who),
        )
        published = Counter(
            (m["event"], round(m["timestamp"], 6))
            for m in messages
            if m.get("sender_id") == conversation_id("rest", who)
        )
        assert published == Counter((t, round(ts, 6)) for t, ts in db_rows), who
        assert max(published.values()) == 1


def test_rabbitmq_down_conversations_go_on(cluster):
    """A's broker connection is cut: answers go on; events published while it is down are kept in
    A's memory and sent when the connection is back (lost if A stops before that)."""
    a = cluster["a"]
    services.drain_queue(cluster["queue"], idle=1)
    who = sender("mq-down")
    cluster["mq"].stop()
    try:
        first, _ = say(a, who, SEARCH)
        more, _ = say(a, who, "meer")
        assert numbered(first)[0].startswith("1. ") and numbered(more)[0].startswith("4. ")
        during = [
            m
            for m in services.drain_queue(cluster["queue"], idle=2)
            if m.get("sender_id") == conversation_id("rest", who)
        ]
    finally:
        cluster["mq"].start()
    deadline = time.monotonic() + 60
    after: list = []
    while time.monotonic() < deadline:
        after += [
            m
            for m in services.drain_queue(cluster["queue"], idle=2)
            if m.get("sender_id") == conversation_id("rest", who)
        ]
        if len(after) >= len(stored(cluster, who)):
            break
    print(
        f"rabbitmq down: {len(during)} events arrived during the outage, {len(after)} after "
        f"it; {len(stored(cluster, who))} stored in PostgreSQL"
    )
    assert during == []
    assert len(stored(cluster, who)) > 0
    report = cluster.setdefault("report", {})
    report["mq"] = (len(during), len(after), len(stored(cluster, who)))
    assert Counter((m["event"], m["timestamp"]) for m in after).most_common(1)[0][1] == 1


def test_postgres_restart_during_traffic(cluster):
    """A's PostgreSQL connections are cut and refused for a moment, as in a restart."""
    a = cluster["a"]
    log = cluster["workdir"] / "rasa-a.log"
    log_before = log.read_text()
    who = sender("pg-restart")
    first, _ = say(a, who, SEARCH)
    cluster["pg"].stop()
    try:
        during, _ = say(a, who, "meer")
    finally:
        cluster["pg"].start()
    after_1, _ = say(a, who, "meer")
    after_2, _ = say(a, who, "vertel meer over de tweede")
    new_log = log.read_text()[len(log_before) :]
    events = stored(cluster, who)
    users = [text for kind, text in events if kind == "user"]
    print(
        "postgres restart: during:",
        during[:80].replace("\n", " "),
        "| after:",
        after_1[:80].replace("\n", " "),
        "| stored user turns:",
        users,
    )
    # The user is never left in silence ...
    assert during.strip() and after_1.strip() and after_2.strip()
    # ... the fall-back to memory is logged loudly ...
    assert FALLBACK_MARKER in new_log
    # ... and what was stored before the outage is still there, in order.
    assert users[0] == SEARCH


def test_restart_continues_the_conversation_on_postgres(cluster):
    a, b = cluster["a"], cluster["b"]
    who = sender("restart")
    first, _ = say(b, who, SEARCH)
    b.restart()
    more, _ = say(b, who, "meer")
    assert numbered(more)[0].startswith("4. "), more
    detail, _ = say(a, who, "vertel meer over de tweede")
    assert detail.startswith(numbered(first)[1][3:].split(":")[0])
