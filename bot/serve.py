"""The two server processes: `python -m bot.serve rasa ARGS` / `python -m bot.serve actions ARGS`.

This is the one place where both servers are hardened before they start (`prepare`):
- every log record and every formatted log line is redacted (bot/text/redact.py: no e-mail,
  phone number, BSN, IBAN, nor tokens in query strings, also in Sanic's access log);
- Python warnings go to the log (logger "py.warnings") without their message unless the
  log level is DEBUG: Rasa's run-time warnings quote the user's text (e.g. "Failed to
  parse arguments in line '/greet{...'");
Then:
- `rasa`: first the production checks (`check_replica_safety`): with TRACKER_STORE=postgresql
  (replicas sharing one store) it refuses to start without SESSION_SECRET (each replica would
  sign widget sessions with its own random key) and with a tracker cache (TRACKER_CACHE > 0:
  one replica's cache is not invalidated when another writes). Then the project's Rasa patches (bot/rasa_patches.py) and bounded sessions
  (bot/rasa_sessions.py), then Rasa's own `rasa run`
  command line, with the HTTP API token read from the
  environment (RASA_TOKEN) and handed to Rasa's `run()` in this process, so the token never
  appears on a command line (`ps`). Sanic's request size limit is MAX_REQUEST_BYTES (Sanic
  reads `SANIC_*` variables into its config) and it trusts TRUSTED_PROXIES proxies for the
  client address;
- `actions`: rasa_sdk's command line, listening on ACTION_HOST (default 127.0.0.1), with the
  contact-request outbox worker (bot/handoff/worker.py).
"""

from __future__ import annotations

import logging
import os
import re
import sys
from typing import List, Optional

from bot.settings import Settings
from bot.text import redact

TOKEN_VARIABLE = "RASA_TOKEN"


_WARNING_HEAD = re.compile(r"^(\S[^\n]*?:\d+): (\w+):")


class WarningWithoutText(logging.Filter):
    """Keeps where a warning came from and its category, not its message (below DEBUG).

    Deprecation warnings (library noise) are dropped below DEBUG.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if logging.getLogger().isEnabledFor(logging.DEBUG):
            return True
        head = _WARNING_HEAD.match(record.getMessage())
        if head and head.group(2).endswith("DeprecationWarning"):
            return False  # library noise, for developers (DEBUG)
        where = f"{head.group(2)} at {head.group(1)}" if head else "a warning"
        record.msg = f"{where} (message not logged; LOG_LEVEL=DEBUG shows it)"
        record.args = ()
        return True


def prepare(settings: Settings) -> None:
    """Hardening shared by both servers; call before the server is created."""
    redact.install()
    logging.captureWarnings(True)
    logging.getLogger("py.warnings").addFilter(WarningWithoutText())


def freeze_after_model_load() -> None:
    """After the model is loaded, move every object alive then out of the garbage collector's way.

    The Rasa server holds about a million long-lived objects (TensorFlow, spaCy, the model); a
    full collection walks them all and stops every conversation meanwhile. `gc.freeze()` (the
    standard library's advice for servers that load a lot once) leaves them out of collections.
    """
    import gc

    import rasa.core.run

    load = rasa.core.run.load_agent_on_start
    if getattr(load, "freezes_gc", False):
        return

    async def load_then_freeze(*args, **kwargs):
        agent = await load(*args, **kwargs)
        gc.collect()
        gc.freeze()
        return agent

    load_then_freeze.freezes_gc = True  # type: ignore[attr-defined]
    rasa.core.run.load_agent_on_start = load_then_freeze


def check_replica_safety(settings: Settings) -> None:
    """SystemExit for settings that break when replicas share PostgreSQL (see the docstring)."""
    if settings.tracker_store != "postgresql":
        return
    if not settings.session_secret:
        raise SystemExit(
            "TRACKER_STORE=postgresql needs SESSION_SECRET (the same on every replica): "
            "without it each replica signs widget sessions with its own key."
        )
    from bot.endpoints import tracker_cache_size

    if tracker_cache_size(settings) > 0:
        raise SystemExit(
            "TRACKER_STORE=postgresql with a tracker cache (TRACKER_CACHE > 0): the cache of one "
            "replica is not invalidated when another replica writes. Set TRACKER_CACHE=0."
        )


def run_rasa(args: List[str], settings: Settings) -> None:
    """`rasa run ARGS` with the API token from the environment."""
    check_replica_safety(settings)
    token = settings.rasa_token
    if not token:
        raise SystemExit(f"{TOKEN_VARIABLE} is not set: the HTTP API would be open.")
    if any(a == "--auth-token" or a.startswith("--auth-token=") for a in args):
        raise SystemExit("Pass the token in RASA_TOKEN, not on the command line.")
    # Public requests: at most MAX_REQUEST_BYTES. (Not for the action server: Rasa sends it
    # whole trackers, and only Rasa can reach it.)
    os.environ["SANIC_REQUEST_MAX_SIZE"] = str(settings.max_request_bytes)
    if settings.trusted_proxies > 0:
        os.environ["SANIC_PROXIES_COUNT"] = str(settings.trusted_proxies)
    from bot import rasa_patches, rasa_sessions

    rasa_patches.install()
    rasa_sessions.install(settings.session_max_turns)
    freeze_after_model_load()
    import rasa
    import rasa.__main__
    import rasa.api

    api_run = rasa.api.run

    def run_with_token(*run_args, **kwargs):
        # `rasa run` ends in rasa.run(**vars(args)); the token joins the arguments here.
        kwargs["auth_token"] = token
        return api_run(*run_args, **kwargs)

    rasa.run = run_with_token
    sys.argv = ["rasa", "run", *args]
    rasa.__main__.main()


def run_actions(args: List[str], settings: Settings) -> None:
    """rasa_sdk's action server on ACTION_HOST, with the contact-request outbox worker.

    The worker (a thread; HANDOFF_WORKER=false switches it off) delivers what the actions put in
    the outbox, so `make run` needs no extra process and delivery resumes at every start.
    """
    os.environ["SANIC_HOST"] = settings.action_host  # rasa_sdk's run() reads it
    if settings.handoff_worker:
        from bot.handoff import worker

        worker.start_background(settings)
    from bot.text import lexicon

    lexicon.is_known("haarlem")  # load the Dutch lexicon now, not in a user's first search
    import rasa_sdk.__main__

    sys.argv = ["rasa_sdk", *args]
    rasa_sdk.__main__.main()


def main(argv: Optional[List[str]] = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in ("rasa", "actions"):
        raise SystemExit("usage: python -m bot.serve {rasa|actions} ARGS...")
    settings = Settings.from_env()
    prepare(settings)
    (run_rasa if argv[0] == "rasa" else run_actions)(argv[1:], settings)


if __name__ == "__main__":
    main()
