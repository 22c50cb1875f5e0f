"""Turn latency, throughput and memory of the assistant against stock Rasa (`rasa init`), same run.

Both bots run as real servers on free ports. Conversations have a realistic length (10 turns per
sender; the cost of a turn grows with the tracker). Results go to docs/benchmarks.md ("## Turns").
Also measures action_search inside the action server with 10,000 offers and 2,000 events.
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
from datetime import datetime
from pathlib import Path
from typing import Dict, List

import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import machine, write_section  # noqa: E402
from bench.synthetic import synthetic_catalog  # noqa: E402
from bot.catalog.loader import load_catalog  # noqa: E402
from bot.catalog.schema import AMSTERDAM  # noqa: E402
from bot.devtools.servers import ActionServer, free_port, start_pair, wait_until  # noqa: E402

OUR_TURNS = ["hallo", "Wat betekent LOL?", "wat is social return", "ik zoek een cateraar",
             "meer", "vertel meer over de tweede", "welke evenementen zijn er volgende maand",
             "welke daarvan zijn online?", "ik wil een medewerker spreken", "bedankt, doei"]
STOCK_TURNS = ["hello", "I am sad", "yes", "great", "are you a bot?", "no", "good morning",
               "I am happy", "thanks", "bye"]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def converse(url: str, turns: List[str], sender: str) -> List[float]:
    times = []
    with requests.Session() as session:
        for text in turns:
            start = time.perf_counter()
            resp = session.post(f"{url}/webhooks/rest/webhook",
                                json={"sender": sender, "message": text}, timeout=60)
            resp.raise_for_status()
            times.append((time.perf_counter() - start) * 1000)
    return times


def measure(url: str, turns: List[str], senders: int, concurrency: int) -> Dict[str, float]:
    converse(url, turns, "warm-up")
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        runs = list(pool.map(lambda i: converse(url, turns, f"bench-{concurrency}-{i}"),
                             range(senders)))
    elapsed = time.perf_counter() - start
    times = [t for run in runs for t in run]
    return {"p50": percentile(times, 50), "p95": percentile(times, 95),
            "mean": statistics.mean(times), "throughput": len(times) / elapsed}


def stock_rasa(workdir: Path) -> subprocess.Popen:
    """`rasa init --no-prompt` (trains the stock model), then `rasa run` on a free port."""
    project = workdir / "stock"
    project.mkdir()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false"}
    with open(workdir / "stock-init.log", "w") as log:
        subprocess.run([sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir",
                        str(project)], cwd=workdir, env=env, stdout=log, stderr=log, check=True)
    port = free_port()
    log = open(workdir / "stock-run.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "rasa", "run", "--port", str(port),
                             "--enable-api", "--auth-token", "bench"],
                            cwd=project, env=env, stdout=log, stderr=log)
    proc.url = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    wait_until(f"{proc.url}/status?token=bench", 240, proc,  # type: ignore[attr-defined]
               ok=lambda r: r.ok and bool(r.json().get("model_file")))
    return proc


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
    (target / "evenementen.yml").write_text(yaml.safe_dump({"evenementen": events}, allow_unicode=True))
    return target


def action_search_ms(workdir: Path, requests_count: int) -> Dict[str, float]:
    """action_search through the action server's webhook, with the large catalogue."""
    env = {**os.environ, "PROGRAMME_DIR": str(synthetic_programme_dir(workdir))}
    server = ActionServer(free_port(), env, workdir / "action-large.log").start()
    texts = ["ik zoek een cateraar", "schoonmaak met werk voor mensen met een afstand tot de arbeidsmarkt",
             "welke evenementen zijn er volgende maand", "online workshops in maart",
             "opdrachten voor ict", "kerstpakketten", "wat is er dit voorjaar"]
    intents = ["search_offers", "search_offers", "search_events", "search_events",
               "search_opportunities", "search_offers", "search_events"]
    times = []
    try:
        with requests.Session() as session:
            for i in range(requests_count):
                text, intent = texts[i % len(texts)], intents[i % len(intents)]
                body = {"next_action": "action_search", "sender_id": "bench", "version": "3.6.2",
                        "domain": {}, "tracker": {
                            "sender_id": "bench", "slots": {}, "events": [], "paused": False,
                            "latest_message": {"text": text, "intent": {"name": intent},
                                               "entities": []},
                            "latest_event_time": None, "followup_action": None,
                            "active_loop": {}, "latest_action_name": "action_listen"}}
                start = time.perf_counter()
                resp = session.post(f"{server.url}/webhook", json=body, timeout=30)
                resp.raise_for_status()
                if i:  # the first call loads and indexes the catalogue
                    times.append((time.perf_counter() - start) * 1000)
        return {"p50": percentile(times, 50), "p95": percentile(times, 95),
                "rss": rss_mb(server.proc.pid)}
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="turn-bench-"))
    results: Dict[str, Dict[str, float]] = {}
    stock = stock_rasa(workdir)
    try:
        results["stock memory"] = {"rss": rss_mb(stock.pid)}
        for c in (1, 4):
            results[f"stock c{c}"] = measure(stock.url, STOCK_TURNS, args.senders, c)
        results["stock memory after"] = {"rss": rss_mb(stock.pid)}
    finally:
        stock.terminate()
        stock.wait(timeout=30)
    action, rasa = start_pair(workdir)
    try:
        results["ours memory"] = {"rss": rss_mb(rasa.proc.pid), "action": rss_mb(action.proc.pid)}
        for c in (1, 4):
            results[f"ours c{c}"] = measure(rasa.url, OUR_TURNS, args.senders, c)
        results["ours memory after"] = {"rss": rss_mb(rasa.proc.pid),
                                        "action": rss_mb(action.proc.pid)}
    finally:
        rasa.stop()
        action.stop()
    results["action_search"] = action_search_ms(workdir, 300)
    section = render(results, args.senders)
    print(section)
    write_section(args.output, "## Turns", section)


