"""`python -m bot.rasa_server run ...`: Rasa's command line with the project's patches installed.

The patches (bot/rasa_patches.py) are installed explicitly here, before Rasa starts, instead of
as a side effect of importing a channel module.
"""

from __future__ import annotations


def main() -> None:
    from bot import rasa_patches

    rasa_patches.install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
