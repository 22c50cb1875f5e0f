"""Deliver a contact request to the Klantinteracties API (VNG; reference implementation Open Klant).

The convention for a contact request, one step at a time:
1. a `klantcontact` (kanaal, onderwerp, inhoud, taal "nld", vertrouwelijk), its `nummer` being
   our reference number;
2. the assistant as an `actor` of kind `geautomatiseerde_actor` (found or created once) linked to
   it by an `actorklantcontact`;
3. a `betrokkene` (rol "klant", initiator, contactnaam);
4. its `digitaleadressen` (email / telefoonnummer, verstrektDoorBetrokkene);
5. an `internetaak` (gevraagdeHandeling, status "te_verwerken", assigned to the configured actor).

Every step first looks for what an earlier attempt may have created (a request can time out
after the server stored it) and stores the uuid in the delivery's state before going on, so a
retry never creates a second klantcontact, betrokkene, address or task.
Header: `Authorization: Token <KLANTINTERACTIES_TOKEN>`.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

import requests

from bot.handoff import transcript as transcripts
from bot.handoff.adapters import DeliveryError, Save, State
from bot.handoff.contact import ContactRequest

logger = logging.getLogger(__name__)

KANAAL = "chat"
ASSISTANT_NAME = "Digitale assistent Impact Ondernemen"
GEVRAAGDE_HANDELING = "Contact opnemen met de inwoner of ondernemer over de vraag"
_PREFIXES = {
    "van",
    "de",
    "der",
    "den",
    "het",
    "ten",
    "ter",
    "te",
    "op",
    "in",
    "'t",
    "la",
    "le",
    "du",
    "von",
    "del",
}


def contactnaam(name: str) -> Dict[str, str]:
    """ "Jan van der Berg" -> voornaam Jan, voorvoegselAchternaam "van der", achternaam Berg."""
    parts = name.split()
    if len(parts) == 1:
        return {"voornaam": parts[0][:200]}
    first, rest = parts[0], parts[1:]
    prefix: List[str] = []
    while len(rest) > 1 and rest[0].lower() in _PREFIXES:
        prefix.append(rest.pop(0))
    result = {"voornaam": first[:200], "achternaam": " ".join(rest)[:200]}
    if prefix and len(" ".join(prefix)) <= 10:
        result["voorvoegselAchternaam"] = " ".join(prefix)
    elif prefix:
        result["achternaam"] = " ".join(prefix + rest)[:200]
    return result


def inhoud(request: ContactRequest, limit: int = 1000) -> str:
    """The question, then as much of the conversation as fits (newest messages kept)."""
    head = f"Vraag: {request.question}\n\nGesprek (laatste berichten):\n"
    lines = transcripts.to_text(request.transcript).splitlines()
    body: List[str] = []
    room = limit - len(head)
    for line in reversed(lines):
        if len(line) + 1 > room:
            break
        body.insert(0, line)
        room -= len(line) + 1
    return (head + "\n".join(body))[:limit]


class KlantinteractiesAdapter:
    name = "klantinteracties"

    def __init__(self, settings: Any, session: Optional[requests.Session] = None) -> None:
        self.base = settings.klantinteracties_url.rstrip("/")
        self.actor = settings.klantinteracties_actor
        self.timeout = settings.handoff_timeout_seconds
        self.session = session or requests.Session()
        self.session.headers.update(
            {
                "Authorization": f"Token {settings.klantinteracties_token}",
                "Accept": "application/json",
                "Content-Type": "application/json",
            }
        )

    # ------------------------------------------------------------------ HTTP
    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self.session.request(
                method, f"{self.base}/{path}", timeout=self.timeout, **kwargs
            )
        except requests.RequestException as error:
            raise DeliveryError(f"{method} {path}: {type(error).__name__}") from None
        if not response.ok:
            # The status only: a 400 body echoes the (personal) values that were sent.
            raise DeliveryError(f"{method} {path}: HTTP {response.status_code}")
        return response.json() if response.content else None

    def _find(self, path: str, **params: str) -> List[Dict[str, Any]]:
        data = self._call("GET", path, params=params)
        return list((data or {}).get("results") or [])

    def _create(self, path: str, body: Dict[str, Any]) -> Dict[str, Any]:
        return self._call("POST", path, json=body)

    # ------------------------------------------------------------------ steps
    def deliver(self, request: ContactRequest, state: State, save: Save) -> None:
        if "klantcontact" not in state:
            found = [
                k
                for k in self._find("klantcontacten", nummer=request.reference)
                if k.get("nummer") == request.reference
            ]
            klantcontact = (
                found[0]
                if found
                else self._create(
                    "klantcontacten",
                    {
                        "nummer": request.reference,
                        "kanaal": KANAAL,
                        "onderwerp": request.subject[:200],
                        "inhoud": inhoud(request),
                        "taal": "nld",
                        "vertrouwelijk": False,
                        "plaatsgevondenOp": request.created_at,
                    },
                )
            )
            state["klantcontact"] = klantcontact["uuid"]
            save(state)
        klantcontact_ref = {"uuid": state["klantcontact"]}

        if "assistant" not in state:
            state["assistant"] = self._assistant_actor()
            save(state)
        if "actorklantcontact" not in state:
            found = [
                a
                for a in self._find("actorklantcontacten", klantcontact__uuid=state["klantcontact"])
                if (a.get("actor") or {}).get("uuid") == state["assistant"]
            ]
            link = (
                found[0]
                if found
                else self._create(
                    "actorklantcontacten",
                    {"actor": {"uuid": state["assistant"]}, "klantcontact": klantcontact_ref},
                )
            )
            state["actorklantcontact"] = link["uuid"]
            save(state)

        if "betrokkene" not in state:
            found = [
                b
                for b in self._find("betrokkenen", hadKlantcontact__uuid=state["klantcontact"])
                if b.get("rol") == "klant"
            ]
            betrokkene = (
                found[0]
                if found
                else self._create(
                    "betrokkenen",
                    {
                        "hadKlantcontact": klantcontact_ref,
                        "wasPartij": None,
                        "rol": "klant",
                        "initiator": True,
                        "contactnaam": contactnaam(request.name),
                    },
                )
            )
            state["betrokkene"] = betrokkene["uuid"]
            save(state)

        wanted = [
            (kind, value)
            for kind, value in (("email", request.email), ("telefoonnummer", request.phone))
            if value
        ]
        addresses = state.setdefault("digitaleadressen", {})
        if any(kind not in addresses for kind, _ in wanted):
            existing = {
                (a.get("soortDigitaalAdres"), a.get("adres")): a["uuid"]
                for a in self._find(
                    "digitaleadressen", verstrektDoorBetrokkene__uuid=state["betrokkene"]
                )
            }
            for kind, value in wanted:
                if kind in addresses:
                    continue
                uuid = (
                    existing.get((kind, value))
                    or self._create(
                        "digitaleadressen",
                        {
                            "verstrektDoorBetrokkene": {"uuid": state["betrokkene"]},
                            "verstrektDoorPartij": None,
                            "adres": value,
                            "soortDigitaalAdres": kind,
                            "omschrijving": "Opgegeven in de chat",
                        },
                    )["uuid"]
                )
                addresses[kind] = uuid
                save(state)

        if "internetaak" not in state:
            found = self._find(
                "internetaken", aanleidinggevendKlantcontact__uuid=state["klantcontact"]
            )
            taak = found[0] if found else self._create("internetaken", self._taak(request, state))
            state["internetaak"] = taak["uuid"]
            save(state)
        logger.debug("klantinteracties: contact request %s recorded", request.reference)

    def _taak(self, request: ContactRequest, state: State) -> Dict[str, Any]:
        taak: Dict[str, Any] = {
            "aanleidinggevendKlantcontact": {"uuid": state["klantcontact"]},
            "gevraagdeHandeling": GEVRAAGDE_HANDELING,
            "toelichting": f"Contactverzoek {request.reference} via de chatassistent. "
            f"Contact via {request.via()}.",
            "status": "te_verwerken",
        }
        if self.actor:
            taak["toegewezenAanActoren"] = [{"uuid": self.actor}]
        return taak

    def _assistant_actor(self) -> str:
        """The uuid of the assistant's own actor (geautomatiseerde_actor), created once."""
        found = [
            a
            for a in self._find("actoren", soortActor="geautomatiseerde_actor", naam=ASSISTANT_NAME)
            if a.get("naam") == ASSISTANT_NAME
        ]
        if found:
            return found[0]["uuid"]
        return self._create(
            "actoren",
            {
                "naam": ASSISTANT_NAME,
                "soortActor": "geautomatiseerde_actor",
                "indicatieActief": True,
                "actoridentificatie": {
                    "functie": "chatbot",
                    "omschrijving": "Chatassistent van de gemeente Haarlem",
                },
            },
        )["uuid"]
