"""The Python package around Rasa for the Impact Ondernemen assistant of Gemeente Haarlem."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
