"""Checks on raw user text. Pure Python, no Rasa imports."""
