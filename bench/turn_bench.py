"""Turn latency, throughput, memory and training time: this assistant against stock Rasa, one run.

Stock is `rasa init --no-prompt` (its own data, config and model) in a temporary directory, run
from the same venv. Both bots are trained from scratch (empty Rasa cache) and timed, then both
run as real servers on free ports at the same time, and every load step is measured on stock and
then on ours right after it, so the other load on the machine hits both about equally: quote the
ratios. Clients talk to the REST channel, closed loop: each user sends a message, waits for the
answer, sends the next; a conversation has 8 messages, then the user starts over as a new sender.

Results go to docs/benchmarks.md ("## Turns"). Also measures action_search inside the action
server with 10,000 offers and 2,000 events.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from itertools import cycle, islice
from pathlib import Path
from typing import Callable, Dict, List, Optional

import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import machine, write_section  # noqa: E402
from bench.synthetic import synthetic_catalog  # noqa: E402
from bot.catalog.loader import load_catalog  # noqa: E402
from bot.catalog.schema import AMSTERDAM  # noqa: E402
from bot.devtools.servers import (  # noqa: E402
    ActionServer,
    free_port,
    start_pair,
    stop_process,
    wait_until,
)

OUR_TURNS = [
    "hallo",
    "wat is social return",
    "ik zoek een cateraar",
    "meer",
    "vertel meer over de tweede",
    "welke evenementen zijn er volgende maand",
    "welke daarvan zijn online?",
    "bedankt, doei",
]
STOCK_TURNS = [
    "hello",
    "I am sad",
    "yes",
    "are you a bot?",
    "good morning",
    "I am happy",
    "thanks",
    "bye",
]
PARSE_TEXTS = {
    "stock": ["hello there", "I am very sad", "are you a human?", "great, thanks"],
    "ours": [
        "hallo daar",
        "wat is social return?",
        "ik zoek een cateraar",
        "welke evenementen zijn er volgende maand",
    ],
}
LEVELS = (1, 10, 50)
TF_ENV = {"TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false"}


@dataclass
class Bot:
    """A running Rasa server under test, with what is needed to talk to it."""

    name: str
    url: str
    pid: int
    turns: List[str]
    token: str
    stop: Callable[[], None]
    action_pid: Optional[int] = None


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def converse(
    url: str, turns: List[str], sender: str, headers: Optional[Dict[str, str]] = None
) -> List[float]:
    """One closed-loop conversation; latency of each turn in ms."""
    times = []
    with requests.Session() as session:
        for text in turns:
            start = time.perf_counter()
            resp = session.post(
                f"{url}/webhooks/rest/webhook",
                json={"sender": sender, "message": text},
                headers=headers,
                timeout=120,
            )
            resp.raise_for_status()
            times.append((time.perf_counter() - start) * 1000)
    return times


def load(bot: Bot, users: int, conversations: int, tag: str) -> Dict[str, float]:
    """`users` clients at once, `conversations` new senders in all."""
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=users) as pool:
        runs = list(
            pool.map(
                lambda i: converse(bot.url, bot.turns, f"{tag}-{users}-{i}"), range(conversations)
            )
        )
    elapsed = time.perf_counter() - start
    times = [t for run in runs for t in run]
    return {
        "p50": percentile(times, 50),
        "p95": percentile(times, 95),
        "mean": statistics.mean(times),
        "throughput": len(times) / elapsed,
    }


def long_conversation(bot: Bot, turns: int, tag: str) -> List[float]:
    """`turns` messages on one sender (the conversation's texts, over and over)."""
    return converse(bot.url, list(islice(cycle(bot.turns), turns)), f"{tag}-long")


def parse_p50(bot: Bot, count: int) -> float:
    """NLU alone: /model/parse, sequential."""
    times = []
    with requests.Session() as session:
        for text in islice(cycle(PARSE_TEXTS[bot.name]), count):
            start = time.perf_counter()
            session.post(
                f"{bot.url}/model/parse?token={bot.token}", json={"text": text}, timeout=60
            ).raise_for_status()
            times.append((time.perf_counter() - start) * 1000)
    return percentile(times, 50)


def timed(cmd: List[str], cwd: Path, env: Dict[str, str], log: Path) -> float:
    """Run a command to completion; seconds it took."""
    start = time.perf_counter()
    with open(log, "w") as out:
        subprocess.run(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, check=True)
    return time.perf_counter() - start


def train_stock(workdir: Path) -> float:
    """`rasa init --no-prompt`: writes the stock project and trains it (empty cache)."""
    env = {**os.environ, **TF_ENV, "RASA_CACHE_DIRECTORY": str(workdir / "stock-cache")}
    (workdir / "stock").mkdir()
    return timed(
        [sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(workdir / "stock")],
        workdir,
        env,
        workdir / "stock-init.log",
    )


def train_ours(workdir: Path) -> float:
    """`rasa train` of this assistant from scratch (empty cache), into the work directory."""
    env = {**os.environ, **TF_ENV, "RASA_CACHE_DIRECTORY": str(workdir / "ours-cache")}
    data = [str(ROOT / "data" / d) for d in ("nlu", "rules", "stories")]
    return timed(
        [
            sys.executable,
            "-m",
            "rasa",
            "train",
            "--config",
            str(ROOT / "config.yml"),
            "--domain",
            str(ROOT / "domain.yml"),
            "--data",
            *data,
            "--out",
            str(workdir / "ours-model"),
            "--fixed-model-name",
            "ours",
        ],
        ROOT,
        env,
        workdir / "ours-train.log",
    )


def start_stock(project: Path, workdir: Path) -> Bot:
    env = {**os.environ, **TF_ENV}
    port = free_port()
    with open(workdir / "stock-run.log", "ab") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rasa",
                "run",
                "--port",
                str(port),
                "--enable-api",
                "--auth-token",
                "bench",
            ],
            cwd=project,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(
            f"{url}/status?token=bench",
            900,
            proc,
            ok=lambda r: r.ok and bool(r.json().get("model_file")),
        )
    except Exception:
        stop_process(proc)
        raise
    return Bot("stock", url, proc.pid, STOCK_TURNS, "bench", lambda: stop_process(proc))


