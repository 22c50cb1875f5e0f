"""Rasa input channels of the assistant.

Rasa imports this package at start (credentials name `bot.channels.*`), so the server-side speed
fix for custom-action calls is installed here (see bot/rasa_speedups.py).
"""
from bot import rasa_speedups

rasa_speedups.install()
