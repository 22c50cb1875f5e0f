"""The action server with the contact-request outbox worker in one process.

`python -m bot.action_server --actions actions --port 5055` takes rasa_sdk's arguments; it
starts the outbox worker thread (unless HANDOFF_WORKER=false), then rasa_sdk's server. `make run`
and the tests' server pair start it this way, so delivery needs no extra process and resumes
whenever the action server starts again.
"""
from __future__ import annotations

from rasa_sdk.__main__ import main as rasa_sdk_main

from bot.settings import Settings


def main() -> None:
    settings = Settings.from_env()
    if settings.handoff_worker:
        from bot.handoff import worker

        worker.start_background(settings)
    rasa_sdk_main()


if __name__ == "__main__":
    main()