def start_ours(workdir: Path, model: Path) -> Bot:
    from bot.devtools.servers import TOKEN

    # A turn that waits for a starved action server is measured, not cut off by the 5-second
    # ACTION_TIMEOUT apology (that would make an overloaded assistant look fast).
    action, rasa = start_pair(
        workdir,
        # A load generator is not a person typing: no per-conversation limit (30/min).
        {"ACTION_TIMEOUT": "120", "RATE_LIMIT_CONVERSATION": "0"},
        model=model,
    )

    def stop() -> None:
        rasa.stop()
        action.stop()

    return Bot(
        "ours",
        rasa.url,
        rasa.proc.pid,
        OUR_TURNS,
        TOKEN,
        stop,  # type: ignore[union-attr]
        action_pid=action.proc.pid,
    )  # type: ignore[union-attr]


def synthetic_programme_dir(workdir: Path) -> Path:
    """data/programme with 10,000 offers and 2,000 events instead of the examples."""
    target = workdir / "programme-large"
    shutil.copytree(ROOT / "data" / "programme", target)
    now = datetime.now(AMSTERDAM)
    big = synthetic_catalog(load_catalog(target, now), now)
    offers = [o.dict() for o in big.offers]
    events = []
    for e in big.events:
        entry = e.dict()
        entry["start"], entry["eind"] = e.start.isoformat(), entry.pop("end").isoformat()
        events.append(entry)
    (target / "aanbod.yml").write_text(yaml.safe_dump({"aanbod": offers}, allow_unicode=True))
    (target / "evenementen.yml").write_text(
        yaml.safe_dump({"evenementen": events}, allow_unicode=True)
    )
    return target


def action_search_ms(workdir: Path, requests_count: int) -> Dict[str, float]:
    """action_search through the action server's webhook, with the large catalogue."""
    env = {**os.environ, "PROGRAMME_DIR": str(synthetic_programme_dir(workdir))}
    server = ActionServer(free_port(), env, workdir / "action-large.log").start()
    texts = [
        "ik zoek een cateraar",
        "schoonmaak met werk voor mensen met een afstand tot de arbeidsmarkt",
        "welke evenementen zijn er volgende maand",
        "online workshops in maart",
        "opdrachten voor ict",
        "kerstpakketten",
        "wat is er dit voorjaar",
    ]
    intents = [
        "search_offers",
        "search_offers",
        "search_events",
        "search_events",
        "search_opportunities",
        "search_offers",
        "search_events",
    ]
    times = []
    try:
        with requests.Session() as session:
            for i in range(requests_count):
                text, intent = texts[i % len(texts)], intents[i % len(intents)]
                body = {
                    "next_action": "action_search",
                    "sender_id": "bench",
                    "version": "3.6.2",
                    "domain": {},
                    "tracker": {
                        "sender_id": "bench",
                        "slots": {},
                        "events": [],
                        "paused": False,
                        "latest_message": {
                            "text": text,
                            "intent": {"name": intent},
                            "entities": [],
                        },
                        "latest_event_time": None,
                        "followup_action": None,
                        "active_loop": {},
                        "latest_action_name": "action_listen",
                    },
                }
                start = time.perf_counter()
                resp = session.post(f"{server.url}/webhook", json=body, timeout=300)
                resp.raise_for_status()
                if i:  # the first call loads and indexes the catalogue
                    times.append((time.perf_counter() - start) * 1000)
        return {
            "p50": percentile(times, 50),
            "p95": percentile(times, 95),
            "rss": rss_mb(server.proc.pid),
        }  # type: ignore[union-attr]
    finally:
        server.stop()


