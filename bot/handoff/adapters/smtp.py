"""Deliver a contact request by e-mail (SMTP) to the helpdesk mailbox: plain text and HTML.

The Message-ID is derived from the reference number, so a message sent again after an
ambiguous failure (the connection dropped after the message was handed over, before the server
said "250 OK") carries the same Message-ID and mail systems can drop the copy. A refused or
failed connection before that point sends nothing, and the retry sends the one message.

TLS (SMTP_STARTTLS): "auto" (the default) upgrades with STARTTLS whenever the server offers it
and requires it for any host that is not loopback; a loopback relay (localhost:25) without
STARTTLS gets the message in plain text, as the traffic never leaves the machine. "true"
requires STARTTLS, "false" never uses it. The certificate is always checked, and credentials
(SMTP_USER/SMTP_PASSWORD) are never sent over a connection without TLS. A setting that makes
every attempt fail is logged once per process as an ERROR that says what to set.
"""

from __future__ import annotations

import ipaddress
import logging
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

logger = logging.getLogger(__name__)

MESSAGE_ID_DOMAIN = "contactverzoek.impact-ondernemen.invalid"
STARTTLS_MODES = ("auto", "true", "false")
# A mail server that is down costs nothing to ask again: retry e-mail at most 10 minutes apart.
SMTP_MAX_BACKOFF_SECONDS = 600.0

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


def starttls_mode(value: Any) -> str:
    """ "auto", "true" or "false" from a setting (a bool as the settings had it before)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip().lower()
    if text in STARTTLS_MODES:
        return text
    raise ValueError(f"SMTP_STARTTLS must be one of {', '.join(STARTTLS_MODES)}, not {value!r}")


def is_loopback(host: str) -> bool:
    """localhost or a loopback address (127.0.0.0/8, ::1): the traffic stays on this machine."""
    name = host.strip().strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class SmtpSetupError(DeliveryError):
    """The settings and the server do not fit: every attempt fails until one of them changes."""


class EmailAdapter:
    name = "email"
    max_backoff = SMTP_MAX_BACKOFF_SECONDS

    def __init__(self, settings: Any) -> None:
        self.host = settings.smtp_host
        self.port = settings.smtp_port
        self.user = settings.smtp_user
        self.password = settings.smtp_password
        self.starttls = starttls_mode(settings.smtp_starttls)
        self.to = settings.helpdesk_email
        self.sender = settings.smtp_from or settings.helpdesk_email
        self.timeout = settings.handoff_timeout_seconds
        self._explained: set = set()

    def _refuse(self, problem: str, advice: str) -> SmtpSetupError:
        """An ERROR line once per process (what to set), and the error for this attempt."""
        if problem not in self._explained:
            self._explained.add(problem)
            logger.error(
                "SMTP server %s:%s %s, so no contact request is e-mailed. %s",
                self.host,
                self.port,
                problem,
                advice,
            )
        return SmtpSetupError(f"SMTP {problem} (SMTP_STARTTLS={self.starttls})")

    def _secure(self, smtp: smtplib.SMTP) -> bool:
        """STARTTLS as SMTP_STARTTLS says; True when the connection is encrypted now."""
        if self.starttls == "false":
            return False
        smtp.ehlo_or_helo_if_needed()
        if smtp.has_extn("starttls"):
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
            return True
        if self.starttls == "true":
            raise self._refuse(
                "does not offer STARTTLS",
                "SMTP_STARTTLS=true requires it: enable STARTTLS on the mail server, or set "
                "SMTP_STARTTLS=auto for a relay on localhost.",
            )
        if not is_loopback(self.host):
            raise self._refuse(
                "does not offer STARTTLS",
                "SMTP_STARTTLS=auto requires it for a host that is not localhost: enable "
                "STARTTLS on the mail server, or set SMTP_STARTTLS=false if the network to "
                "it is trusted (then without SMTP_USER/SMTP_PASSWORD).",
            )
        return False

    def deliver(self, request: ContactRequest, state: State, save: Save) -> None:
        if state.get("sent"):
            return
        message = build_message(request, self.sender, self.to)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                encrypted = self._secure(smtp)
                if self.user and not encrypted:
                    raise self._refuse(
                        "is reached without TLS",
                        "SMTP_USER/SMTP_PASSWORD are never sent without TLS: use a server "
                        "that offers STARTTLS (SMTP_STARTTLS=auto or true), or unset SMTP_USER "
                        "for a relay that needs no login.",
                    )
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(
                    message, from_addr=parseaddr(self.sender)[1], to_addrs=[parseaddr(self.to)[1]]
                )
        except SmtpSetupError:
            raise
        except (OSError, smtplib.SMTPException) as error:
            # The class name only: SMTP replies can echo addresses.
            raise DeliveryError(f"SMTP {type(error).__name__}") from None
        state["sent"] = True
        save(state)