def render(r: Dict[str, Dict[str, float]], senders: int) -> str:
    lines = [
        "## Turns",
        "",
        "`bench/turn_bench.py` (`make bench`): stock Rasa (`rasa init`, same Rasa 3.6.21 venv) and this "
        f"assistant as real servers, {senders} senders x 10 turns over the REST channel, sequential (c1) "
        "and 4 clients at once (c4). Latency is per turn, measured by the client.",
        "",
        f"- Date: {datetime.now(AMSTERDAM):%Y-%m-%d %H:%M %Z}",
        f"- Machine: {machine()}",
        "",
        "| | stock p50 ms | ours p50 ms | ratio | stock p95 ms | ours p95 ms | ratio | stock msg/s | ours msg/s | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in (1, 4):
        s, o = r[f"stock c{c}"], r[f"ours c{c}"]
        lines.append(
            f"| {c} client{'s' if c > 1 else ''} | {s['p50']:.1f} | {o['p50']:.1f} | {o['p50'] / s['p50']:.2f} | "
            f"{s['p95']:.1f} | {o['p95']:.1f} | {o['p95'] / s['p95']:.2f} | {s['throughput']:.1f} | "
            f"{o['throughput']:.1f} | {o['throughput'] / s['throughput']:.2f} |")
    sm, om = r["stock memory"]["rss"], r["ours memory"]["rss"]
    sa, oa = r["stock memory after"]["rss"], r["ours memory after"]["rss"]
    lines += [
        "",
        f"Memory (RSS) of the Rasa server after start: stock {sm:.0f} MB, ours {om:.0f} MB "
        f"(ratio {om / sm:.2f}); after the load: stock {sa:.0f} MB, ours {oa:.0f} MB "
        f"(ratio {oa / sa:.2f}). Our action server: {r['ours memory']['action']:.0f} MB after start, "
        f"{r['ours memory after']['action']:.0f} MB after the load.",
        "",
        f"`action_search` in the action server with 10,000 offers and 2,000 events, through its webhook "
        f"(HTTP included, 300 calls): p50 {r['action_search']['p50']:.1f} ms, "
        f"p95 {r['action_search']['p95']:.1f} ms (target: p95 under 20 ms); action server RSS "
        f"{r['action_search']['rss']:.0f} MB.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
