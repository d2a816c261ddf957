"""Fact proposals: what a release's sentences state about the names proposed for it, in the ontology's terms.

Rules for the genre, over the names rows of the release (their mentions and kinds), never over our names:
- office: « Anne Roy, présidente de X » and « le directeur de X, M. Jean Vial » — a ``mkg:Post`` labelled with the
  role words as written, its ``mkg:holder`` and ``mkg:postIn`` the body; a place there (« adjointe au Maire de
  Chambéry ») means its authority: the release's « Ville de X » row, or a new Municipality with
  ``mkg:hasJurisdictionOver`` the place;
- agreement: the signing sentence's subject and the body after « avec » are its parties; no « avec », the text
  names no other side: ``mkg:counterpartNotStated true``; « à X » its signing place;
- trip: a Visit's destinations (places after « à », « en », « au »), who leads it (« conduite par X ») and its
  dates (« du 14 au 18 février 2017 »);
- event: where (« à X » after it) and who organises it (« organisé par X »);
- place: « X, au Kazakhstan » / « X (Kazakhstan) » (``mkg:locatedIn``), « X, basé à Y » (``mkg:basedIn``);
- figures: a number and what it counts (« 7 000 lits touristiques », « 110 millions d'euros ») on the sentence's
  resort, place or agreement, « plus de » a lower bound, « à terme » planned.

A fact row: subject, property, object, the sentence's span, the rule (``…:context`` when the subject comes from an
earlier sentence — « Cette mission menée par X », « Ce site comprendra … »: applied, such a fact is the curators'
conclusion, attributed to the curation with its note as the reason). Subjects and objects are slugs (of a names
row, a known entity, or a node the facts declare with ``a``); objects may be literals (``"2017-02-14"^^xsd:date``,
``true``, ``"…"@fr``) or a figure written ``quantity:<value> <Unit> [<Qualifier>…]`` / ``amount:<value> <CUR>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

from rdflib import Literal

from montagne_kg.building.ingestion.cues import MONTH_NUMBERS, MONTHS, SIGNING
from montagne_kg.building.ingestion.proposals import slug
from montagne_kg.building.ingestion.review import ReviewError, Row, format_spans, parse_spans, read_table, write_table
from montagne_kg.building.ingestion.rules import PLACE_KINDS
from montagne_kg.building.ingestion.text import ReleaseText

COLUMNS = ("release", "subject", "property", "object", "sentence", "rule", "decision", "note")
# a rule's name ends so when the fact's subject is taken from an earlier sentence, not from its own: applied, it is
# written as the curators' conclusion (attributed to the curation, the note as the reason)
CONTEXT = ":context"
AGREEMENT_KINDS = frozenset({"Agreement", "CooperationAgreement", "PartnershipConvention", "LetterOfIntent",
                             "Contract", "JointVentureAgreement"})
NOT_AGENTS = PLACE_KINDS | AGREEMENT_KINDS | {"Person", "Event", "SportsEvent", "Visit", "Celebration"}
ROLE_WORDS = (r"(?:vice-)?président(?:e)?|directeur|directrice|maire|adjoint|adjointe|ambassadeur|ambassadrice|"
              r"ministre|secrétaire|délégué|déléguée|conseiller|conseillère|préfet|préfète|député|députée|sénateur|"
              r"sénatrice|consul|consule|gérant|gérante|fondateur|fondatrice|responsable|chef|chargé|chargée|"
              r"trésorier|trésorière|pdg|dirigeant|dirigeante|coordinateur|coordinatrice|manager")
ROLE_AFTER = re.compile(rf"\s*,\s*\*?((?:l'|l’|le |la )?(?:{ROLE_WORDS})\b[^,.;()\n*]*)", re.I)
ROLE_BEFORE = re.compile(rf"(?:^|[\s(])((?:{ROLE_WORDS})\b[^,.;()\n]*?)\s*,\s*(?:M\.|Mme|Monsieur|Madame)?\s*$", re.I)
THIS_TRIP = re.compile(r"(?i)(?:cette|ce)\s+(?:mission|délégation|déplacement|visite|voyage)\b")
# between two leaders: a comma or « et (de) », perhaps after the first one's office (« X, président de Y, et de Z »)
LEADERS_GAP = re.compile(rf"\s*(?:,\s*(?:{ROLE_WORDS})\b[^.;«»,]{{0,160}})?\s*(?:(?:,|et)\s*(?:de\s+)?)?"
                         r"(?:M\.|Mme|Monsieur|Madame)?\s*", re.I)
LEAD_PHRASE = re.compile(r"\b(?:conduite?s?|menée?s?|emmenée?s?|présidée?s?|dirigée?s?)\s+par\s+", re.I)
TO = re.compile(r"\b(?:à|en|au|aux|vers)\s+$")
DURING = re.compile(r"(?i)\b(?:lors|pendant|durant|en marge|à l'occasion|à l’occasion|au cours)\s*"
                    r"(?:de la |de l'|de l’|du |des |de |d')?(?:[a-zà-ÿ-]+\s+){0,2}$")
# what an agreement is for, as the text writes it: « pour » and the clause after the agreement's words
PURPOSE = re.compile(r"(?:\s+(?:de|d')\s*[a-zà-ÿ'’ -]{0,40}?)?\s+(?:pour|visant à|afin de)\s+([^,;.()\n]{6,160})")
PURPOSE_FIRST = re.compile(r"(?:Afin de|Afin d'|Afin d’|Pour|Dans le but de)\s+([^,;.()\n]{6,160}),")
THIS_OCCASION = re.compile(r"(?i)(?:à|a)\s+cette\s+occasion\b")
ORGANISED_BY = re.compile(r"\b(?:organisée?s?|coorganisée?s?)\s+par\s+(?:la |le |les |l'|l’)?$", re.I)
BASED = re.compile(r"\b(?:basée?s?|située?s?|implantée?s?|installée?s?|établie?s?|domiciliée?s?)\s+(?:à|en|au)\s+$",
                   re.I)
# « l'Ambassadeur de France au Kazakhstan »: the country a diplomat represents, not one inside the other
DIPLOMATIC_BEFORE = re.compile(r"(?i)\b(?:ambassad\w*|consul\w*|représentation|délégation|chambre de commerce)\s+"
                               r"(?:de la |de l'|du |des |de |d')$")
IN_COUNTRY = re.compile(r"^\s*(?:,\s*)?(?:au|en|aux)\s+$|^\s*\(\s*$")
DATE_RANGE = re.compile(rf"(?i)\bdu\s+(\d{{1,2}})(?:er)?(?:\s+({MONTHS}))?\s+au\s+(\d{{1,2}})(?:er)?\s+"
                        rf"({MONTHS})\s+(\d{{4}})\b")
DAY = re.compile(rf"(?i)\ble\s+(\d{{1,2}})(?:er)?\s+({MONTHS})\b(?:\s+(\d{{4}}))?")
NUMBER = r"(\d{1,3}(?:[  \u202f.]\d{3})+|\d+(?:,\d+)?)"
# what a number counts: (noun pattern, property, unit) — the property says what is counted
COUNTED: tuple[tuple[str, str, str], ...] = (
    (r"lits?(?:\s+touristiques)?", "mkg:touristBeds", "Bed"),
    (r"remontées?\s+mécaniques", "mkg:skiLifts", "SkiLift"),
    (r"km\s+de\s+pistes?[\w\s]*?", "mkg:securedTrailLength", "Kilometre"),
    (r"pistes?(?:\s+de\s+ski)?", "mkg:skiRuns", "SkiRun"),
    (r"habitants", "mkg:population", "Inhabitant"),
    (r"emplois", "mkg:expectedJobs", "Job"),
)
COUNTED_NOUNS = "|".join(pattern for pattern, _, _ in COUNTED)
FIGURE = re.compile(rf"(?i)(?:(plus\s+de|au\s+moins|près\s+de|environ)\s+)?{NUMBER}\s+(?:({COUNTED_NOUNS})"
                    r"|(millions?|milliards?)\s+d['’]euros|(euros|€))")
# a sentence opening on « Cette ville », « Ce site »… points back to the last place of that kind
THIS_PLACE = re.compile(r"(?i)(?:cette|ce)\s+(ville|station|site|région|province|pays|commune)\b")
POINTED_KINDS = {"ville": ("City",), "commune": ("City", "Locality"), "station": ("SkiResort",),
                 "site": ("SkiResort", "Locality"), "région": ("AdministrativeRegion",),
                 "province": ("AdministrativeRegion",), "pays": ("Country",)}
PLANNED = re.compile(r"(?i)\b(?:à terme|comprendra|comptera|prévoit|prévus?|devrait|devraient|créera|permettra)\b")
QUALIFIERS = {"plus de": "LowerBound", "au moins": "LowerBound", "près de": "Approximate", "environ": "Approximate"}


@dataclass(frozen=True)
class FactRow:
    release: str
    subject: str
    property: str
    object: str
    sentence: tuple[int, int]
    rule: str
    decision: str = ""
    note: str = ""
    line: int = 0

    def cells(self) -> list[str]:
        return [self.release, self.subject, self.property, self.object, format_spans((self.sentence,)), self.rule,
                self.decision, self.note]


@dataclass(frozen=True)
class Named:
    """One mention of a names row: where, what, and the slug its row gives it."""

    start: int
    end: int
    slug: str
    kind: str
    form: str


def named(rows: list[Row]) -> list[Named]:
    return sorted((Named(s, e, r.slug, r.kind, r.form) for r in rows for s, e in r.mentions),
                  key=lambda n: (n.start, -n.end))


def _is_agent(kind: str) -> bool:
    """Whether a names row of this kind can hold a post, sign or organise (a body, not a person, place or event)."""
    return kind not in NOT_AGENTS


CITY_KINDS = frozenset({"City", "Locality", "Place", "SkiResort"})


def propose_facts(release: str, text: ReleaseText, rows: list[Row],
                  written: tuple[date, date] | None = None) -> list[FactRow]:
    """The fact rows for a release's names rows, in sentence order, each once; ``written`` is when the release was
    written (its date twice, or its date range), which bounds a day given without its year."""
    names = named(rows)
    facts: list[FactRow] = []
    for sentence in text.sentences:
        span = (sentence.start, sentence.end)
        inside = [n for n in names if sentence.start <= n.start and n.end <= sentence.end]
        for rule in (_offices, _agreements, _trips, _places, _figures):
            facts.extend(rule(release, text, span, inside, names))
        facts.extend(_events(release, text, span, inside, written))
    unique = {(f.subject, f.property, f.object): f for f in reversed(facts)}
    return sorted(unique.values(), key=lambda f: (f.sentence, f.subject, f.property, f.object))


def _before(text: ReleaseText, span: tuple[int, int], start: int) -> str:
    return text.analysed[span[0]:start]


def _authority(release: str, place: Named, names: list[Named], span: tuple[int, int],
               rule: str) -> tuple[str, list[FactRow]]:
    """The authority of a place for a post (« adjointe au Maire de Chambéry »): the release's « Ville de X » row, or
    a new Municipality over X."""
    for n in names:
        if n.kind == "Municipality" and n.form.lower().endswith(place.form.lower()):
            return n.slug, []
    authority = slug(f"ville de {place.form}")
    return authority, [
        FactRow(release, authority, "a", "mkg:Municipality", span, rule),
        FactRow(release, authority, "rdfs:label", _fr(f"Ville de {place.form}"), span, rule),
        FactRow(release, authority, "mkg:hasJurisdictionOver", place.slug, span, rule)]


def _fr(value: str) -> str:
    return Literal(value, lang="fr").n3()


def _offices(release: str, text: ReleaseText, span: tuple[int, int], inside: list[Named],
             names: list[Named]) -> list[FactRow]:
    out = []
    for person in (n for n in inside if n.kind == "Person"):
        after = ROLE_AFTER.match(text.text, person.end, span[1])
        before = ROLE_BEFORE.search(text.analysed, span[0], person.start)
        if after:
            role_start, role_end = after.span(1)
        elif before:
            role_start, role_end = before.span(1)
        else:
            continue
        role = " ".join(text.text[role_start:role_end].split())
        role = re.sub(r"^(?:l'|l’|le |la )", "", role)
        in_role = [n for n in inside if role_start <= n.start and n.end <= role_end and n is not person]
        bodies = [(n.slug, []) for n in in_role if _is_agent(n.kind)]
        if not bodies:
            place = next((n for n in in_role if n.kind in ("City", "Place") and re.search(
                r"(?i)\bmaire\b", text.analysed[role_start:n.start])), None)
            if place is None:
                continue  # a post in no body the text names (« ministre des Sports »): left to the curator
            bodies = [_authority(release, place, names, span, "office")]
        for body, extra in bodies:  # « président … du Cluster X et de Y »: a post in each
            post = slug(f"poste {person.form} {body}")
            out += [FactRow(release, post, "a", "mkg:Post", span, "office"),
                    FactRow(release, post, "rdfs:label", _fr(role), span, "office"),
                    FactRow(release, post, "mkg:holder", person.slug, span, "office"),
                    FactRow(release, post, "mkg:postIn", body, span, "office"), *extra]
    return out


def _agreements(release: str, text: ReleaseText, span: tuple[int, int], inside: list[Named],
                names: list[Named]) -> list[FactRow]:
    """The signer is the sentence's subject (the last body before the signing verb) and the other side the body
    after « avec »; else the first « X avec Y » after the verb (Y a place: the counterpart); else the sentence's
    first body, the other side not stated."""
    passage = text.analysed[span[0]:span[1]]
    signing = SIGNING.search(passage)
    if not signing:
        return []
    verb = span[0] + signing.start()
    bodies = [n for n in inside if _is_agent(n.kind)]
    subject = next((n for n in reversed(bodies) if n.end <= verb), None)
    if subject is not None:
        sides = [("mkg:party", subject)] + [("mkg:party", n) for n in bodies if n.start > verb and _after_with(text, n)]
    else:
        pair = next(((left, right) for left in bodies for right in inside if left.start > verb
                     and right.start > left.end and _after_with(text, right)
                     and re.fullmatch(r"\s*avec\s+(?:la |le |les |l'|l’)?(?:[a-zà-ÿ-]+\s+){0,5}",
                                      text.analysed[left.end:right.start])), None)
        if pair:
            left, right = pair
            sides = [("mkg:party", left), ("mkg:party" if _is_agent(right.kind) else "mkg:counterpart", right)]
        else:
            sides = [("mkg:party", bodies[0])] if bodies else []
    out = []
    for agreement in (n for n in inside if n.kind in AGREEMENT_KINDS and sides):
        out += [FactRow(release, agreement.slug, prop, n.slug, span, "agreement") for prop, n in sides]
        if len(sides) == 1:
            out.append(FactRow(release, agreement.slug, "mkg:counterpartNotStated", "true", span, "agreement",
                               note="the sentence names no other side"))
        place = next((n for n in inside if n.kind in CITY_KINDS and abs(n.start - verb) <= 80
                      and re.search(r"\bà\s+$", _before(text, span, n.start)[-4:])
                      and not BASED.search(_before(text, span, n.start)[-40:])), None)
        if place is not None:  # « à X » near the signing verb, not where a party is based
            out.append(FactRow(release, agreement.slug, "mkg:signingPlace", place.slug, span, "agreement"))
        during = next((n for n in inside if n.kind in ("Event", "SportsEvent", "Celebration", "Visit")
                       and DURING.search(_before(text, span, n.start)[-40:])), None)
        if during is not None:  # « en marge du Forum X », « lors de la visite »
            out.append(FactRow(release, agreement.slug, "mkg:signedDuring", during.slug, span, "agreement"))
        elif (occasion := THIS_OCCASION.match(text.analysed, span[0])) is not None:
            earlier = [n for n in names if n.end <= span[0] and n.kind in ("Event", "SportsEvent", "Visit")]
            if earlier:  # « À cette occasion, … la signature » : during what was named just before
                out.append(FactRow(release, agreement.slug, "mkg:signedDuring", earlier[-1].slug, span,
                                   "agreement" + CONTEXT, note=f"« {text.text[occasion.start():occasion.end()]} » est "
                                   f"lu comme « {earlier[-1].form} », nommé avant."))
        purpose = PURPOSE.match(text.text, agreement.end, span[1]) or PURPOSE_FIRST.match(text.text, span[0], span[1])
        if purpose is not None:  # « une lettre d'intention pour des échanges d'étudiants », as written
            out.append(FactRow(release, agreement.slug, "mkg:purpose", _fr(" ".join(purpose.group(1).split())), span,
                               "agreement"))
    return out


def _after_with(text: ReleaseText, n: Named) -> bool:
    """Whether « avec » introduces ``n`` (« avec la Fédération », « avec le groupe industriel chinois X »)."""
    return re.search(r"\bavec\s+(?:la |le |les |l'|l’)?(?:[a-zà-ÿ-]+\s+){0,4}$",
                     text.analysed[max(0, n.start - 50):n.start]) is not None


def _trips(release: str, text: ReleaseText, span: tuple[int, int], inside: list[Named],
           names: list[Named]) -> list[FactRow]:
    """A Visit's destinations, leaders and dates, from its sentence; a sentence opening « Cette mission … » gives
    them for the trip named just before — read from context, so marked as such."""
    visits = [(n, "trip", "") for n in inside if n.kind == "Visit"]
    anaphor = THIS_TRIP.match(text.analysed, span[0])
    earlier = [n for n in names if n.kind == "Visit" and n.end <= span[0]]
    if anaphor and earlier:
        pointing = Named(anaphor.start(), anaphor.end(), earlier[-1].slug, "Visit", earlier[-1].form)
        visits.insert(0, (pointing, "trip" + CONTEXT, f"« {text.text[anaphor.start():anaphor.end()]} » est lu comme "
                                                      f"le déplacement nommé avant, « {earlier[-1].form} »."))
    out = []
    for visit, rule, note in visits:
        out += [FactRow(release, visit.slug, "mkg:destination", n.slug, span, rule, note=note) for n in inside
                if n.kind in PLACE_KINDS and n.start > visit.end and TO.search(_before(text, span, n.start)[-5:])]
        lead = LEAD_PHRASE.search(text.analysed, visit.end, min(span[1], visit.end + 60))
        cursor = lead.end() if lead else None
        for person in (n for n in inside if lead and n.kind == "Person" and n.start >= lead.end()):
            if cursor is None or not LEADERS_GAP.fullmatch(text.analysed[cursor:person.start]):
                break
            out.append(FactRow(release, visit.slug, "mkg:ledBy", person.slug, span, rule, note=note))
            cursor = person.end
        out += [replace(f, rule=rule, note=note) for f in _date_range(release, text, span, visit.slug, "trip")]
    return out


def _events(release: str, text: ReleaseText, span: tuple[int, int], inside: list[Named],
            written: tuple[date, date] | None) -> list[FactRow]:
    out = []
    for event in (n for n in inside if n.kind in ("Event", "SportsEvent", "Celebration")):
        within = [n for n in inside if event.start <= n.start and n.end <= event.end and n.kind in PLACE_KINDS]
        out += [FactRow(release, event.slug, "mkg:eventLocation", n.slug, span, "event") for n in within]
        after = [n for n in inside if n.start >= event.end]
        place = next((n for n in after if n.kind in PLACE_KINDS and n.start - event.end < 40
                      and TO.search(text.analysed[event.end:n.start][-5:])), None)
        if place is not None:
            out.append(FactRow(release, event.slug, "mkg:eventLocation", place.slug, span, "event"))
        organiser = next((n for n in after if _is_agent(n.kind)
                          and ORGANISED_BY.search(text.analysed[event.end:n.start][-30:])), None)
        if organiser is not None:
            out.append(FactRow(release, event.slug, "mkg:organizer", organiser.slug, span, "event"))
        out += _event_dates(release, text, span, event.slug, written)
    return out


def _event_dates(release: str, text: ReleaseText, span: tuple[int, int], event: str,
                 written: tuple[date, date] | None) -> list[FactRow]:
    """« du 22 au 24 avril 2026 » (start and end), « le 12 mars 2025 » (the date), « le 14 juillet » (the day of the
    year only: the text gives no year, so the year is bounded by when the release was written — the curators'
    conclusion, never an exact date)."""
    if dates := _date_range(release, text, span, event, "event"):
        return dates
    if (day := DAY.search(text.analysed, span[0], span[1])) is None:
        return []
    number, month, year = day.groups()
    if year:
        return [FactRow(release, event, "mkg:date", _xsd_date(year, month, number), span, "event")]
    day_of_year = f'"--{MONTH_NUMBERS[month.lower()]:02d}-{int(number):02d}"^^xsd:gMonthDay'
    out = [FactRow(release, event, "mkg:dayOfYear", day_of_year, span, "event")]
    if written is not None:
        earliest, latest = written[0] - timedelta(days=365), written[1] + timedelta(days=365)
        reason = (f"Le communiqué, écrit entre le {written[0].isoformat()} et le {written[1].isoformat()}, donne le "
                  "jour sans l'année : l'année est bornée à un an de part et d'autre, conclusion de la curation.")
        out += [FactRow(release, event, prop, f'"{bound.isoformat()}"^^xsd:date', span, "event" + CONTEXT,
                        note=reason)
                for prop, bound in (("mkg:dateNotBefore", earliest), ("mkg:dateNotAfter", latest))]
        out.append(FactRow(release, event, "mkg:dateRangeReason", _fr(reason), span, "event"))
    return out


def _date_range(release: str, text: ReleaseText, span: tuple[int, int], subject: str, rule: str) -> list[FactRow]:
    """« du 14 au 18 février 2017 »: the start and end dates of ``subject``, when its sentence gives them."""
    dates = DATE_RANGE.search(text.analysed, span[0], span[1])
    if dates is None:
        return []
    first, first_month, last, month, year = dates.groups()
    return [FactRow(release, subject, "mkg:startDate", _xsd_date(year, first_month or month, first), span, rule),
            FactRow(release, subject, "mkg:endDate", _xsd_date(year, month, last), span, rule)]


def _xsd_date(year: str, month: str, day: str) -> str:
    return f'"{year}-{MONTH_NUMBERS[month.lower()]:02d}-{int(day):02d}"^^xsd:date'


def _places(release: str, text: ReleaseText, span: tuple[int, int], inside: list[Named],
            names: list[Named]) -> list[FactRow]:
    out = []
    for left, right in pairwise(inside):
        gap = text.analysed[left.end:right.start]
        # a country is only ever in a wider area (« l'Ambassadeur de France au Kazakhstan » locates nothing)
        container = ("GeographicArea",) if left.kind == "Country" else ("Country", "AdministrativeRegion",
                                                                          "GeographicArea", "Place")
        represented = DIPLOMATIC_BEFORE.search(text.analysed[max(0, left.start - 40):left.start])
        if left.kind in PLACE_KINDS and right.kind in container and IN_COUNTRY.match(gap) and left.slug != right.slug \
                and not represented:
            out.append(FactRow(release, left.slug, "mkg:locatedIn", right.slug, span, "place"))
        elif _is_agent(left.kind) and right.kind in PLACE_KINDS and re.match(r"^\s*,?\s*", gap) \
                and BASED.search(gap):
            out.append(FactRow(release, left.slug, "mkg:basedIn", right.slug, span, "place"))
    return out


def _figures(release: str, text: ReleaseText, span: tuple[int, int], inside: list[Named],
             names: list[Named]) -> list[FactRow]:
    out = []
    passage = text.analysed[span[0]:span[1]]
    planned = PLANNED.search(passage) is not None
    for figure in FIGURE.finditer(passage):
        qualifier, number, counted, scale, euros = figure.groups()
        value = float(re.sub(r"[  \u202f.]", "", number).replace(",", "."))
        at = span[0] + figure.start()
        if counted is not None:
            prop, unit = next((p, u) for pattern, p, u in COUNTED if re.fullmatch(pattern, counted, re.I))
            subject, pointer = _counted_subject(prop, at, span, text, inside, names)
            if subject is None:
                continue
            qualifiers = [QUALIFIERS[" ".join(qualifier.lower().split())]] if qualifier else []
            qualifiers += ["Planned"] if planned else []
            figure_row = FactRow(release, subject, prop, " ".join([f"quantity:{_number(value)}", unit, *qualifiers]),
                                 span, "figures")
            if pointer:
                figure_row = replace(figure_row, rule="figures" + CONTEXT,
                                     note=f"« {pointer} » est lu comme le dernier lieu de ce type nommé avant.")
            out.append(figure_row)
        elif scale or euros:
            amount = value * {"million": 1e6, "millions": 1e6, "milliard": 1e9, "milliards": 1e9}.get(
                (scale or "").lower(), 1)
            agreement = next((n for n in inside if n.kind in AGREEMENT_KINDS), None)
            if agreement is not None:
                out.append(FactRow(release, agreement.slug, "mkg:amount", f"amount:{_number(amount)} EUR", span,
                                   "figures"))
    return out


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _counted_subject(prop: str, at: int, span: tuple[int, int], text: ReleaseText, inside: list[Named],
                     names: list[Named]) -> tuple[str | None, str]:
    """What a figure counts on: in its sentence the last resort (a place, for inhabitants) before it; else the one
    a sentence opening « Cette ville … », « Ce site … » points back to — then also the pointing words, since the
    subject is taken from context."""
    if prop == "mkg:expectedJobs":
        return None, ""  # jobs are counted on a project or an agreement: left to the curator
    wanted = ("SkiResort",) if prop != "mkg:population" else tuple(PLACE_KINDS)
    before = [n for n in inside if n.end <= at and n.kind in wanted]
    if before:
        return before[-1].slug, ""
    pointer = THIS_PLACE.match(text.analysed, span[0])
    if pointer is None:
        return None, ""
    kinds = POINTED_KINDS[pointer.group(1).lower()]
    earlier = [n for n in names if n.end <= span[0] and n.kind in kinds]
    return (earlier[-1].slug, text.text[pointer.start():pointer.end()]) if earlier else (None, "")


def write_facts(path: Path, facts: list[FactRow]) -> None:
    write_table(path, COLUMNS, [fact.cells() for fact in facts])


def read_facts(path: Path) -> list[FactRow]:
    """The rows of a facts file; ReviewError with every malformed row (``file:line``) otherwise."""
    table, problems = read_table(path, COLUMNS)
    facts = []
    for number, values in table:
        where = f"{path}:{number}"
        try:
            spans = parse_spans(values["sentence"], where)
        except ReviewError as err:
            problems.append(str(err))
            continue
        if len(spans) != 1:
            problems.append(f"{where}: the sentence is one span (start,end)")
            continue
        facts.append(FactRow(values["release"], values["subject"].strip(), values["property"].strip(),
                             values["object"].strip(), spans[0], values["rule"], values["decision"].strip(),
                             values["note"], number))
    if problems:
        raise ReviewError("\n".join(problems))
    return facts
