"""The relay between a user and an employee during a live handover, in the Rasa server process.

Rasa 3.6 facts this is built around (see /work/shared/stack-notes.md):
- a paused conversation still stores every user message but runs no action, so nothing would
  pass the user's messages to an employee;
- a new session (after `session_expiration_time`) resets the tracker, which un-pauses it, so the
  bot would answer again by itself in the middle of a handover.

So while a conversation has an open handover in the live desk, its messages never reach Rasa's
message processor: `install()` wraps `Agent.handle_message` (once, at server start, from the
console channel's `after_server_start` listener) and the wrapper stores each message with the
handover, appends it to the tracker as a `UserUttered` with its NLU parse (what a paused Rasa
would log; no session check, no prediction), sends it to the live-chat webhook, and returns.
The bot comes back only when the handover is closed (`close`: a `resume` event and a message).

Employee messages go out through the output channel of the user's own channel: the socket.io
room of the widget (marked as from an employee), Telegram and other push channels through their
`get_output_channel()`, and for REST (no push) with the reply to the user's next message.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Dict, List, Optional

from rasa.core.agent import Agent
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationResumed,
    UserUttered,
)

from bot import names
from bot.handoff.live import ACTIVE, CANCELLED, WAITING, Handoff, LiveDesk, Message
from bot.handoff.webhook import WebhookSender

logger = logging.getLogger(__name__)

AGENT_LABEL = "Medewerker"
TEXT_TAKEN = (
    "Je chat nu met een medewerker van de gemeente. Dit is een mens, geen "
    "computer. Stel je vraag gerust."
)
TEXT_CLOSED = (
    "De medewerker heeft het gesprek afgesloten. Je chat nu weer met de digitale "
    "assistent. Heb je nog een vraag? Stel hem gerust."
)
TEXT_OFFER = (
    "Er is nu nog geen medewerker vrij. Wil je niet langer wachten? Doe dan een "
    "contactverzoek: de gemeente belt of mailt je terug. Je kunt ook blijven wachten."
)
# For the employee (console, live-chat webhook) when the user starts a new conversation.
TEXT_USER_LEFT = (
    "De gebruiker is een nieuw gesprek begonnen. Dit gesprek is afgesloten. Je kunt de "
    "gebruiker hier niets meer sturen."
)
BUTTON_CONTACT = "Contactverzoek doen"
BUTTON_WAIT = "Ik wacht nog even"

# Metadata on the tracker events the relay writes.
META_KEY = "handoff"


def recipient_id(conversation_id: str, channel: str) -> str:
    """The id the channel knows the user by (without a `channel:` namespace, if any)."""
    prefix = f"{channel}:"
    return conversation_id[len(prefix) :] if conversation_id.startswith(prefix) else conversation_id


def is_contact_request(text: Optional[str]) -> bool:
    """The button payload (or intent trigger) of A's contact request."""
    if not text:
        return False
    return text.strip().startswith(f"/{names.REQUEST_CONTACT}")


def resumed(*said: Any) -> List[Any]:
    """The events that hand the conversation back to the bot.

    The pausing action ran no `action_listen` after it, so the bot's rules (which expect
    "listening, then the user's intent") would not match the next message: log it here.
    """
    return [ConversationResumed(), *said, ActionExecuted(ACTION_LISTEN_NAME)]


