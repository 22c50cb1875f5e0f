"""Deliver a contact request by e-mail (SMTP) to the helpdesk mailbox: plain text and HTML.

The Message-ID is derived from the reference number, so a message sent again after an
ambiguous failure (the connection dropped after the message was handed over, before the server
said "250 OK") carries the same Message-ID and mail systems can drop the copy. A refused or
failed connection before that point sends nothing, and the retry sends the one message.
"""

from __future__ import annotations

import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

from jinja2 import Environment, select_autoescape

from bot.handoff import transcript as transcripts
from bot.handoff.adapters import DeliveryError, Save, State
from bot.handoff.contact import ContactRequest

MESSAGE_ID_DOMAIN = "contactverzoek.impact-ondernemen.invalid"

PLAIN = """Contactverzoek via de chatassistent van het Actieprogramma Impact Ondernemen.

Referentienummer: {reference}
Naam: {name}
E-mail: {email}
Telefoon: {phone}
Kanaal: {channel}
Ontvangen: {created}

Vraag:
{question}

Gesprek:
{transcript}
"""

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_HTML = _ENV.from_string(
    """<!DOCTYPE html><html lang="nl"><body style="font-family:sans-serif">
<h1 style="font-size:1.2em">Contactverzoek via de chatassistent</h1>
<table role="presentation">
<tr><th align="left">Referentienummer</th><td>{{ r.reference }}</td></tr>
<tr><th align="left">Naam</th><td>{{ r.name }}</td></tr>
<tr><th align="left">E-mail</th><td>{{ r.email or "-" }}</td></tr>
<tr><th align="left">Telefoon</th><td>{{ r.phone or "-" }}</td></tr>
<tr><th align="left">Kanaal</th><td>{{ r.channel or "-" }}</td></tr>
<tr><th align="left">Ontvangen</th><td>{{ r.created_at }}</td></tr>
</table>
<h2 style="font-size:1.1em">Vraag</h2><p style="white-space:pre-wrap">{{ r.question }}</p>
<h2 style="font-size:1.1em">Gesprek</h2>{{ transcript_html|safe }}
</body></html>"""
)


def build_message(request: ContactRequest, sender: str, to: str) -> EmailMessage:
    """The e-mail for `request`: plain text with an HTML alternative, both with the transcript."""
    message = EmailMessage()
    message["Subject"] = request.subject
    message["From"] = sender
    message["To"] = to
    if request.email:
        message["Reply-To"] = request.email
    message["Message-ID"] = f"<{request.reference}@{MESSAGE_ID_DOMAIN}>"
    message["X-Handoff-Reference"] = request.reference
    message["Date"] = format_datetime(datetime.fromisoformat(request.created_at))
    message.set_content(
        PLAIN.format(
            reference=request.reference,
            name=request.name,
            email=request.email or "-",
            phone=request.phone or "-",
            channel=request.channel or "-",
            created=request.created_at,
            question=request.question,
            transcript=transcripts.to_text(request.transcript),
        )
    )
    message.add_alternative(
        _HTML.render(r=request, transcript_html=transcripts.to_html(request.transcript)),
        subtype="html",
    )
    return message


class EmailAdapter:
    name = "email"

    def __init__(self, settings: Any) -> None:
        self.host = settings.smtp_host
        self.port = settings.smtp_port
        self.user = settings.smtp_user
        self.password = settings.smtp_password
        self.starttls = settings.smtp_starttls
        self.to = settings.helpdesk_email
        self.sender = settings.smtp_from or settings.helpdesk_email
        self.timeout = settings.handoff_timeout_seconds

    def deliver(self, request: ContactRequest, state: State, save: Save) -> None:
        if state.get("sent"):
            return
        message = build_message(request, self.sender, self.to)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(
                    message, from_addr=parseaddr(self.sender)[1], to_addrs=[parseaddr(self.to)[1]]
                )
        except (OSError, smtplib.SMTPException) as error:
            # The class name only: SMTP replies can echo addresses.
            raise DeliveryError(f"SMTP {type(error).__name__}") from None
        state["sent"] = True
        save(state)
