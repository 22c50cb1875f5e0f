"""Questions outside the programme that a classifier trained on Haarlem's programme mistakes
for programme questions: another municipality's programme, and looking for a job at the
municipality. Pure Python, linear in the length of the text.

"Wat doet Utrecht voor sociale ondernemers?" shares every word but one with a programme
question, so the intent classifier answers it about Haarlem. A named place that is not Haarlem
or its region (the programme works with Kennemerland), or a province, makes it out of scope; so does asking for
a job, an internship or a vacancy at the municipality (not an assignment for a business).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Optional

# Haarlem and the region the programme works with (Kennemerland, Zuid-Kennemerland, IJmond).
REGION = frozenset(
    [
        "haarlem",
        "haarlemse",
        "kennemerland",
        "heemstede",
        "zandvoort",
        "bloemendaal",
        "velsen",
        "ijmuiden",
        "haarlemmermeer",
        "hoofddorp",
        "beverwijk",
        "heemskerk",
        "uitgeest",
        "castricum",
        "ijmond",
    ]
)
OTHER_PLACES = frozenset(
    [
        "amsterdam",
        "rotterdam",
        "utrecht",
        "eindhoven",
        "groningen",
        "tilburg",
        "almere",
        "breda",
        "nijmegen",
        "apeldoorn",
        "arnhem",
        "enschede",
        "amersfoort",
        "zaanstad",
        "zaandam",
        "leiden",
        "maastricht",
        "dordrecht",
        "zoetermeer",
        "zwolle",
        "deventer",
        "delft",
        "alkmaar",
        "venlo",
        "leeuwarden",
        "hilversum",
        "hengelo",
        "amstelveen",
        "purmerend",
        "roosendaal",
        "schiedam",
        "lelystad",
        "emmen",
        "vlaardingen",
        "assen",
        "helmond",
        "oss",
        "alphen",
        "leidschendam",
        "rijswijk",
        "hoorn",
        "middelburg",
        "vlissingen",
        "zeist",
        "nieuwegein",
        "veenendaal",
        "ede",
        "wageningen",
        "antwerpen",
        "gent",
        "brussel",
        "leuven",
        "brugge",
        "mechelen",
        "hasselt",
        "kortrijk",
        "oostende",
        "aalst",
        "genk",
        "luik",
        "charleroi",
        "berlijn",
        "parijs",
        "londen",
        # More Dutch and Flemish towns (names that are also ordinary words left out: Best,
        # Geel, Mol, Lier, Sluis, Goes, Huizen, Duiven, Weert).
        "heerhugowaard",
        "den helder",
        "schagen",
        "enkhuizen",
        "medemblik",
        "edam",
        "volendam",
        "weesp",
        "diemen",
        "lisse",
        "hillegom",
        "noordwijk",
        "katwijk",
        "wassenaar",
        "gouda",
        "woerden",
        "houten",
        "ijsselstein",
        "roermond",
        "sittard",
        "geleen",
        "heerlen",
        "kerkrade",
        "uden",
        "veghel",
        "boxtel",
        "waalwijk",
        "oosterhout",
        "terneuzen",
        "zutphen",
        "doetinchem",
        "tiel",
        "harderwijk",
        "barneveld",
        "kampen",
        "hardenberg",
        "almelo",
        "oldenzaal",
        "meppel",
        "hoogeveen",
        "drachten",
        "sneek",
        "heerenveen",
        "harlingen",
        "delfzijl",
        "capelle",
        "spijkenisse",
        "gorinchem",
        "ridderkerk",
        "barendrecht",
        "maassluis",
        "westland",
        "pijnacker",
        "voorburg",
        "wijchen",
        "culemborg",
        "dronten",
        "emmeloord",
        "bussum",
        "naarden",
        "baarn",
        "soest",
        "nijkerk",
        "veldhoven",
        "valkenswaard",
        "etten leur",
        "zierikzee",
        "winterswijk",
        "turnhout",
        "roeselare",
        "sint niklaas",
        "ieper",
        "lokeren",
        "dendermonde",
        "waregem",
        "tienen",
        "knokke",
        "lommel",
        "tongeren",
        "vilvoorde",
        "belgie",
        "vlaanderen",
        "wallonie",
        "duitsland",
        "frankrijk",
        "engeland",
    ]
) | {"den haag", "den bosch", "s hertogenbosch", "bergen op zoom", "alphen aan den rijn"}
_JOB = re.compile(
    r"\b(?:vacatures?|sollicit\w*|bij (?:de |jullie )?gemeente (?:\w+ ){0,3}?afstuderen|afstuderen bij (?:de |jullie )?gemeente|stage(?:plek|plaats|s)?\b|stagelopen|"
    r"werkzoekend\w*|baan(?:tje)?\b|banen\b|in dienst (?:komen|treden|bij)|"
    r"vacatur\w*|vakature\w*|jobstudent\w*|studentenjob\w*|vakantiewerk\w*|vakantiebaan\w*|"
    r"bijbaan\w*|bijbaantje\w*|als \w+ ?medewerker\b|"
    # "ik werk bij de gemeente" is a municipal buyer saying who they are, not a job seeker.
    r"(?<!ik )(?<!wij )(?<!we )(?:werken|werk|functie) bij (?:de |jullie|het )?(?:gemeente|jullie)|"
    r"bij (?:de |jullie )?gemeente (?:\w+ ){0,3}?werken|werkstudent\w*|trainee\w*|"
    r"afstudeerplek\w*|afstudeerplaats\w*|stembureau\w*|"
    r"\w+ worden bij (?:de |jullie |het )?(?:gemeente|team|afdeling))"
)
# "is daar ook een programma zoals in Haarlem?": Haarlem named as the comparison, so the
# question is about the other place.
_COMPARED = re.compile(
    r"\b(?:zoals|net als|net zoals|als in|vergelijkbaar met) (?:in |bij )?haarlem\b"
)
# Words that make "werk" an assignment for a business, not a job; social return and PSO are
# about jobs created by suppliers ("moet social return altijd met nieuwe banen?").
_BUSINESS = re.compile(
    r"\b(?:opdracht\w*|aanbested\w*|tender\w*|mijn bedrijf|ons bedrijf|leverancier\w*|onderneming\w*|"
    r"social return|sroi|pso|prestatieladder|uitvra\w*|inkoopvra\w*|\w+opdracht\w*)"
)
# National or multi-city things the programme's answers cover, places included ("was er in 2021
# ook een Impact Day in Utrecht?"): a place named with them is part of the programme question.
_NATIONAL_TOPICS = re.compile(
    r"\b(?:impact ?days?|impactdag\w*|overheidscongres|congres|social enterprise nl|buy social|"
    r"pso|prestatieladder|code sociale ondernemingen|register sociale ondernemingen)\b"
)


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def out_of_scope_reason(text: Optional[str]) -> Optional[str]:
    """ "other_place" or "job" when the message is one of those questions, else None."""
    if not text:
        return None
    clean = _normalize(text)
    words = set(clean.split())
    # "ik ben zelfstandige uit Gent": where the user comes from, not what they ask about.
    origins = set(re.findall(r"\b(?:uit|vanuit) (\w+)", clean))
    places = {w for w in words if w in OTHER_PLACES and w not in origins} | {
        p for p in OTHER_PLACES if " " in p and f" {p} " in f" {clean} "
    }
    region = words & REGION
    if region == {"haarlem"} and _COMPARED.search(clean):
        region = set()
    if (places or "provincie" in words) and not region and not _NATIONAL_TOPICS.search(clean):
        return "other_place"
    if _JOB.search(clean) and not _BUSINESS.search(clean):
        return "job"
    return None
