"""Search benchmark: 10,000 offers and 2,000 events, a realistic mix of searches, p50/p95/p99.

Run: .venv/bin/python bench/search_bench.py [--rounds N]
Writes the "## Search" section of docs/benchmarks.md (other sections are kept).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Callable, Dict, List, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import machine, write_section  # noqa: E402
from bench.synthetic import synthetic_catalog  # noqa: E402
from bot.catalog.loader import load_catalog  # noqa: E402
from bot.catalog.periods import parse_period  # noqa: E402
from bot.catalog.schema import AMSTERDAM  # noqa: E402
from bot.catalog.search import CatalogIndex, page  # noqa: E402

OFFERS, EVENTS = 10_000, 2_000
PERIODS = [
    "deze week",
    "volgende week",
    "volgende maand",
    "in maart",
    "binnenkort",
    "dit voorjaar",
    "na 1 december",
    "over twee weken",
]


def queries(
    index: CatalogIndex, now: datetime, rng: random.Random
) -> List[Tuple[str, Callable[[], object]]]:
    """One round of the mix; periods are parsed outside the timing (they are parsed once per message)."""
    cats = sorted(index.catalog.categories)
    impacts = sorted(index.catalog.impact_kinds)
    kinds = sorted(index.catalog.event_kinds)
    periods = [parse_period(p, now) for p in PERIODS]
    c, i, k = rng.choice(cats), rng.choice(impacts), rng.choice(kinds)
    period, online, pg = rng.choice(periods), rng.choice([True, False]), rng.randint(1, 4)
    return [
        ("offers: category", lambda: page(index.offers(categorie=c), 1)),
        ("offers: category + impact", lambda: page(index.offers(categorie=c, impact=i), pg)),
        ("offers: impact", lambda: page(index.offers(impact=i), pg)),
        ("offers: synonym category", lambda: page(index.offers(categorie="schoonmaakbedrijf"), 1)),
        ("opportunities: category", lambda: page(index.opportunities(categorie=c, now=now), 1)),
        ("events: all", lambda: page(index.events(now=now), pg)),
        ("events: kind", lambda: page(index.events(soort=k, now=now), 1)),
        ("events: period", lambda: page(index.events(period=period, now=now), pg)),
        (
            "events: kind + period + online",
            lambda: page(index.events(soort=k, period=period, online=online, now=now), 1),
        ),
    ]


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def run(rounds: int, seed: int = 1) -> Dict[str, object]:
    now = datetime.now(AMSTERDAM)
    base = load_catalog(ROOT / "data" / "programme", now)
    started = time.perf_counter()
    catalog = synthetic_catalog(base, now, offers=OFFERS, events=EVENTS)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    index = CatalogIndex(catalog)
    built = time.perf_counter() - started
    rng = random.Random(seed)
    for _, query in queries(index, now, rng):  # warm up
        query()
    timings: Dict[str, List[float]] = {}
    for _ in range(rounds):
        for name, query in queries(index, now, rng):
            t0 = time.perf_counter_ns()
            query()
            timings.setdefault(name, []).append((time.perf_counter_ns() - t0) / 1e6)
    every = [t for values in timings.values() for t in values]
    return {"now": now, "generated": generated, "built": built, "timings": timings, "all": every}


def render(result: Dict[str, object], rounds: int) -> str:
    every: List[float] = result["all"]  # type: ignore[assignment]
    timings: Dict[str, List[float]] = result["timings"]  # type: ignore[assignment]
    lines = [
        "## Search",
        "",
        f"`bench/search_bench.py`: {OFFERS:,} offers and {EVENTS:,} events (synthetic, seeded), "
        f"{rounds:,} rounds of {len(timings)} searches = {len(every):,} timed searches "
        "(filters + `page()`, single thread, after one warm-up round).",
        "",
        f"- Date: {datetime.now(AMSTERDAM).strftime('%Y-%m-%d %H:%M %Z')}",
        f"- Machine: {machine()}",
        f"- Build: generating the data {result['generated'] * 1000:.0f} ms, building the index "
        f"{result['built'] * 1000:.0f} ms (once at start-up)",
        "",
        f"**All searches: p50 {percentile(every, 50):.3f} ms, p95 {percentile(every, 95):.3f} ms, "
        f"p99 {percentile(every, 99):.3f} ms, max {max(every):.3f} ms** (budget: p95 well under 20 ms).",
        "",
        "| search | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|",
    ]
    for name, values in timings.items():
        lines.append(
            f"| {name} | {percentile(values, 50):.3f} | {percentile(values, 95):.3f} | "
            f"{percentile(values, 99):.3f} |"
        )
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=500)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    result = run(args.rounds)
    section = render(result, args.rounds)
    print(section)
    write_section(args.output, "## Search", section)
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
