"""Real servers that stand in for the helpdesk's systems in the contact-request tests.

- `KlantinteractiesStandIn`: an HTTP server speaking the part of the Klantinteracties API
  (Open Klant 2.x) that a contact request uses. It enforces `Authorization: Token <key>`, the
  writable required fields and lengths of the published OpenAPI file
  (maykinmedia/open-klant, src/openklant/components/klantinteracties/openapi.yaml: Klantcontact,
  Betrokkene, DigitaalAdres, InterneTaak, Actor, ActorKlantcontact), references to existing
  objects, a unique klantcontact `nummer`, and Open Klant's current `validate_phone_number`
  pattern for telefoonnummer addresses. It counts what it stored and what it refused, and can
  drop the connection right after storing a POST (the reply lost: a timeout for the client).
- `SmtpServer`: aiosmtpd on a fixed port that can be stopped and started again.
- `WebhookReceiver`: checks the HMAC-SHA256 signature and timestamp, refuses replays and altered
  bodies, and keeps each contact request once (by its id).
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Set
from urllib.parse import parse_qs, urlparse

from aiosmtpd.controller import Controller

from bot.handoff import signing

# Open Klant's validate_phone_number (current pattern, as in its OpenAPI file).
OPEN_KLANT_PHONE = re.compile(
    r"^(0[8-9]00[0-9]{4,8}|0[1-9][0-9]{8}|\+31[0-9]{10}|\+[0-9]{9,20}|00[0-9]{11}|1400"
    r"|140[0-9]{2,3})$"
)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Writable required fields per resource (readOnly fields such as uuid/url left out).
REQUIRED = {
    "klantcontacten": ["kanaal", "onderwerp", "taal", "vertrouwelijk"],
    "betrokkenen": ["hadKlantcontact", "initiator", "rol"],
    "digitaleadressen": ["adres", "soortDigitaalAdres"],
    "internetaken": ["aanleidinggevendKlantcontact", "gevraagdeHandeling", "status"],
    "actoren": ["naam", "soortActor"],
    "actorklantcontacten": ["actor", "klantcontact"],
}
MAX_LENGTH = {
    "klantcontacten": {"nummer": 10, "kanaal": 50, "onderwerp": 200, "inhoud": 1000, "taal": 3},
    "digitaleadressen": {"adres": 80, "omschrijving": 40},
    "internetaken": {"gevraagdeHandeling": 200, "toelichting": 1000, "nummer": 10},
    "actoren": {"naam": 200},
}
ENUMS = {
    ("betrokkenen", "rol"): {"vertegenwoordiger", "klant"},
    ("digitaleadressen", "soortDigitaalAdres"): {"email", "telefoonnummer", "overig"},
    ("internetaken", "status"): {"te_verwerken", "verwerkt"},
    ("actoren", "soortActor"): {"geautomatiseerde_actor", "medewerker", "organisatorische_eenheid"},
}
# Foreign keys: field -> resource it must name by uuid.
REFERENCES = {
    ("betrokkenen", "hadKlantcontact"): "klantcontacten",
    ("digitaleadressen", "verstrektDoorBetrokkene"): "betrokkenen",
    ("internetaken", "aanleidinggevendKlantcontact"): "klantcontacten",
    ("actorklantcontacten", "actor"): "actoren",
    ("actorklantcontacten", "klantcontact"): "klantcontacten",
}
FILTERS = {
    "nummer": lambda o: o.get("nummer"),
    "hadKlantcontact__uuid": lambda o: (o.get("hadKlantcontact") or {}).get("uuid"),
    "verstrektDoorBetrokkene__uuid": lambda o: (o.get("verstrektDoorBetrokkene") or {}).get("uuid"),
    "aanleidinggevendKlantcontact__uuid": lambda o: (
        o.get("aanleidinggevendKlantcontact") or {}
    ).get("uuid"),
    "klantcontact__uuid": lambda o: (o.get("klantcontact") or {}).get("uuid"),
    "actor__uuid": lambda o: (o.get("actor") or {}).get("uuid"),
    "soortActor": lambda o: o.get("soortActor"),
    "naam": lambda o: o.get("naam"),
}
PREFIX = "/klantinteracties/api/v1/"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class _StandInServer:
    """Start/stop an HTTP server on one port (the port stays the same across restarts)."""

    handler: type

    def __init__(self, port: int) -> None:
        self.port = port
        self._server: Optional[_Server] = None
        self._thread: Optional[threading.Thread] = None

    def start(self):
        handler = type("Handler", (self.handler,), {"owner": self})
        self._server = _Server(("127.0.0.1", self.port), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def running(self) -> bool:
        return self._server is not None


class _Handler(BaseHTTPRequestHandler):
    owner: Any

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))


class _KlantinteractiesHandler(_Handler):
    def _resource(self) -> Optional[str]:
        path = urlparse(self.path).path
        if not path.startswith(PREFIX):
            return None
        name = path[len(PREFIX) :].strip("/")
        return name if name in REQUIRED else None

    def _authorised(self) -> bool:
        if self.headers.get("Authorization") != f"Token {self.owner.token}":
            self.owner.unauthorised += 1
            self._send(401, {"detail": "Authenticatiegegevens zijn niet opgegeven."})
            return False
        return True

    def do_GET(self) -> None:
        if not self._authorised():
            return
        name = self._resource()
        if name is None:
            return self._send(404, {"detail": "Niet gevonden."})
        params = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
        unknown = [k for k in params if k not in FILTERS]
        if unknown:
            return self._send(400, {"invalidParams": [{"name": k} for k in unknown]})
        with self.owner.lock:
            results = [
                o
                for o in self.owner.store[name].values()
                if all(FILTERS[k](o) == v for k, v in params.items())
            ]
        self._send(200, {"count": len(results), "next": None, "previous": None, "results": results})

    def do_POST(self) -> None:
        if not self._authorised():
            return
        name = self._resource()
        if name is None:
            return self._send(404, {"detail": "Niet gevonden."})
        try:
            body = json.loads(self._body())
            assert isinstance(body, dict)
        except (ValueError, AssertionError):
            return self._send(400, {"detail": "JSON parse error"})
        with self.owner.lock:
            problems = self.owner.check(name, body)
            if problems:
                self.owner.refused[name] += 1
                return self._send(400, {"invalidParams": problems})
            obj = dict(body, uuid=str(uuid.uuid4()))
            obj["url"] = f"http://127.0.0.1:{self.owner.port}{PREFIX}{name}/{obj['uuid']}"
            self.owner.store[name][obj["uuid"]] = obj
            self.owner.created[name] += 1
            drop = self.owner.drop_reply.pop(name, 0)
            if drop:
                self.owner.drop_reply[name] = drop - 1
        if drop:  # stored, but the client never hears back (as after a timeout)
            self.close_connection = True
            return
        self._send(201, obj)


class KlantinteractiesStandIn(_StandInServer):
    """See the module docstring. `store` survives a stop/start (like a database)."""

    handler = _KlantinteractiesHandler

    def __init__(self, port: int, token: str) -> None:
        super().__init__(port)
        self.token = token
        self.lock = threading.Lock()
        self.store: Dict[str, Dict[str, Dict[str, Any]]] = {name: {} for name in REQUIRED}
        self.created: Counter = Counter()
        self.refused: Counter = Counter()
        self.unauthorised = 0
        self.drop_reply: Dict[str, int] = {}
        kcc = {
            "uuid": str(uuid.uuid4()),
            "naam": "KCC",
            "soortActor": "organisatorische_eenheid",
            "indicatieActief": True,
        }
        self.store["actoren"][kcc["uuid"]] = kcc
        self.kcc_actor = kcc["uuid"]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PREFIX}"

    def check(self, name: str, body: Dict[str, Any]) -> List[Dict[str, str]]:
        problems = []
        for field in REQUIRED[name]:
            if body.get(field) in (None, ""):
                problems.append({"name": field, "code": "required"})
        for field, limit in MAX_LENGTH.get(name, {}).items():
            if isinstance(body.get(field), str) and len(body[field]) > limit:
                problems.append({"name": field, "code": "max_length"})
        for (resource, field), allowed in ENUMS.items():
            if resource == name and field in body and body[field] not in allowed:
                problems.append({"name": field, "code": "invalid_choice"})
        for (resource, field), target in REFERENCES.items():
            ref = body.get(field)
            if (
                resource == name
                and ref is not None
                and (not isinstance(ref, dict) or ref.get("uuid") not in self.store[target])
            ):
                problems.append({"name": field, "code": "does_not_exist"})
        if (
            name == "klantcontacten"
            and body.get("nummer")
            and any(k.get("nummer") == body["nummer"] for k in self.store[name].values())
        ):
            problems.append({"name": "nummer", "code": "unique"})
        if name == "digitaleadressen":
            kind, adres = body.get("soortDigitaalAdres"), str(body.get("adres") or "")
            if kind == "telefoonnummer" and not OPEN_KLANT_PHONE.match(adres):
                problems.append({"name": "adres", "code": "invalid"})
            if kind == "email" and not EMAIL.match(adres):
                problems.append({"name": "adres", "code": "invalid"})
        if name == "internetaken":
            for actor in body.get("toegewezenAanActoren") or []:
                if actor.get("uuid") not in self.store["actoren"]:
                    problems.append({"name": "toegewezenAanActoren", "code": "does_not_exist"})
        return problems


class _SmtpHandler:
    def __init__(self) -> None:
        self.messages: List[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on a fixed port; the received messages survive a stop/start."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.handler = _SmtpHandler()
        self._controller: Optional[Controller] = None

    def start(self) -> SmtpServer:
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller:
            self._controller.stop()
            self._controller = None

    @property
    def messages(self) -> List[bytes]:
        return list(self.handler.messages)


class _WebhookHandler(_Handler):
    def do_POST(self) -> None:
        body = self._body()
        owner = self.owner
        headers = dict(self.headers.items())
        if not signing.verify(owner.secret, headers, body, path=self.path):
            owner.rejected += 1
            return self._send(401, {"error": "bad signature"})
        if not owner.replays.first_use(headers):
            owner.rejected += 1
            return self._send(401, {"error": "replay"})
        try:
            event = json.loads(body)
        except ValueError:
            return self._send(400, {"error": "bad json"})
        with owner.lock:
            if event.get("id") in owner.ids:
                return self._send(409, {"status": "duplicate"})
            owner.ids.add(event.get("id"))
            owner.events.append(event)
        self._send(202, {"status": "accepted"})


class WebhookReceiver(_StandInServer):
    handler = _WebhookHandler

    def __init__(self, port: int, secret: str) -> None:
        super().__init__(port)
        self.secret = secret
        self.replays = signing.ReplayGuard()
        self.lock = threading.Lock()
        self.ids: Set[str] = set()
        self.events: List[Dict[str, Any]] = []
        self.rejected = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/kcc"


# ---------------------------------------------------------------------- SMTP with STARTTLS
def make_certificates(directory: Any, hosts: List[str]) -> Dict[str, str]:
    """A test CA and a server certificate for `hosts` (IP addresses), as PEM files.

    Returns the paths: "ca" (trust it with SSL_CERT_FILE), "cert" and "key" (the server's)."""
    import datetime
    import ipaddress
    from pathlib import Path

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    directory = Path(directory)
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test mail CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(h)) for h in hosts]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = {
        "ca": directory / "ca.pem",
        "cert": directory / "cert.pem",
        "key": directory / "key.pem",
    }
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return {name: str(path) for name, path in paths.items()}


