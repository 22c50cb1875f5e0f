"""Another user's latency while one visitor attacks (issue 8, items 1 and 5). Not a test.

Real servers on free ports (bot/devtools/servers.py). A "victim" has ordinary conversations
(5 turns per sender) over REST and measures each answer's time, first alone (baseline),
then during each attack:
- markup: 2 clients keep sending `<` + 19,998 spaces (a message that took 4 s on the old
  quadratic tag pattern);
- flood: one sender sends 1,000 messages from one address, 8 at a time.

    python bench/attack_bench.py                 # this tree, limits as configured
    python bench/attack_bench.py --limits off    # RATE_LIMIT_* = 0 (no flood limits)
    python bench/attack_bench.py --root /work/main --attack markup   # another checkout
    python bench/attack_bench.py --write         # also into docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List

import requests

ROOT = Path(__file__).resolve().parent.parent
VICTIM_TURNS = [
    "hallo",
    "Wat betekent LOL?",
    "wat is social return",
    "welke evenementen zijn er",
    "bedankt",
]
MARKUP_ATTACK = "<" + " " * 19998
FLOOD_MESSAGES = 1000
FLOOD_ADDRESS = "198.51.100.7"


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def victim(url: str, stop: threading.Event, min_turns: int, tag: str) -> List[float]:
    """Ordinary conversations until `stop` is set and at least `min_turns` were timed."""
    times: List[float] = []
    n = 0
    with requests.Session() as session:
        while len(times) < min_turns or not stop.is_set():
            sender = f"victim-{tag}-{n // len(VICTIM_TURNS)}"
            text = VICTIM_TURNS[n % len(VICTIM_TURNS)]
            start = time.perf_counter()
            resp = session.post(
                f"{url}/webhooks/rest/webhook",
                json={"sender": sender, "message": text},
                timeout=300,
            )
            resp.raise_for_status()
            times.append(time.perf_counter() - start)
            n += 1
    return times


def markup_attack(url: str, stop: threading.Event) -> Dict[str, object]:
    sent, slowest = 0, 0.0

    def attacker(i: int) -> None:
        nonlocal sent, slowest
        with requests.Session() as session:
            while not stop.is_set():
                start = time.perf_counter()
                session.post(
                    f"{url}/webhooks/rest/webhook",
                    timeout=300,
                    json={"sender": f"attacker-{i}-{sent}", "message": MARKUP_ATTACK},
                )
                slowest = max(slowest, time.perf_counter() - start)
                sent += 1

    threads = [threading.Thread(target=attacker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    return {
        "threads": threads,
        "result": lambda: {"attack messages": sent, "slowest attack answer s": slowest},
    }


def flood(url: str) -> Dict[str, float]:
    codes: Dict[int, int] = {}
    start = time.perf_counter()

    def one(i: int) -> None:
        resp = requests.post(
            f"{url}/webhooks/rest/webhook",
            timeout=300,
            headers={"X-Forwarded-For": FLOOD_ADDRESS},
            json={"sender": "flooder", "message": f"hallo {i}"},
        )
        codes[resp.status_code] = codes.get(resp.status_code, 0) + 1

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, range(FLOOD_MESSAGES)))
    return {
        "flood s": time.perf_counter() - start,
        **{f"HTTP {code}": n for code, n in sorted(codes.items())},
    }


def summary(times: List[float]) -> Dict[str, float]:
    return {
        "turns": len(times),
        "median ms": statistics.median(times) * 1000,
        "p95 ms": percentile(times, 95) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="checkout to run")
    parser.add_argument("--attack", choices=["markup", "flood", "both"], default="both")
    parser.add_argument("--limits", choices=["on", "off"], default="on")
    parser.add_argument("--turns", type=int, default=20, help="victim turns per phase (min)")
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args()
    sys.path.insert(0, str(args.root.resolve()))
    from bot.devtools.servers import start_pair  # noqa: E402  (from the chosen checkout)

    env = {"TRUSTED_PROXIES": "1"}
    if args.limits == "off":
        env.update({"RATE_LIMIT_CONVERSATION": "0", "RATE_LIMIT_ADDRESS": "0"})
    results: Dict[str, Dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        action, rasa = start_pair(Path(tmp), env)
        try:
            stop = threading.Event()
            stop.set()
            victim(rasa.url, stop, 5, "warmup")
            results["alone"] = summary(victim(rasa.url, stop, args.turns, "alone"))
            if args.attack in ("markup", "both"):
                attack_stop = threading.Event()
                attack = markup_attack(rasa.url, attack_stop)
                time.sleep(1)  # the attack is under way
                times = victim(rasa.url, stop, args.turns, "markup")  # `stop` is set
                attack_stop.set()
                for t in attack["threads"]:
                    t.join()
                results["during markup attack"] = {**summary(times), **attack["result"]()}
            if args.attack in ("flood", "both"):
                stop = threading.Event()
                with ThreadPoolExecutor(1) as pool:
                    flooding = pool.submit(flood, rasa.url)
                    flooding.add_done_callback(lambda _: stop.set())
                    times = victim(rasa.url, stop, args.turns, "flood")
                    results["during 1,000-message flood"] = {**summary(times), **flooding.result()}
        finally:
            rasa.stop()
            action.stop()
    base = results["alone"]["median ms"]
    lines = [f"limits {args.limits}, root {args.root}"]
    for phase, values in results.items():
        ratio = values["median ms"] / base
        extra = ", ".join(
            f"{k} {v:.0f}" if isinstance(v, float) else f"{k} {v}"
            for k, v in values.items()
            if k not in ("median ms", "p95 ms")
        )
        lines.append(
            f"| {phase} | {values['median ms']:.0f} | {values['p95 ms']:.0f} | "
            f"{ratio:.2f}x | {extra} |"
        )
    print("\n".join(lines))
    if args.write:
        from bench.report import machine, write_section

        section = (
            "## Attacks (issue 8)\n\n`bench/attack_bench.py`: another user's REST "
            f"latency alone and during an attack ({machine()}).\n\n"
            "| phase | median ms | p95 ms | median vs alone | details |\n"
            "| --- | --- | --- | --- | --- |\n" + "\n".join(lines[1:]) + "\n"
        )
        write_section(ROOT / "docs" / "benchmarks.md", "## Attacks (issue 8)", section)


if __name__ == "__main__":
    main()
