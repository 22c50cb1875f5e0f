"""Deliver a contact request as a signed JSON webhook (HMAC-SHA256 over timestamp and body).

Headers from `bot.handoff.signing` (X-Handoff-Timestamp, X-Handoff-Signature) plus
`Idempotency-Key: <reference>`; the body's `id` is the reference too, so a receiver that got the
request before (a retry after a timeout) can answer 2xx or 409 without acting twice.
"""

from __future__ import annotations

import json
from typing import Any

import requests

from bot.handoff import signing
from bot.handoff.adapters import DeliveryError, Save, State
from bot.handoff.contact import ContactRequest

EVENT = "contact_request"


def body(request: ContactRequest) -> bytes:
    return json.dumps(
        {"event": EVENT, "id": request.reference, "contact_request": request.to_dict()},
        ensure_ascii=False,
        sort_keys=True,
    ).encode()


class WebhookAdapter:
    name = "webhook"

    def __init__(self, settings: Any) -> None:
        self.url = settings.handoff_webhook_url
        self.secret = settings.handoff_webhook_secret
        self.timeout = settings.handoff_timeout_seconds

    def deliver(self, request: ContactRequest, state: State, save: Save) -> None:
        if state.get("sent"):
            return
        data = body(request)
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": request.reference,
            **signing.sign(self.secret, data, path=signing.path_of(self.url)),
        }
        try:
            response = requests.post(self.url, data=data, headers=headers, timeout=self.timeout)
        except requests.RequestException as error:
            raise DeliveryError(f"webhook {type(error).__name__}") from None
        if response.status_code != 409 and not response.ok:
            raise DeliveryError(f"webhook HTTP {response.status_code}")
        state["sent"] = True
        save(state)
