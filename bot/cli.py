"""Command line of the project: `python -m bot <command>`."""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from bot import PROJECT_ROOT
from bot.content.loader import DataError, load_programme
from bot.settings import Settings

GENERATED_NLU = PROJECT_ROOT / "data" / "nlu" / "generated" / "programme.yml"


def _programme():
    return load_programme(Settings.from_env().programme_dir)


def _catalog():
    from datetime import datetime

    from bot.catalog.loader import load_catalog
    from bot.catalog.schema import AMSTERDAM

    return load_catalog(Settings.from_env().programme_dir, datetime.now(AMSTERDAM))


def cmd_check(_: argparse.Namespace) -> int:
    programme = _programme()
    catalog = _catalog()
    print(
        f"ok: {len(programme.topics)} topics, {len(catalog.categories)} categories, "
        f"{len(catalog.offers)} offers, {len(catalog.opportunities)} opportunities, "
        f"{len(catalog.events)} events"
    )
    return 0


def cmd_generate(_: argparse.Namespace) -> int:
    from bot.nlp import training_data

    changed = training_data.write(_programme(), GENERATED_NLU, _catalog())
    print(f"{'wrote' if changed else 'unchanged'}: {GENERATED_NLU.relative_to(PROJECT_ROOT)}")
    return 0


def cmd_build_nlp(args: argparse.Namespace) -> int:
    from bot.nlp import pipeline, vocabulary

    out = Settings.from_env().spacy_model_dir
    patterns = vocabulary.entity_patterns(_programme(), _catalog())
    if not args.force and pipeline.is_current(out, patterns):
        print(f"up to date: spaCy pipeline {out}")
        return 0
    pipeline.build(out, patterns)
    print(f"built: spaCy pipeline {out} ({len(patterns)} patterns)")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from bot import training

    trained = training.train(PROJECT_ROOT, force=args.force)
    print("trained: models/current.tar.gz" if trained else "up to date: models/current.tar.gz")
    return 0


def cmd_purge_handoff(args: argparse.Namespace) -> int:
    from bot.handoff.purge import purge

    settings = Settings.from_env()
    days = settings.handoff_retention_days if args.days is None else args.days
    counts = purge(settings, days)
    print(
        f"removed {sum(counts.values())} handoff record(s) older than {days} days: "
        + ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in counts.items())
    )
    return 0


def cmd_run(_: argparse.Namespace) -> int:
    from bot import runner

    return runner.run(PROJECT_ROOT)


def cmd_screenshots(args: argparse.Namespace) -> int:
    from bot import screenshots

    url = args.url or f"http://localhost:{Settings.from_env().rasa_port}/webchat/"
    for path in screenshots.take(url):
        print(f"wrote {path.relative_to(PROJECT_ROOT)}")
    return 0


def cmd_console_account(args: argparse.Namespace) -> int:
    """Print a CONSOLE_ACCOUNTS line (name:argon2-hash) for a password typed twice."""
    import getpass

    from bot.handoff.console import NAME_PATTERN, hash_password

    if not NAME_PATTERN.match(args.name):
        print("A name has 1-64 letters, digits, '.', '_' or '-'.", file=sys.stderr)
        return 2
    password = getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline()
    password = password.rstrip("\n")
    if sys.stdin.isatty() and getpass.getpass("Again: ") != password:
        print("The passwords differ.", file=sys.stderr)
        return 2
    if len(password) < 12:
        print("Use a password of at least 12 characters.", file=sys.stderr)
        return 2
    print(f"{args.name}:{hash_password(password)}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from bot import runner

    return runner.serve(PROJECT_ROOT, args.part)


def cmd_purge(args: argparse.Namespace) -> int:
    from bot import retention

    settings = Settings.from_env()
    if args.loop:
        retention.run_forever(settings)
        return 0
    counts = retention.purge_all(settings)
    print(
        f"deleted {counts['conversations']} conversation(s) older than "
        f"{settings.retention_days} days ({retention.describe(settings)}); handoff records "
        f"older than {settings.handoff_retention_days} days: "
        + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items() if k != "conversations")
    )
    return 0


def cmd_import_handoff(args: argparse.Namespace) -> int:
    """Copy the old per-process SQLite files of the helpdesk into the shared database."""
    from pathlib import Path

    from bot.handoff import legacy
    from bot.handoff.db import handoff_db

    folder = Path(args.folder)
    if not folder.is_dir():
        print(f"No folder {folder}", file=sys.stderr)
        return 2
    counts = legacy.import_from(folder, handoff_db(Settings.from_env()))
    print(
        "imported: "
        + (", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items()) or "nothing")
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command line (also used by tests to check the commands in deployment files)."""
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="validate the programme data").set_defaults(func=cmd_check)
    sub.add_parser("generate", help="write generated training data").set_defaults(func=cmd_generate)
    p = sub.add_parser("build-nlp", help="build the Dutch spaCy pipeline")
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=cmd_build_nlp)
    p = sub.add_parser("train", help="train the Rasa model if its inputs changed")
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=cmd_train)
    p = sub.add_parser(
        "console-account", help="print a CONSOLE_ACCOUNTS line for the agent console"
    )
    p.add_argument("name")
    p.set_defaults(func=cmd_console_account)
    p = sub.add_parser(
        "purge-handoff",
        help="delete contact requests and live handovers older "
        "than HANDOFF_RETENTION_DAYS (default 30)",
    )
    p.add_argument("--days", type=int, help="keep this many days instead")
    p.set_defaults(func=cmd_purge_handoff)
    sub.add_parser("run", help="start the action server and the Rasa server").set_defaults(
        func=cmd_run
    )
    p = sub.add_parser(
        "screenshots", help="save docs/widget-{desktop,phone}.png from a running assistant"
    )
    p.add_argument("--url", help="the demo page (default: http://localhost:RASA_PORT/webchat/)")
    p.set_defaults(func=cmd_screenshots)
    p = sub.add_parser("serve", help="one server in the foreground (containers)")
    p.add_argument("part", choices=["rasa", "actions"])
    p.set_defaults(func=cmd_serve)
    for name in ("purge", "purge-conversations"):
        p = sub.add_parser(
            name,
            help="delete conversations older than RETENTION_DAYS and handoff records older "
            "than HANDOFF_RETENTION_DAYS",
        )
        p.add_argument(
            "--loop", action="store_true", help="keep running: purge every RETENTION_INTERVAL_HOURS"
        )
        p.set_defaults(func=cmd_purge)
    p = sub.add_parser(
        "import-handoff",
        help="import the old handoff-*.sqlite3 files of FOLDER into the conversation database",
    )
    p.add_argument("folder")
    p.set_defaults(func=cmd_import_handoff)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DataError as exc:
        print(f"Programme data error:\n{exc}", file=sys.stderr)
        return 2
