"""Re-export of bot.devtools.servers (its one home), so tests keep importing `tests.servers`."""
from bot.devtools.servers import (  # noqa: F401
    TOKEN,
    ActionServer,
    RasaServer,
    free_port,
    running_pair,
    start_pair,
    stop_process,
    wait_until,
)
