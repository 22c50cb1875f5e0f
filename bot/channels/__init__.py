"""Rasa input channels of the assistant (the Rasa patches are in bot/rasa_patches.py)."""
