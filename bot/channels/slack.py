"""Rasa's Slack connector with namespaced conversation ids ("slack:<Slack id>").

Rasa's connector checks Slack's request signature (SLACK_SIGNING_SECRET) itself.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.slack import SlackInput as RasaSlackInput
from sanic import Blueprint

from bot.channels.namespacing import conversation_limiter, namespaced, wrap_output


class SlackInput(RasaSlackInput):
    """Webhook at /webhooks/slack/webhook, like Rasa's own connector."""

    @classmethod
    def name(cls) -> Text:
        return "slack"

    def get_output_channel(self, *args: Any, **kwargs: Any) -> OutputChannel:
        return wrap_output(super().get_output_channel(*args, **kwargs), self.name())

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        return super().blueprint(
            namespaced(self.name(), on_new_message, conversation_limiter()))
