"""Rasa custom actions: thin wrappers that call `bot` and format Dutch replies."""
