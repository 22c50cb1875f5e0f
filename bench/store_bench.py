"""Turn latency per tracker store (in-memory, SQLite, PostgreSQL), same run; Sanic workers.

Three Rasa servers (one per store) share one action server and are measured interleaved: each
sender's 10-turn conversation is sent to the three servers in turn, so load from elsewhere on the
machine hits all three alike. Then one Rasa server on PostgreSQL + the Redis lock store is measured
with SANIC_WORKERS=1 and =2 under 4 concurrent clients. Results: docs/benchmarks.md
("## Tracker stores"). Needs the machine's PostgreSQL and Redis (tests/services.py).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import machine, write_section  # noqa: E402
from bench.turn_bench import OUR_TURNS, converse, percentile, rss_mb  # noqa: E402
from bot import training  # noqa: E402
from bot.catalog.schema import AMSTERDAM  # noqa: E402
from bot.devtools import services  # noqa: E402
from bot.devtools.servers import ActionServer, free_port, pair_env, start_rasa  # noqa: E402

STORES = ("memory", "sqlite", "postgresql")


def stats(times: List[float], seconds: float = 0.0) -> Dict[str, float]:
    out = {
        "p50": percentile(times, 50),
        "p95": percentile(times, 95),
        "mean": statistics.mean(times),
    }
    if seconds:
        out["throughput"] = len(times) / seconds
    return out


def children_rss(pid: int) -> float:
    """RSS of a process and its children (Sanic workers)."""
    total = rss_mb(pid)
    try:
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            total += children_rss(int(child))
    except OSError:
        pass
    return total


BENCH_REST_TOKEN = "bench-rest-token"  # a local benchmark's own servers, not a secret
AUTH = {"Authorization": f"Bearer {BENCH_REST_TOKEN}"}


def store_latency(workdir: Path, database: str, senders: int) -> Dict[str, Dict[str, float]]:
    # PostgreSQL is the production setup: its REST channel needs a bearer token (bot/channels/rest.py).
    base = pair_env(workdir, {"DATA_DIR": str(workdir / "var"), "REST_TOKEN": BENCH_REST_TOKEN})
    envs = {
        "memory": {**base, "TRACKER_STORE": "memory"},
        "sqlite": {**base, "TRACKER_STORE": "sqlite"},
        "postgresql": {**base, **services.postgres_env(database), "REST_TOKEN": BENCH_REST_TOKEN},
    }
    action = ActionServer(free_port(), base, workdir / "action-server.log").start()
    servers = {}
    try:
        with ThreadPoolExecutor(max_workers=3) as pool:  # load the three models at once
            futures = {
                store: pool.submit(
                    start_rasa, workdir, envs[store], action.url, name=f"rasa-{store}"
                )
                for store in STORES
            }
            for store, future in futures.items():
                servers[store] = future.result()
        times: Dict[str, List[float]] = {store: [] for store in STORES}
        for store in STORES:
            converse(servers[store].url, OUR_TURNS, "warm-up", AUTH)
        for i in range(senders):
            for store in STORES[i % 3 :] + STORES[: i % 3]:  # rotate who goes first
                times[store] += converse(servers[store].url, OUR_TURNS, f"bench-{store}-{i}", AUTH)
        return {store: stats(times[store]) for store in STORES}
    finally:
        for server in servers.values():
            server.stop()
        action.stop()


def store_latency_in_process(
    workdir: Path, database: str, senders: int
) -> Dict[str, Dict[str, float]]:
    """The same measurement in one process: one loaded model, the tracker store swapped.

    Lighter than three servers (one model in memory), and only the tracker store differs; the
    HTTP hop of the REST channel is left out. The real action server answers the custom actions.
    """
    import asyncio
    import os
    import time

    from rasa.core.agent import Agent
    from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
    from rasa.utils.endpoints import EndpointConfig

    from bot import rasa_patches

    # PostgreSQL is the production setup: its REST channel needs a bearer token (bot/channels/rest.py).
    base = pair_env(workdir, {"DATA_DIR": str(workdir / "var"), "REST_TOKEN": BENCH_REST_TOKEN})
    action = ActionServer(free_port(), base, workdir / "action-server-ip.log").start()
    os.chdir(ROOT)
    rasa_patches.install()
    try:
        agent = Agent.load(
            str(ROOT / "models" / "current.tar.gz"),
            action_endpoint=EndpointConfig(f"{action.url}/webhook"),
        )
        domain = agent.domain
        (workdir / "var").mkdir(parents=True, exist_ok=True)
        stores = {
            "memory": InMemoryTrackerStore(domain),
            "sqlite": SQLTrackerStore(
                domain, dialect="sqlite", db=str(workdir / "var" / "conversations.db")
            ),
            "postgresql": SQLTrackerStore(
                domain,
                dialect="postgresql",
                host=services.POSTGRES[1],
                port=services.POSTGRES[2],
                db=database,
                username="postgres",
            ),
        }
        times: Dict[str, List[float]] = {store: [] for store in STORES}

        async def conversation(store: str, sender: str) -> List[float]:
            agent.tracker_store = stores[store]
            agent.processor.tracker_store = stores[store]  # type: ignore[union-attr]
            out = []
            for text in OUR_TURNS:
                start = time.perf_counter()
                await agent.handle_text(text, sender_id=sender)
                out.append((time.perf_counter() - start) * 1000)
            return out

        async def run() -> None:
            for store in STORES:
                await conversation(store, f"warm-up-{store}")
            for i in range(senders):
                for store in STORES[i % 3 :] + STORES[: i % 3]:
                    times[store] += await conversation(store, f"bench-{store}-{i}")

        asyncio.run(run())
        return {store: stats(times[store]) for store in STORES}
    finally:
        action.stop()


def workers(workdir: Path, database: str, senders: int) -> Dict[str, Dict[str, float]]:
    """SANIC_WORKERS=1 and =2 on PostgreSQL + Redis; started together, measured one at a time."""
    import time

    env = pair_env(
        workdir,
        {
            **services.postgres_env(database),
            **services.redis_env(services.unique("bench_locks")),
            "REST_TOKEN": BENCH_REST_TOKEN,
        },
    )
    action = ActionServer(free_port(), env, workdir / "action-server-w.log").start()
    out: Dict[str, Dict[str, float]] = {}
    servers = {}
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {
                count: pool.submit(
                    start_rasa,
                    workdir,
                    {**env, "SANIC_WORKERS": str(count)},
                    action.url,
                    name=f"rasa-workers-{count}",
                )
                for count in (1, 2)
            }
            for count, future in futures.items():
                servers[count] = future.result()
        for count, rasa in servers.items():
            converse(rasa.url, OUR_TURNS, f"warm-up-{count}", AUTH)
            start = time.perf_counter()
            with ThreadPoolExecutor(max_workers=4) as pool:
                runs = list(
                    pool.map(
                        lambda i, url=rasa.url, n=count: converse(
                            url, OUR_TURNS, f"w{n}-{i}", AUTH
                        ),
                        range(senders),
                    )
                )
            elapsed = time.perf_counter() - start
            out[f"workers {count}"] = {
                **stats([t for r in runs for t in r], elapsed),
                "rss": children_rss(rasa.proc.pid),
            }
    finally:
        for rasa in servers.values():
            rasa.stop()
        action.stop()
    return out


def render(r: Dict[str, Dict[str, float]], senders: int) -> str:
    mem = r["memory"]
    lines = [
        "## Tracker stores",
        "",
        "`bench/store_bench.py`: the same assistant with Rasa's in-memory tracker store, the SQL "
        "tracker store on SQLite (the `make run` default) and on PostgreSQL (local, 127.0.0.1), "
        f"three servers measured interleaved in one run; {senders} senders x 10 turns each, one "
        "client at a time, REST channel, latency per turn measured by the client.",
        "",
        f"- Date: {datetime.now(AMSTERDAM):%Y-%m-%d %H:%M %Z}",
        f"- Machine: {machine()}",
        "",
        "| tracker store | p50 ms | p95 ms | mean ms | mean vs memory |",
        "|---|---:|---:|---:|---:|",
    ]
    for store in STORES:
        s = r[store]
        lines.append(
            f"| {store} | {s['p50']:.1f} | {s['p95']:.1f} | {s['mean']:.1f} | "
            f"{s['mean'] / mem['mean']:.2f} |"
        )
    w1, w2 = r["workers 1"], r["workers 2"]
    lines += [
        "",
        "One Rasa server on PostgreSQL + the Redis lock store, 4 concurrent clients, "
        f"{senders} senders x 10 turns:",
        "",
        "| SANIC_WORKERS | msg/s | p50 ms | p95 ms | RSS of the server MB |",
        "|---:|---:|---:|---:|---:|",
        f"| 1 | {w1['throughput']:.1f} | {w1['p50']:.1f} | {w1['p95']:.1f} | {w1['rss']:.0f} |",
        f"| 2 | {w2['throughput']:.1f} | {w2['p50']:.1f} | {w2['p95']:.1f} | {w2['rss']:.0f} |",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--senders", type=int, default=12)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="one process, one model, the tracker store swapped (no servers, no workers part)",
    )
    args = parser.parse_args()
    training.train(ROOT)
    workdir = Path(tempfile.mkdtemp(prefix="store-bench-"))
    if args.in_process:
        with services.postgres_database() as database:
            results = store_latency_in_process(workdir, database, args.senders)
        for store in STORES:
            print(store, {k: round(v, 1) for k, v in results[store].items()})
        return
    with services.postgres_database() as database:
        results = store_latency(workdir, database, args.senders)
    with services.postgres_database() as database:
        results.update(workers(workdir, database, args.senders))
    section = render(results, args.senders)
    print(section)
    write_section(args.output, "## Tracker stores", section)


if __name__ == "__main__":
    main()
