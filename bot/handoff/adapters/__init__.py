"""Where a contact request goes: e-mail, the Klantinteracties API, a signed webhook.

Each adapter has a `name` and `deliver(request, state, save)`: it raises on failure (the worker
retries later) and keeps its progress in `state`, calling `save(state)` after every remote
change, so a retry continues where the last attempt stopped and never repeats a step that
succeeded. The reference number is the key that makes a repeated call harmless.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Protocol

from bot.handoff.contact import ContactRequest

State = Dict[str, Any]
Save = Callable[[State], None]


class Adapter(Protocol):
    name: str

    def deliver(self, request: ContactRequest, state: State, save: Save) -> None: ...


class DeliveryError(RuntimeError):
    """A delivery failed; the message is safe to log (no personal data)."""


def configured(settings: Any) -> List[Adapter]:
    """The adapters the settings switch on (none: requests stay in the outbox)."""
    adapters: List[Adapter] = []
    if settings.smtp_host and settings.helpdesk_email:
        from bot.handoff.adapters.smtp import EmailAdapter

        adapters.append(EmailAdapter(settings))
    if settings.klantinteracties_url and settings.klantinteracties_token:
        from bot.handoff.adapters.klantinteracties import KlantinteractiesAdapter

        adapters.append(KlantinteractiesAdapter(settings))
    if settings.handoff_webhook_url and settings.handoff_webhook_secret:
        from bot.handoff.adapters.webhook import WebhookAdapter

        adapters.append(WebhookAdapter(settings))
    return adapters
