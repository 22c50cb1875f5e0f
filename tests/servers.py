"""Re-export of bot.devtools.servers (its one home), so tests keep importing `tests.servers`."""

from bot.devtools.servers import (  # noqa: F401
    TOKEN,
    ActionServer,
    RasaServer,
    free_port,
    pair_env,
    running_pair,
    server_env,
    start_pair,
    start_rasa,
    stop_process,
    wait_until,
)