class Relay:
    """Relays messages of handed-over conversations; announces, offers, takes and closes."""

    def __init__(self, desk: LiveDesk, settings: Any, interval: float = 1.0) -> None:
        self.desk = desk
        self.settings = settings
        self.interval = interval
        self.webhook = WebhookSender(settings.handoff_webhook_url, settings.handoff_webhook_secret)
        self.app: Any = None
        self._task: Optional[asyncio.Task] = None
        self._outputs: Dict[str, Optional[OutputChannel]] = {}

    # ------------------------------------------------------------------ wiring
    def attach(self, app: Any) -> None:
        """Remember the Sanic app (for its agent and input channels) and start the loop."""
        self.app = app
        if self._task is None:
            self._task = asyncio.ensure_future(self.run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        await self.webhook.close()

    def _agent(self) -> Optional[Agent]:
        agent = getattr(getattr(self.app, "ctx", None), "agent", None)
        return agent if agent is not None and agent.is_ready() else None

    def _input_channel(self, name: str) -> Optional[InputChannel]:
        channels = getattr(getattr(self.app, "ctx", None), "input_channels", None) or []
        return next((c for c in channels if c.name() == name), None)

    # ------------------------------------------------------------------ the hook
    async def intercept(self, agent: Agent, message: UserMessage) -> bool:
        """True when the message belonged to a handover and was relayed (Rasa must skip it)."""
        conversation_id = message.sender_id
        handoff = await asyncio.to_thread(self.desk.open_handoff, conversation_id)
        if handoff is None:
            await self._flush_pending(conversation_id, message)
            return False
        # The user leaves the queue for a contact request: the bot takes over again.
        if (
            handoff.status == WAITING
            and is_contact_request(message.text)
            and await asyncio.to_thread(self.desk.cancel, conversation_id)
        ):
            logger.debug("Handoff %s cancelled for a contact request", handoff.id)
            await self._append(conversation_id, *resumed())
            await self._status(handoff, "cancelled")
            await self.webhook.send("handover.cancelled", self._event(handoff))
            return False
        text = message.text or ""
        if not text.strip():
            return True
        stored = await asyncio.to_thread(self.desk.add_message, handoff.id, "user", text)
        logger.debug("Relayed a user message of handoff %s (%s)", handoff.id, handoff.status)
        await self._log_user_message(agent, message)
        await self.webhook.send(
            "message.user", {**self._event(handoff), "message": stored.as_json()}
        )
        await self._flush_pending(conversation_id, message)
        return True

    async def _log_user_message(self, agent: Agent, message: UserMessage) -> None:
        """Append the message to the tracker as Rasa would while paused (without a session)."""
        try:
            if agent is None or agent.processor is None:
                raise RuntimeError("no model loaded")
            parse = await agent.processor.parse_message(message)
        except Exception:  # the transcript in the live desk has it anyway
            logger.exception("Could not parse a relayed message; logging it without intent")
            parse = {"intent": {}, "entities": []}
        event = UserUttered(
            message.text,
            parse.get("intent"),
            parse.get("entities"),
            parse,
            input_channel=message.input_channel,
            message_id=message.message_id,
            metadata={**(message.metadata or {}), META_KEY: "relayed"},
        )
        await self._append(message.sender_id, event, agent=agent)

    async def _append(
        self, conversation_id: str, *events: Any, agent: Optional[Agent] = None
    ) -> None:
        """Add events to the conversation's tracker. A failure (lock, tracker store) is logged
        and does not stop the message: the live desk keeps the transcript, and the user and the
        employee still get what was said."""
        agent = agent or self._agent()
        if agent is None or agent.processor is None:
            return
        try:
            async with agent.lock_store.lock(conversation_id):
                tracker = await agent.processor.get_tracker(conversation_id)
                for event in events:
                    tracker.update(event)
                await agent.processor.save_tracker(tracker)
        except Exception:
            logger.exception("Could not add the handover's events to the tracker")

    async def _flush_pending(self, conversation_id: str, message: UserMessage) -> None:
        """Give a user on a channel without push (REST) what was said since their last message."""
        if message.output_channel is None:
            return
        pending: List[Message] = await asyncio.to_thread(self.desk.undelivered, conversation_id)
        for item in pending:
            label = f"{AGENT_LABEL}: " if item.sender == "agent" else ""
            await message.output_channel.send_text_message(message.sender_id, label + item.text)

    # ------------------------------------------------------------------ to the user
    async def deliver(
        self,
        handoff: Handoff,
        stored: Message,
        state: Optional[str] = None,
        buttons: Optional[List[Dict[str, str]]] = None,
    ) -> None:
        """Send a stored message to the user in their own channel (from "agent" or "system")."""
        text, sender = stored.text, stored.sender
        channel = self._input_channel(handoff.channel)
        recipient = recipient_id(handoff.conversation_id, handoff.channel)
        sio = getattr(channel, "sio", None)
        if sio is not None:
            payload: Dict[str, Any] = {"text": text, META_KEY: {"from": sender, "state": state}}
            if sender == "agent":
                payload[META_KEY]["label"] = AGENT_LABEL
            if buttons:
                payload["quick_replies"] = [{"content_type": "text", **b} for b in buttons]
            await sio.emit(
                getattr(channel, "bot_message_evt", "bot_uttered"), payload, room=recipient
            )
            return
        output = await self._output(channel) if channel is not None else None
        if output is None:
            # No push (REST): kept for the reply to the user's next message.
            await asyncio.to_thread(self.desk.mark_pending, stored.id)
            return
        label = f"{AGENT_LABEL}: " if sender == "agent" else ""
        # Through `send_response`: the channels' outputs are wrapped for namespaced ids
        # (bot/channels/namespacing.py), and only that method passes the wrapper.
        reply: Dict[str, Any] = {"text": label + text}
        if buttons:
            reply["buttons"] = buttons
        await output.send_response(recipient, reply)

    async def _output(self, channel: InputChannel) -> Optional[OutputChannel]:
        """The channel's push output (once per channel; None for REST and the like).

        Made in a worker thread: some connectors (Telegram) run their own event loop there.
        """
        name = channel.name()
        if name not in self._outputs:
            try:
                self._outputs[name] = await asyncio.to_thread(channel.get_output_channel)
            except Exception:
                logger.exception("No output channel for %s: messages wait for the user", name)
                self._outputs[name] = None
        return self._outputs[name]

    async def _status(self, handoff: Handoff, state: str) -> None:
        """Tell the widget the handover state (no text: the widget only notes it)."""
        channel = self._input_channel(handoff.channel)
        sio = getattr(channel, "sio", None)
        if sio is not None:
            await sio.emit(
                getattr(channel, "bot_message_evt", "bot_uttered"),
                {"text": "", META_KEY: {"from": "system", "state": state}},
                room=recipient_id(handoff.conversation_id, handoff.channel),
            )

    # ------------------------------------------------------------------ employee actions
    async def take(self, handoff_id: int, agent_name: str) -> bool:
        """An employee takes a waiting conversation (False: someone else was first)."""
        if not await asyncio.to_thread(self.desk.take, handoff_id, agent_name):
            return False
        handoff = await asyncio.to_thread(self.desk.get, handoff_id)
        assert handoff is not None
        stored = await asyncio.to_thread(self.desk.add_message, handoff_id, "system", TEXT_TAKEN)
        await self._append(
            handoff.conversation_id, BotUttered(TEXT_TAKEN, metadata={META_KEY: "taken"})
        )
        await self.deliver(handoff, stored, state=ACTIVE)
        await self.webhook.send("handover.taken", {**self._event(handoff), "agent": agent_name})
        return True

    async def say(self, handoff_id: int, agent_name: str, text: str) -> Optional[Message]:
        """An employee's message to the user; None unless that employee has the conversation."""
        handoff = await asyncio.to_thread(self.desk.get, handoff_id)
        if handoff is None or handoff.status != ACTIVE or handoff.agent != agent_name:
            return None
        stored = await asyncio.to_thread(
            self.desk.add_message, handoff_id, "agent", text, agent_name
        )
        await self._append(
            handoff.conversation_id,
            BotUttered(text, metadata={META_KEY: "agent", "agent": agent_name}),
        )
        await self.deliver(handoff, stored, state=ACTIVE)
        return stored

    async def close(self, handoff_id: int, agent_name: Optional[str]) -> bool:
        """Close an active handover: the bot resumes and tells the user."""
        if not await asyncio.to_thread(self.desk.close, handoff_id, agent_name):
            return False
        handoff = await asyncio.to_thread(self.desk.get, handoff_id)
        assert handoff is not None
        stored = await asyncio.to_thread(self.desk.add_message, handoff_id, "system", TEXT_CLOSED)
        await self._append(
            handoff.conversation_id,
            *resumed(BotUttered(TEXT_CLOSED, metadata={META_KEY: "closed"})),
        )
        await self.deliver(handoff, stored, state="closed")
        await self.webhook.send("handover.closed", {**self._event(handoff), "agent": agent_name})
        logger.debug("Handoff %s closed; the bot resumes", handoff_id)
        return True

    # ------------------------------------------------------------------ the user leaves
    async def leave(self, conversation_id: str) -> Optional[Handoff]:
        """The user started a new conversation ("Nieuw gesprek"): end the old one's handover.

        Waiting -> cancelled, active -> closed (`LiveDesk.leave`, by the user). The employee
        sees TEXT_USER_LEFT in the console and can send no more (`say` needs an active
        handover); the webhook gets "handover.cancelled" or "handover.closed" with
        "by": "user" and "reason": "new_conversation"; the old conversation's tracker is
        resumed. Returns the ended handover, or None when there was no open one.
        The caller checks that the user holds that conversation (bot/channels/socketio.py).
        """
        ended = await asyncio.to_thread(self.desk.leave, conversation_id)
        if ended is None:
            return None
        stored = await asyncio.to_thread(self.desk.add_message, ended.id, "system", TEXT_USER_LEFT)
        await self._append(conversation_id, *resumed())
        await self._status(ended, ended.status)  # other tabs of the old session, if any
        event = "handover.cancelled" if ended.status == CANCELLED else "handover.closed"
        await self.webhook.send(
            event,
            {
                **self._event(ended),
                "agent": ended.agent,
                "by": "user",
                "reason": "new_conversation",
                "message": stored.as_json(),
            },
        )
        logger.debug("Handoff %s ended: the user started a new conversation", ended.id)
        return ended

    # ------------------------------------------------------------------ background
    async def run(self) -> None:
        """Announce new handovers and offer a contact request when nobody takes one in time."""
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("Live desk loop failed; retrying")
            await asyncio.sleep(self.interval)

    async def tick(self) -> None:
        for handoff in await asyncio.to_thread(self.desk.unannounced):
            if await asyncio.to_thread(self.desk.mark, handoff.id, "announced_at"):
                await self._status(handoff, WAITING)
                await self.webhook.send(
                    "handover.started", {**self._event(handoff), "transcript": handoff.transcript}
                )
        wait = float(self.settings.handoff_wait_seconds)
        for handoff in await asyncio.to_thread(self.desk.overdue, wait):
            if await asyncio.to_thread(self.desk.mark, handoff.id, "offered_at"):
                logger.debug(
                    "Handoff %s not taken in %s s: offering a contact request", handoff.id, wait
                )
                stored = await asyncio.to_thread(
                    self.desk.add_message, handoff.id, "system", TEXT_OFFER
                )
                await self._append(
                    handoff.conversation_id, BotUttered(TEXT_OFFER, metadata={META_KEY: "offer"})
                )
                await self.deliver(
                    handoff,
                    stored,
                    state=WAITING,
                    buttons=[
                        {"title": BUTTON_CONTACT, "payload": names.payload(names.REQUEST_CONTACT)},
                        {"title": BUTTON_WAIT, "payload": BUTTON_WAIT},
                    ],
                )

    @staticmethod
    def _event(handoff: Handoff) -> Dict[str, Any]:
        return {
            "handoff_id": handoff.id,
            "conversation_id": handoff.conversation_id,
            "channel": handoff.channel,
            "at": time.time(),
        }


# ---------------------------------------------------------------------- installation
_relay: Optional[Relay] = None
_original_handle_message = None


def current() -> Optional[Relay]:
    return _relay


def install(relay: Relay) -> None:
    """Route every message through `relay` first (idempotent; the newest relay wins)."""
    global _relay, _original_handle_message
    _relay = relay
    if _original_handle_message is not None:
        return
    original = Agent.handle_message
    _original_handle_message = original

    async def handle_message(self: Agent, message: UserMessage) -> Optional[List[Dict]]:
        relay_now = _relay
        if relay_now is not None and self.is_ready():
            try:
                if await relay_now.intercept(self, message):
                    return None
            except Exception:
                # A failing live desk must not silence the bot for everyone else.
                logger.exception("Live desk relay failed; passing the message to the bot")
        return await original(self, message)

    Agent.handle_message = handle_message