def progress(step: str) -> None:
    print(f"{datetime.now():%H:%M:%S} {step}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace, workdir: Path) -> Dict[str, Dict[str, float]]:
    """Train both bots, start both, measure each step on stock then on ours."""
    r: Dict[str, Dict[str, float]] = {"train": {}}
    if args.quick or args.no_train:
        stock_project = Path(tempfile.gettempdir()) / "turn-bench-stock-cache" / "stock"
        if not (stock_project / "models").exists():
            shutil.rmtree(stock_project.parent, ignore_errors=True)
            stock_project.parent.mkdir(parents=True)
            train_stock(stock_project.parent)
        our_model = ROOT / "models" / "current.tar.gz"
    else:
        progress("training stock")
        r["train"]["stock"] = train_stock(workdir)
        progress("training ours")
        r["train"]["ours"] = train_ours(workdir)
        stock_project, our_model = workdir / "stock", workdir / "ours-model" / "ours.tar.gz"
    bots: List[Bot] = []
    try:
        progress("starting stock")
        bots.append(start_stock(stock_project, workdir))
        progress("starting ours")
        bots.append(start_ours(workdir, our_model))
        for bot in bots:
            r[f"{bot.name} start"] = {"rss": rss_mb(bot.pid)}
            if bot.action_pid:
                r[f"{bot.name} start"]["action"] = rss_mb(bot.action_pid)
        for bot in bots:  # warm-up: first calls load lazily
            converse(bot.url, bot.turns, f"{bot.name}-warm-up")
        for bot in bots:
            r[f"{bot.name} parse"] = {"p50": parse_p50(bot, args.parse)}
        for users in LEVELS:
            progress(f"{users} users")
            conversations = args.conversations if users == 1 else args.per_user * users
            conversations = conversations if not args.quick else max(users, conversations // 2)
            for bot in bots:
                r[f"{bot.name} c{users}"] = load(bot, users, conversations, bot.name)
        for bot in bots:
            progress(f"long conversation, {bot.name}")
            times = long_conversation(bot, args.long, bot.name)
            tail = times[-50:]
            r[f"{bot.name} long"] = {
                "first50": statistics.median(times[:50]),
                "last50": statistics.median(tail),
                "last50_mean": statistics.mean(tail),
            }
        for bot in bots:
            r[f"{bot.name} after"] = {"rss": rss_mb(bot.pid)}
            if bot.action_pid:
                r[f"{bot.name} after"]["action"] = rss_mb(bot.action_pid)
    finally:
        for bot in bots:
            bot.stop()
    if not (args.quick or args.no_action_search):
        try:
            r["action_search"] = action_search_ms(workdir, 300)
        except Exception as error:  # the turn table is still worth writing
            progress(f"action_search benchmark failed: {error!r}")
    return r


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--conversations",
        type=int,
        default=15,
        help="new senders for the one-user run (10 and 50 users: 2 per user)",
    )
    parser.add_argument(
        "--per-user", type=int, default=2, help="conversations per user for 10 and 50 users"
    )
    parser.add_argument("--long", type=int, default=500, help="turns of the long conversation")
    parser.add_argument("--parse", type=int, default=100, help="/model/parse calls")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="no training (models/current.tar.gz, a cached stock project), "
        "half the conversations, no action_search; nothing written",
    )
    parser.add_argument(
        "--no-train",
        action="store_true",
        help="no training: models/current.tar.gz and a cached stock project "
        "(the table then has no training row)",
    )
    parser.add_argument(
        "--no-action-search",
        action="store_true",
        help="skip action_search with the large synthetic catalogue",
    )
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="turn-bench-"))
    try:
        results = run(args, workdir)
    finally:
        print(f"logs: {workdir}", file=sys.stderr)
    section = render(results, args)
    print(section)
    if not args.quick:
        write_section(args.output, "## Turns", section)
        shutil.rmtree(workdir, ignore_errors=True)


