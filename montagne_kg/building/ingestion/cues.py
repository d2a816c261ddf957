"""Agreement and event rows: sentences that sign something, or send a delegation somewhere.

An agreement or a trip is rarely a name in the text, so NER cannot find it; these rows point the curator at the
sentence, with the cue words as the form and the names of that sentence as candidate parties. A trip word counts
in a dated sentence, or when it says whose trip it is (« le déplacement de Patrick Kanner »).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from montagne_kg.building.ingestion.text import ReleaseText

SIGNING = re.compile(r"(?i)\b(?:sign\w*|conclu\w*|paraph\w*|ratifi\w*)\b")
AGREEMENT_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)\blettres? d'intention\b"), "LetterOfIntent"),
    (re.compile(r"(?i)\baccords? de coopération\b"), "CooperationAgreement"),
    (re.compile(r"(?i)\bconventions?(?: de partenariat)?\b"), "PartnershipConvention"),
    (re.compile(r"(?i)\bpartenariats?\b"), "PartnershipConvention"),
    (re.compile(r"(?i)\bcontrats?\b"), "Contract"),
    # a joint venture is the company the partners form (its agreement is the signing sentence's other row)
    (re.compile(r"(?i)\bjoint[- ]ventures?\b|\bcoentreprises?\b"), "JointVenture"),
    (re.compile(r"(?i)\b(?:protocoles? d'accord|mémorandums?|accords?)\b"), "Agreement"),
)
TRIP_WORDS = re.compile(r"(?i)\b(?:délégations?|missions?|visites?|déplacements?|voyages?|séjours?)\b")
# « le déplacement de Patrick Kanner », « la délégation « montagne » Auvergne Rhône Alpes »: whose trip it is
NAME_RUN = r"[A-ZÀ-Ý][\w'’-]*(?:\s+(?:(?:de la|de l'|de|du|des|d'|&|et)\s+)*[A-ZÀ-Ý][\w'’-]*)*"
# … or with the head noun of the body it comes from (« une délégation de la province du Hebei »), or its nationality
# (« une délégation argentine »)
BODY_HEAD = r"(?:ville|province|région|commune|municipalité|fédération|station|université|préfecture|ambassade)"
NATIONALITY = r"[a-zà-ÿ]+(?:ais|aise|ois|oise|ien|ienne|ain|aine|in|ine|an|ane|ard|arde|and|ande|ol|ole|ique|on|onne)s?"
WHOSE_TRIP = re.compile(rf"\s+(?:de la |de l'|du |des |de |d')?(?:«[^»]{{1,40}}»\s*)?{NAME_RUN}|"
                        rf"\s+(?:de la |de l'|du |des |de |d'){BODY_HEAD}\s+(?:de la |de l'|du |des |de |d'){NAME_RUN}|"
                        rf"\s+{NATIONALITY}\b(?!\s+(?:de|du|des|à|au)\b)")
MONTH_NUMBERS = {"janvier": 1, "février": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "août": 8,
                 "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12}
MONTHS = f"(?:{'|'.join(MONTH_NUMBERS)})"
DATE = re.compile(rf"(?i)\b(?:\d{{1,2}}(?:er)?\s+(?:au\s+\d{{1,2}}(?:er)?\s+)?{MONTHS}(?:\s+\d{{4}})?|"
                  rf"{MONTHS}\s+\d{{4}}|\d{{1,2}}/\d{{1,2}}/\d{{4}})\b")

# the line that dates a release, near its top: « Grenoble, le 12 mars 2025 », « Date 20/02/2017 », « Le 3 mai 2024 »
DATELINE = re.compile(rf"(?im)^[ \t]*(?:date\s*:?\s*|(?:[A-ZÀ-Ý][\w'’ -]{{0,40}},\s*)?le\s+)?"
                      rf"(?:(\d{{1,2}})(?:er)?\s+({MONTHS})\s+(\d{{4}})|(\d{{1,2}})/(\d{{1,2}})/(\d{{4}}))"
                      r"[ \t]*\.?[ \t]*$")


@dataclass(frozen=True)
class Cue:
    start: int
    end: int
    kind: str
    word: str
    sentence: tuple[int, int]


def cues(text: ReleaseText) -> list[Cue]:
    """One cue per agreement word of a signing sentence, and per trip word of a dated sentence or followed by
    whose trip it is."""
    found = []
    analysed = text.analysed  # apostrophes straightened, debris blanked
    for sentence in text.sentences:
        passage = analysed[sentence.start:sentence.end]
        span = (sentence.start, sentence.end)
        if SIGNING.search(passage):
            taken: list[tuple[int, int]] = []
            for pattern, kind in AGREEMENT_WORDS:
                for match in pattern.finditer(passage):
                    if any(s < match.end() and match.start() < e for s, e in taken):
                        continue  # « accord de coopération » is not also an « accord »
                    taken.append(match.span())
                    found.append(Cue(sentence.start + match.start(), sentence.start + match.end(), kind,
                                     match.group(0).lower(), span))
        dated = DATE.search(passage) is not None
        for match in TRIP_WORDS.finditer(passage):
            whose = WHOSE_TRIP.match(passage, match.end())
            if dated or whose:  # the trip is named with whose it is: « le déplacement de Patrick Kanner »
                end = whose.end() if whose else match.end()
                found.append(Cue(sentence.start + match.start(), sentence.start + end, "Visit",
                                 match.group(0).lower(), span))
    return sorted(found, key=lambda c: (c.start, c.end))


def dateline(text: ReleaseText, within: int = 600) -> date | None:
    """The date a release gives itself on a line of its own near its top, or None (no such line, or not a day)."""
    found = DATELINE.search(text.text[:within])
    if found is None:
        return None
    day, month, year, numeric_day, numeric_month, numeric_year = found.groups()
    try:
        if day:
            return date(int(year), MONTH_NUMBERS[month.lower()], int(day))
        return date(int(numeric_year), int(numeric_month), int(numeric_day))
    except ValueError:
        return None  # « 31 février »: no date
