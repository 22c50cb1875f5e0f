"""Rasa input channels of the assistant.

Rasa imports this package at start (credentials name `bot.channels.*`), so the server-side speed
fixes are installed here: the action-response validator compiled once (bot/rasa_speedups.py) and
sessions of at most SESSION_MAX_TURNS messages (bot/rasa_sessions.py).
"""
from bot import rasa_sessions, rasa_speedups
from bot.settings import Settings

rasa_speedups.install()
rasa_sessions.install(Settings.from_env().session_max_turns)