def _ratio(ours: float, stock: float) -> str:
    return f"{ours / stock:.2f}" if stock else "-"


def render(r: Dict[str, Dict[str, float]], args: argparse.Namespace) -> str:
    """The issue's table: stock, ours, ratio (ours / stock)."""
    rows = []

    def row(label: str, stock: float, ours: float, fmt: str, unit: str) -> None:
        rows.append(
            f"| {label} | {stock:{fmt}} {unit} | {ours:{fmt}} {unit} | {_ratio(ours, stock)} |"
        )

    s1, o1 = r["stock c1"], r["ours c1"]
    rows.append(
        f"| 1 user, p50 / p95 | {s1['p50']:.1f} / {s1['p95']:.1f} ms | "
        f"{o1['p50']:.1f} / {o1['p95']:.1f} ms | {_ratio(o1['p50'], s1['p50'])} / "
        f"{_ratio(o1['p95'], s1['p95'])} |"
    )
    for users in LEVELS[1:]:
        s, o = r[f"stock c{users}"], r[f"ours c{users}"]
        row(f"{users} users, throughput", s["throughput"], o["throughput"], ".1f", "msg/s")
        row(f"{users} users, p50", s["p50"], o["p50"], ".0f", "ms")
        row(f"{users} users, p95", s["p95"], o["p95"], ".0f", "ms")
    row(
        "NLU alone (`/model/parse`), p50",
        r["stock parse"]["p50"],
        r["ours parse"]["p50"],
        ".1f",
        "ms",
    )
    row("Rasa server RSS after start", r["stock start"]["rss"], r["ours start"]["rss"], ".0f", "MB")
    row("Rasa server RSS after load", r["stock after"]["rss"], r["ours after"]["rss"], ".0f", "MB")
    sl, ol = r["stock long"], r["ours long"]
    row(
        "long conversation: turns 1-50 on one sender, p50",
        sl["first50"],
        ol["first50"],
        ".1f",
        "ms",
    )
    row(
        f"long conversation: turns {args.long - 49}-{args.long}, p50",
        sl["last50"],
        ol["last50"],
        ".1f",
        "ms",
    )
    rows.append(
        f"| long conversation: last 50 turns / new conversation (1 user p50) | "
        f"{sl['last50'] / s1['p50']:.2f} | {ol['last50'] / o1['p50']:.2f} | |"
    )
    if r["train"]:
        row("full training (empty cache)", r["train"]["stock"], r["train"]["ours"], ".0f", "s")
    lines = [
        "## Turns",
        "",
        "`bench/turn_bench.py` (`make bench`), one run: stock Rasa (`rasa init`, same Rasa 3.6.21 "
        "venv) and this assistant, "
        + (
            "both trained from scratch here (empty cache), then "
            if r["train"]
            else "trained before this run (`--no-train`: no training row), "
        )
        + "both running as real servers; each step runs on stock, then on ours. "
        "REST channel, closed loop, "
        f"8-message conversations then a new sender ({args.conversations} conversations for 1 "
        f"user, {args.per_user} per user for 10 and 50 users); the long conversation is {args.long} turns "
        "on one sender. Latency per turn, measured by the client. The machine is shared: "
        "compare the ratios (ours / stock), not the absolute numbers across runs.",
        "",
        f"- Date: {datetime.now(AMSTERDAM):%Y-%m-%d %H:%M %Z}",
        f"- Machine: {machine()}",
        "",
        "| | stock `rasa init` | this assistant | ratio |",
        "|---|---:|---:|---:|",
        *rows,
        "",
    ]
    sa, oa = r["ours start"].get("action", 0.0), r["ours after"].get("action", 0.0)
    lines += [
        f"Our action server (not in the Rasa server's RSS): {sa:.0f} MB after start, "
        f"{oa:.0f} MB after the load.",
        "",
    ]
    if "action_search" in r:
        a = r["action_search"]
        lines += [
            "`action_search` in the action server with 10,000 offers and 2,000 events, through "
            f"its webhook (HTTP included, 300 calls): p50 {a['p50']:.1f} ms, p95 {a['p95']:.1f} "
            f"ms (target: p95 under 20 ms); action server RSS {a['rss']:.0f} MB.",
            "",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
