"""The blind evaluation (`make eval`): messages and conversations nobody here trained on.

The sets in tests/eval/blind/ were written by someone who saw only the programme facts, the
list of intents and topics, and the user types (tests/eval/blind/README.md). They are never
trained on. This runs every message and conversation through the real servers (REST channel,
a fresh conversation each), so what is measured is what a user gets: the intent and topic the
assistant acted on, the category it searched, the facts in its reply, whether it asked a
clarifying question or for consent. Results per intent, class and user type go to
docs/understanding.md (one section per set).

Usage: python -m bench.blind_eval [--sets a b] [--url http://127.0.0.1:5005] [--token T]
Without --url it starts an action server and a Rasa server on the real programme data.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple
from urllib.parse import quote

import requests
import yaml

from bot import PROJECT_ROOT

BLIND_DIR = PROJECT_ROOT / "tests" / "eval" / "blind"
REPORT = PROJECT_ROOT / "docs" / "understanding.md"
CLARIFY = "clarify"
SEARCH_KINDS = {
    "search_offers": "aanbod",
    "search_opportunities": "opdrachten",
    "search_events": "evenementen",
}
FALLBACK_ACTIONS = {"action_fallback", "action_clarify"}


def squash(text: str) -> str:
    """Lower case, no whitespace, no dots: "14 023" and "14023" compare equal."""
    return re.sub(r"[\s.\u00a0]+", "", text.lower())


@dataclass
class Turn:
    """What the assistant did with one user message."""

    text: str
    replies: List[Dict[str, Any]]
    intent: Optional[str]
    topic: Optional[str]
    category: Optional[str]
    actions: List[str]
    answered_topic: Optional[str] = None  # the programme topic the reply answered, if any
    searched: Optional[str] = None  # the kind of search this turn ran (aanbod, opdrachten, ...)

    @property
    def reply_text(self) -> str:
        return "\n".join(r.get("text") or "" for r in self.replies)

    @property
    def payloads(self) -> List[str]:
        return [b.get("payload", "") for r in self.replies for b in r.get("buttons") or []]

    @property
    def clarified(self) -> bool:
        """A question back with choices (a fallback step, or a search asking what kind)."""
        asked = len(self.payloads) >= 2
        return asked and (
            self.intent == "nlu_fallback"
            or bool(FALLBACK_ACTIONS & set(self.actions))
            or "?" in self.reply_text
        )

    @property
    def asks_consent(self) -> bool:
        return "/affirm" in self.payloads and "/deny" in self.payloads


class Assistant:
    """The assistant over REST, with its tracker read back from the HTTP API."""

    def __init__(self, url: str, token: str, rest_token: Optional[str] = None) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.headers = {"Authorization": f"Bearer {rest_token}"} if rest_token else {}
        self.http = requests.Session()

    def say(self, sender: str, text: str) -> Turn:
        resp = self.http.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            headers=self.headers,
            timeout=60,
        )
        resp.raise_for_status()
        replies = resp.json()
        tracker = self.http.get(
            f"{self.url}/conversations/{quote('rest:' + sender, safe=':')}/tracker",
            params={"token": self.token, "include_events": "ALL"},
            timeout=60,
        ).json()
        events = tracker.get("events") or []
        last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
        parse = events[last_user].get("parse_data", {}) if last_user >= 0 else {}
        actions = [
            e.get("name")
            for e in events[last_user + 1 :]
            if e.get("event") == "action" and e.get("name") != "action_listen"
        ]
        selector = (parse.get("response_selector") or {}).get("faq", {}).get("response", {})
        key = selector.get("intent_response_key") or ""
        search = (tracker.get("slots") or {}).get("zoekopdracht") or {}
        return Turn(
            text=text,
            replies=replies,
            intent=(parse.get("intent") or {}).get("name"),
            topic=key.split("/", 1)[1] if "/" in key else None,
            category=search.get("categorie") if isinstance(search, dict) else None,
            actions=[a for a in actions if a],
            searched=(
                search.get("kind")
                if "action_search" in actions and isinstance(search, dict)
                else None
            ),
            answered_topic=next(
                (
                    e.get("value")
                    for e in reversed(events[last_user + 1 :])
                    if e.get("event") == "slot" and e.get("name") == "laatste_onderwerp"
                ),
                None,
            ),
        )


def intent_ok(expected: Dict[str, Any], turn: Turn) -> bool:
    intent = expected.get("intent")
    if intent is None:
        return True
    if intent == CLARIFY:
        return turn.clarified
    if intent in SEARCH_KINDS and turn.searched == SEARCH_KINDS[intent]:
        # What the user got: that search (a follow-up the NLU called "inform" refines it).
        return True
    if intent == "faq" and turn.answered_topic:
        # What the user got: a programme answer (a follow-up the NLU called "inform" too).
        return not expected.get("topic") or turn.answered_topic == expected["topic"]
    if turn.intent != intent:
        return False
    if intent == "faq" and expected.get("topic"):
        return turn.topic == expected["topic"]
    return True


def category_ok(expected: Dict[str, Any], turn: Turn) -> bool:
    category = expected.get("category")
    if not category:
        return True
    if category == "unknown":
        return turn.category is None
    return turn.category == category


def fact_ok(expected: Dict[str, Any], turn: Turn) -> bool:
    fact = expected.get("fact")
    return not fact or squash(str(fact)) in squash(turn.reply_text)


def turn_checks(expect: Dict[str, Any], turn: Turn) -> List[str]:
    """The failed checks of one conversation turn (empty: the turn passed)."""
    failed = []
    if not intent_ok(expect, turn):
        failed.append(
            f"intent {expect.get('intent')}/{expect.get('topic')} got {turn.intent}/{turn.topic}"
        )
    if not category_ok(expect, turn):
        failed.append(f"category {expect.get('category')} got {turn.category}")
    reply = turn.reply_text.lower()
    wanted = expect.get("contains_any") or []
    if wanted and not any(squash(w) in squash(reply) for w in wanted):
        failed.append(f"none of {wanted}")
    for word in expect.get("not_contains") or []:
        if word.lower() in reply:
            failed.append(f"contains {word!r}")
    if expect.get("handoff_consent") and not turn.asks_consent:
        failed.append("no consent question")
    if not fact_ok(expect, turn):
        failed.append(f"fact {expect.get('fact')!r} missing")
    return failed


@dataclass
class Tally:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += int(ok)
        self.total += 1

    def __str__(self) -> str:
        return f"{self.right / self.total:.3f} ({self.right}/{self.total})" if self.total else "-"


@dataclass
class SetResult:
    name: str
    intents: Tally = field(default_factory=Tally)
    categories: Tally = field(default_factory=Tally)
    facts: Tally = field(default_factory=Tally)
    out_of_scope: Tally = field(default_factory=Tally)
    by_intent: Dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_user: Dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_class: Dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    conversations: Tally = field(default_factory=Tally)
    conversations_by_class: Dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    misses: List[str] = field(default_factory=list)
    failed_conversations: List[str] = field(default_factory=list)


def run_messages(assistant: Assistant, items: Iterable[Dict[str, Any]], result: SetResult) -> None:
    for item in items:
        turn = assistant.say(f"blind-{uuid.uuid4().hex[:12]}", item["text"])
        ok_intent = intent_ok(item, turn)
        result.intents.add(ok_intent)
        result.by_intent[item["intent"]].add(ok_intent)
        result.by_user[item.get("user", "?")].add(ok_intent)
        if item.get("class"):
            result.by_class[item["class"]].add(ok_intent and category_ok(item, turn))
        if item["intent"] == "out_of_scope":
            result.out_of_scope.add(turn.intent == "out_of_scope")
        if item.get("category"):
            result.categories.add(category_ok(item, turn))
        if item.get("fact"):
            result.facts.add(fact_ok(item, turn))
        if not (ok_intent and category_ok(item, turn) and fact_ok(item, turn)):
            want = "/".join(
                str(item.get(k)) for k in ("intent", "topic", "category") if item.get(k)
            )
            got = "/".join(str(v) for v in (turn.intent, turn.topic, turn.category) if v)
            if not fact_ok(item, turn):
                want += f" with fact {item['fact']!r}"
            result.misses.append(f"{item['text'][:90]!r}: want {want}, got {got}")


def run_conversations(
    assistant: Assistant, conversations: Iterable[Dict[str, Any]], result: SetResult
) -> None:
    for conversation in conversations:
        sender = f"blindc-{uuid.uuid4().hex[:12]}"
        failures: List[str] = []
        for number, step in enumerate(conversation["turns"], 1):
            turn = assistant.say(sender, step["user"])
            failures += [f"turn {number}: {f}" for f in turn_checks(step.get("expect") or {}, turn)]
        passed = not failures
        result.conversations.add(passed)
        result.conversations_by_class[conversation.get("class", "general")].add(passed)
        if not passed:
            result.failed_conversations.append(f"{conversation['id']}: {'; '.join(failures)}")


def load_set(name: str) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    messages = yaml.safe_load((BLIND_DIR / f"messages_{name}.yml").read_text(encoding="utf-8"))
    conversations = yaml.safe_load(
        (BLIND_DIR / f"conversations_{name}.yml").read_text(encoding="utf-8")
    )
    return messages["messages"], conversations["conversations"]


def _table(title: str, rows: Dict[str, Tally]) -> List[str]:
    lines = [f"| {title} | right |", "|---|---|"]
    lines += [f"| {key} | {tally} |" for key, tally in sorted(rows.items())]
    return lines


def section(result: SetResult, label: str) -> str:
    lines = [
        f"## Blind set {result.name} ({label})",
        "",
        f"- Intents (and topics): **{result.intents}**",
        f"- Out-of-scope recall: **{result.out_of_scope}**",
        f"- Categories searched: **{result.categories}**",
        f"- Replies with the right fact: **{result.facts}**",
        f"- Conversations passed: **{result.conversations}**",
        "",
    ]
    lines += _table("intent", result.by_intent) + [""]
    lines += _table("user type", result.by_user) + [""]
    lines += _table("failure class (messages)", result.by_class) + [""]
    lines += _table("failure class (conversations)", result.conversations_by_class) + [""]
    if result.misses:
        lines += ["<details><summary>Missed messages</summary>", ""]
        lines += [f"- {m}" for m in result.misses] + ["", "</details>", ""]
    if result.failed_conversations:
        lines += ["<details><summary>Failed conversations</summary>", ""]
        lines += [f"- {m}" for m in result.failed_conversations] + ["", "</details>", ""]
    return "\n".join(lines)


def evaluate(assistant: Assistant, names: List[str]) -> List[SetResult]:
    results = []
    for name in names:
        messages, conversations = load_set(name)
        result = SetResult(name)
        run_messages(assistant, messages, result)
        run_conversations(assistant, conversations, result)
        results.append(result)
        print(
            f"set {name}: intents {result.intents}, out of scope {result.out_of_scope}, "
            f"categories {result.categories}, facts {result.facts}, "
            f"conversations {result.conversations}",
            flush=True,
        )
    return results


def write_report(results: List[SetResult], label: str) -> None:
    from bench.report import write_section

    if not REPORT.exists():
        REPORT.write_text(
            "# Understanding: the blind evaluation\n\n"
            "Written by `make eval` (bench/blind_eval.py) from tests/eval/blind/ "
            "(how the sets were made: tests/eval/blind/README.md). Every message and "
            "conversation goes through the real servers; nothing here is trained on.\n",
            encoding="utf-8",
        )
    for result in results:
        write_section(REPORT, f"## Blind set {result.name} ({label})", section(result, label))


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    every_set = sorted(p.stem.split("_", 1)[1] for p in BLIND_DIR.glob("messages_*.yml"))
    parser.add_argument("--sets", nargs="+", default=every_set, help="default: every set")
    parser.add_argument("--url", help="a running Rasa server (default: start one)")
    parser.add_argument("--token", default="", help="its RASA_TOKEN (with --url)")
    parser.add_argument("--label", default="current model")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    if args.url:
        results = evaluate(Assistant(args.url, args.token), args.sets)
    else:
        from bot import training
        from bot.devtools.servers import TOKEN, running_pair

        training.train(PROJECT_ROOT)
        with (
            tempfile.TemporaryDirectory(prefix="blind-eval-") as tmp,
            running_pair(Path(tmp), {"RATE_LIMIT_CONVERSATION": "0"}) as (_, rasa),
        ):
            results = evaluate(Assistant(rasa.url, TOKEN), args.sets)
    write_report(results, args.label)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    r.name: {
                        "intents": str(r.intents),
                        "out_of_scope": str(r.out_of_scope),
                        "facts": str(r.facts),
                        "conversations": str(r.conversations),
                    }
                    for r in results
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