class _SessionRecordingHandler(_SmtpHandler):
    """Also records, per message, whether it came over TLS and who logged in."""

    def __init__(self) -> None:
        super().__init__()
        self.tls: List[bool] = []
        self.logins: List[Optional[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.tls.append(session.ssl is not None)
        login = session.auth_data
        self.logins.append(login.decode() if isinstance(login, bytes) else login)
        return await super().handle_DATA(server, session, envelope)


class ConfigurableSmtpServer(SmtpServer):
    """aiosmtpd on `hostname`:`port`, optionally offering STARTTLS (`certificates` from
    make_certificates) and requiring a login (`accounts`: user -> password, only over TLS,
    aiosmtpd's default). Records TLS use and logins per message, and every AUTH attempt."""

    def __init__(
        self,
        port: int,
        hostname: str = "127.0.0.1",
        certificates: Optional[Dict[str, str]] = None,
        accounts: Optional[Dict[str, str]] = None,
    ) -> None:
        super().__init__(port)
        self.hostname = hostname
        self.certificates = certificates
        self.accounts = accounts
        self.handler = _SessionRecordingHandler()
        self.auth_attempts = 0

    def _authenticator(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any):
        from aiosmtpd.smtp import AuthResult, LoginPassword

        self.auth_attempts += 1
        ok = (
            isinstance(data, LoginPassword)
            and self.accounts is not None
            and self.accounts.get(data.login.decode()) == data.password.decode()
        )
        return AuthResult(success=ok, handled=False, auth_data=data.login if ok else None)

    def start(self) -> SmtpServer:
        import ssl

        kwargs: Dict[str, Any] = {}
        if self.certificates:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.certificates["cert"], self.certificates["key"])
            kwargs["tls_context"] = context
        if self.accounts is not None:
            kwargs["authenticator"] = self._authenticator
            kwargs["auth_require_tls"] = True
        self._controller = Controller(
            self.handler, hostname=self.hostname, port=self.port, **kwargs
        )
        self._controller.start()
        return self

    @property
    def tls(self) -> List[bool]:
        return list(self.handler.tls)

    @property
    def logins(self) -> List[Optional[str]]:
        return list(self.handler.logins)
