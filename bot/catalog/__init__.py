"""Routing people to procurement offers, opportunities and events: data, periods, matching, search.

Pure Python (no Rasa imports), so it can be tested and benchmarked on its own.
"""
