"""Fact proposals: what a release's sentences state about the names proposed for it, in the ontology's terms.

Rules for the genre, over the names rows of the release (their mentions and kinds), never over our names:
- office: « Anne Roy, présidente de X » and « le directeur de X, M. Jean Vial » — a ``mkg:Post`` labelled with the
  role words as written (an office word, or a noun shaped like one: « intendante »), its ``mkg:holder`` and
  ``mkg:postIn`` the body; a place there means its authority: the release's « Ville de X » row, or a new
  Municipality (« adjointe au Maire de X ») or RegionalAuthority (« président de la région X ») with
  ``mkg:hasJurisdictionOver`` the place; a minister's ministry and an ambassador's embassy are bodies the title
  implies (the curators' reading);
- agreement: the signing sentence's subject (with the bodies coordinated before it) and the body after « avec »
  are its parties; no other side named: ``mkg:counterpartNotStated true``; « à X » its signing place, « en marge
  de X » what it was signed during, also from « La signature a eu lieu … » just after it;
- trip: a Visit's destinations (places after « à », « en », « au »), who leads it (« conduite par X ») and its
  dates (« du 14 au 18 février 2017 »);
- event: where (« à X » after it), who organises it (« organisé par X », « X et Y organiseront … », « Les deux
  partenaires … ») and its dates when they are its own; a date without its year takes the year ending the event's
  name, else stays a day of the year bounded by when the release was written;
- place: « X, au Kazakhstan » / « X (Kazakhstan) » (``mkg:locatedIn``), « X, basé à Y » (``mkg:basedIn``);
- figures: a number and what it counts (« 7 000 lits touristiques », « 110 millions d'euros », « emploie 140
  personnes », « 300 skieurs sont attendus », « une centaine d'emplois ») on the sentence's resort, place, body,
  event or agreement, « plus de » a lower bound, « à terme » or a future planned.

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
# a noun shaped like an office (« intendante », « gouverneur », « rectrice ») — never a word that says where someone
# comes from or what they are to a body (« originaire de », « étudiante de », « partenaire de »)
NOT_OFFICES = (r"originaire|ressortissante?|habitante?|résidente?|étudiante?|partenaire|cliente?|adhérente?|"
               r"participante?")
OFFICE_SHAPED = (rf"(?!(?:{NOT_OFFICES})s?\b)[a-zà-ÿ-]{{3,}}(?:eur|euse|rice|ante?|ente?|ier|ière|aire|iste|ienne?)"
                 r"(?=\s+(?:[a-zà-ÿ-]+\s+)?(?:de la |de l'|de l’|du |des |de |d'|d’))")
ROLE_AFTER = re.compile(rf"\s*,\s*\*?((?:l'|l’|le |la )?(?:(?:{ROLE_WORDS})\b|{OFFICE_SHAPED})[^,.;()\n*]*)", re.I)
MINISTER = re.compile(r"(?i)^(?:le |la )?ministre\s+((?:de la |de l'|de l’|du |des |de |d')[^,;()]+)$")
AMBASSADOR = re.compile(r"(?i)^(?:l'|l’)?ambassad(?:eur|rice)\s+(?:de la |de l'|de l’|du |des |de |d')")
# the word before a region's name that makes the role one in its council: « président de la région X »
AUTHORITY_HEAD = re.compile(r"(?i)\b(région|province|département)\s+(?:de la |de l'|de l’|du |des |de |d')?$")
ROLE_BEFORE = re.compile(rf"(?:^|[\s('’])((?:{ROLE_WORDS})\b[^,.;()\n]*?)\s*,\s*(?:M\.|Mme|Monsieur|Madame)?\s*$", re.I)
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
# a sentence opening on the signing itself (« La signature a eu lieu en marge du Forum X ») speaks of the agreement
# named just before
THIS_SIGNING = re.compile(r"(?i)(?:la|cette)\s+signature\b")
# between two coordinated subjects: « X (XS) et Y », « X, l'agence …, et la ville de Y »
COORDINATED = re.compile(r"\)?\s*(?:\([^()]{1,40}\)\s*)?(?:,[^,.;]{1,80},\s*)?,?\s*et\s+(?:la |le |les |l'|l’)?"
                         r"(?:[a-zà-ÿ-]+\s+(?:de la |de l'|de l’|du |des |de |d')?){0,2}$")
# « X organise Y », « X et Z organiseront ensemble Y » (the passive is ORGANISED_BY)
ORGANISES = re.compile(r"(?i)\b(?:co-?)?organis(?:e|ent|era|eront|ait|aient)\b|"
                       r"\b(?:a|ont|avait|avaient)\s+(?:co-?)?organisé\b")
# the signatories of the agreement named before, as a sentence's subject
THE_PARTNERS = re.compile(r"(?i)(?:les|ces)\s+(?:deux\s+|trois\s+)?(?:partenaires|signataires|parties)\b")
ORGANISED_BY = re.compile(r"\b(?:organisée?s?|coorganisée?s?)\s+par\s+(?:la |le |les |l'|l’)?$", re.I)
BASED = re.compile(r"\b(?:basée?s?|située?s?|implantée?s?|installée?s?|établie?s?|domiciliée?s?)\s+(?:à|en|au)\s+$",
                   re.I)
# « l'Ambassadeur de France au Kazakhstan »: the country a diplomat represents, not one inside the other
DIPLOMATIC_BEFORE = re.compile(r"(?i)\b(?:ambassad\w*|consul\w*|représentation|délégation|chambre de commerce)\s+"
                               r"(?:de la |de l'|du |des |de |d')$")
IN_COUNTRY = re.compile(r"^\s*(?:,\s*)?(?:au|en|aux)\s+$|^\s*\(\s*$")
DATE_RANGE = re.compile(rf"(?i)\bdu\s+(\d{{1,2}})(?:er)?(?:\s+({MONTHS}))?\s+au\s+(\d{{1,2}})(?:er)?\s+"
                        rf"({MONTHS})(?:\s+(\d{{4}}))?\b")
NAMED_YEAR = re.compile(r"\b((?:19|20)\d\d)$")  # « Coupe Jeunes Espoirs 2026 »: a year ending an event's name
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
    (r"salariés|collaborateurs|employés", "mkg:employees", "Employee"),
    # « emploie 140 personnes » counts employees, « 500 personnes sont attendues » an event's attendance
    (r"personnes", "mkg:employees", "Employee"),
    (r"visiteurs", "mkg:attendance", "Visitor"),
    (r"exposants", "mkg:exhibitors", "Exhibitor"),
    (r"(?:[a-zà-ÿ]+\s+)?(?:participants|skieurs|athlètes|coureurs|concurrents|sportifs|congressistes|stagiaires)",
     "mkg:attendance", "Participant"),
)
COUNTED_NOUNS = "|".join(pattern for pattern, _, _ in COUNTED)
# « une centaine d'emplois »: an order of magnitude
ROUND = {"dizaine": 10, "vingtaine": 20, "trentaine": 30, "quarantaine": 40, "cinquantaine": 50, "soixantaine": 60,
         "centaine": 100, "millier": 1000}
FIGURE = re.compile(rf"(?i)(?:(plus\s+de|au\s+moins|près\s+de|environ)\s+)?"
                    rf"(?:{NUMBER}|une\s+({'|'.join(ROUND)})\s+d[e'’]\s*)"
                    rf"\s*(?:({COUNTED_NOUNS})\b|(millions?|milliards?)\s+d['’]euros|(euros|€))")
EMPLOYS = re.compile(r"(?i)\bemplo(?:ie|ient|yait|yaient|iera|ieront)\s+$")
# a sentence opening on « Cette ville », « Ce site »… points back to the last place of that kind
THIS_PLACE = re.compile(r"(?i)(?:cette|ce)\s+(ville|station|site|région|province|pays|commune)\b")
POINTED_KINDS = {"ville": ("City",), "commune": ("City", "Locality"), "station": ("SkiResort",),
                 "site": ("SkiResort", "Locality"), "région": ("AdministrativeRegion",),
                 "province": ("AdministrativeRegion",), "pays": ("Country",)}
PLANNED = re.compile(r"(?i)\b(?:à terme|comprendra|comptera|prévoit|prévus?|devrait|devraient|créera|permettra|"
                     r"seront|sera|attendu(?:e|s|es)?)\b")
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
        for rule in (_offices, _agreements, _places, _figures):
            facts.extend(rule(release, text, span, inside, names))
        facts.extend(_trips(release, text, span, inside, names, written))
        facts.extend(_events(release, text, span, inside, names, written, facts))
    unique = {(f.subject, f.property, f.object): f for f in reversed(facts)}
    return sorted(unique.values(), key=lambda f: (f.sentence, f.subject, f.property, f.object))


def _before(text: ReleaseText, span: tuple[int, int], start: int) -> str:
    return text.analysed[span[0]:start]


def _authority(release: str, text: ReleaseText, place: Named, names: list[Named], span: tuple[int, int],
               role_start: int) -> tuple[str, list[FactRow]] | None:
    """The authority of a place a role names: the release's « Ville de X » (or « région X ») row; else, for a mayor
    (« adjointe au Maire de Chambéry ») a new Municipality over the place, for « président de la région X » a new
    RegionalAuthority labelled as written; else none (« directrice de l'office de tourisme de X »: which body of X,
    the text does not say)."""
    for n in names:
        if n.kind in ("Municipality", "RegionalAuthority") and n.form.lower().endswith(place.form.lower()) \
                and n.slug != place.slug:
            return n.slug, []
    head = AUTHORITY_HEAD.search(text.text[role_start:place.start])
    if re.search(r"(?i)\bmaire\b", text.analysed[role_start:place.start]):
        kind, label = "Municipality", f"Ville de {place.form}"
    elif head is not None:
        kind, label = "RegionalAuthority", f"{head.group(1)} {text.text[role_start + head.end():place.end]}"
    else:
        return None
    authority = slug(label)
    return authority, [
        FactRow(release, authority, "a", f"mkg:{kind}", span, "office"),
        FactRow(release, authority, "rdfs:label", _fr(label), span, "office"),
        FactRow(release, authority, "mkg:hasJurisdictionOver", place.slug, span, "office")]


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
        for body, extra in _office_bodies(release, text, span, (role_start, role_end), in_role, names):
            post = slug(f"poste {person.form} {body}")  # « président … du Cluster X et de Y »: a post in each
            out += [FactRow(release, post, "a", "mkg:Post", span, "office"),
                    FactRow(release, post, "rdfs:label", _fr(role), span, "office"),
                    FactRow(release, post, "mkg:holder", person.slug, span, "office"),
                    FactRow(release, post, "mkg:postIn", body, span, "office"), *extra]
    return out


def _office_bodies(release: str, text: ReleaseText, span: tuple[int, int], role: tuple[int, int],
                   in_role: list[Named], names: list[Named]) -> list[tuple[str, list[FactRow]]]:
    """The bodies a role is held in, each with the facts that declare it when it is new: a minister's ministry
    (« ministre des Sports » → « ministère chargé des Sports »), an ambassador's embassy (« Ambassadeur de France au
    Kazakhstan »), the bodies the role names, or the authority of the place it names (see ``_authority``)."""
    words = text.text[role[0]:role[1]]
    if minister := MINISTER.match(words):
        label = f"ministère chargé {' '.join(minister.group(1).split())}"
        reason = f"Le texte nomme le ministre, pas le ministère : « {' '.join(words.split())} »."
        return [(slug(label), _implied(release, slug(label), "Ministry", label, span, reason))]
    if AMBASSADOR.match(words) is not None:
        places = [n for n in in_role if n.kind in ("Country", "Place")]  # the sending country, then the host
        if len(places) < 2:
            return []
        label = f"ambassade de {text.text[places[0].start:places[1].end]}"
        node = slug(label)
        sending = [FactRow(release, node, "mkg:country", places[0].slug, span, "office")] \
            if places[0].kind == "Country" else []
        return [(node, [*_implied(release, node, "Embassy", label, span, "Le texte nomme l'ambassadeur, pas "
                                  f"l'ambassade : « {' '.join(words.split())} »."), *sending])]
    bodies = [(n.slug, []) for n in in_role if _is_agent(n.kind)]
    if bodies:
        return bodies
    place = next((n for n in in_role if n.kind in ("City", "Place", "Locality", "AdministrativeRegion")), None)
    if place is None:
        return []  # a post in no body the text names: left to the curator
    authority = _authority(release, text, place, names, span, role[0])
    return [authority] if authority is not None else []


def _implied(release: str, node: str, kind: str, label: str, span: tuple[int, int], reason: str) -> list[FactRow]:
    """A body the text does not name but a title implies: declared by the facts, its existence the curators'
    reading."""
    return [FactRow(release, node, "a", f"mkg:{kind}", span, "office" + CONTEXT, note=reason),
            FactRow(release, node, "rdfs:label", _fr(label), span, "office")]


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
    if subject is not None:  # « X et Y ont signé … » : both sign
        sides = [("mkg:party", n) for n in _coordinated(text, bodies, subject)]
        sides += [("mkg:party", n) for n in bodies if n.start > verb and _after_with(text, n)
                  and all(n.slug != other.slug for _, other in sides)]
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
    agreements = [n for n in inside if n.kind in AGREEMENT_KINDS and sides]
    earlier = [n for n in names if n.end <= span[0] and n.kind in AGREEMENT_KINDS]
    if not agreements and earlier and (pointer := THIS_SIGNING.match(text.analysed, span[0])) is not None:
        # « La signature a eu lieu … »: where and during what the agreement named before was signed
        return _signing_circumstances(release, text, span, inside, names, verb, earlier[-1], "agreement" + CONTEXT,
                                      f"« {text.text[pointer.start():pointer.end()]} » est lue comme celle de "
                                      f"« {earlier[-1].form} », nommé avant.")
    out = []
    for agreement in agreements:
        out += [FactRow(release, agreement.slug, prop, n.slug, span, "agreement") for prop, n in sides]
        if len(sides) == 1:
            out.append(FactRow(release, agreement.slug, "mkg:counterpartNotStated", "true", span, "agreement",
                               note="the sentence names no other side"))
        out += _signing_circumstances(release, text, span, inside, names, verb, agreement, "agreement", "")
        purpose = PURPOSE.match(text.text, agreement.end, span[1]) or PURPOSE_FIRST.match(text.text, span[0], span[1])
        if purpose is not None:  # « une lettre d'intention pour des échanges d'étudiants », as written
            out.append(FactRow(release, agreement.slug, "mkg:purpose", _fr(" ".join(purpose.group(1).split())), span,
                               "agreement"))
    return out


def _signing_circumstances(release: str, text: ReleaseText, span: tuple[int, int], inside: list[Named],
                           names: list[Named], verb: int, agreement: Named, rule: str, note: str) -> list[FactRow]:
    """Where an agreement was signed (« à X » near the signing word, not where a party is based) and during what
    (« en marge du Forum X », « lors de la visite »; « À cette occasion » for what was named just before)."""
    out = []
    place = next((n for n in inside if n.kind in CITY_KINDS and abs(n.start - verb) <= 80
                  and re.search(r"\bà\s+$", _before(text, span, n.start)[-4:])
                  and not BASED.search(_before(text, span, n.start)[-40:])), None)
    if place is not None:
        out.append(FactRow(release, agreement.slug, "mkg:signingPlace", place.slug, span, rule, note=note))
    during = next((n for n in inside if n.kind in ("Event", "SportsEvent", "Celebration", "Visit")
                   and DURING.search(_before(text, span, n.start)[-40:])), None)
    if during is not None:
        out.append(FactRow(release, agreement.slug, "mkg:signedDuring", during.slug, span, rule, note=note))
    elif (occasion := THIS_OCCASION.match(text.analysed, span[0])) is not None:
        earlier = [n for n in names if n.end <= span[0] and n.kind in ("Event", "SportsEvent", "Visit")]
        if earlier:
            out.append(FactRow(release, agreement.slug, "mkg:signedDuring", earlier[-1].slug, span,
                               "agreement" + CONTEXT, note=f"« {text.text[occasion.start():occasion.end()]} » est "
                               f"lu comme « {earlier[-1].form} », nommé avant."))
    return out


def _coordinated(text: ReleaseText, bodies: list[Named], last: Named) -> list[Named]:
    """``last`` and the bodies coordinated before it by « et » (« la Fédération X (FX) et Y, l'agence …, ont
    signé »), each once, in text order."""
    found = [last]
    current = last
    for n in reversed([b for b in bodies if b.end <= last.start]):
        if n.slug == current.slug:
            current = n  # « Fédération X (FX) »: the same body twice
            continue
        if not COORDINATED.fullmatch(text.analysed[n.end:current.start]):
            break
        found.insert(0, n)
        current = n
    return list({n.slug: n for n in found}.values())


def _after_with(text: ReleaseText, n: Named) -> bool:
    """Whether « avec » introduces ``n`` (« avec la Fédération », « avec le groupe industriel chinois X »)."""
    return re.search(r"\bavec\s+(?:la |le |les |l'|l’)?(?:[a-zà-ÿ-]+\s+){0,4}$",
                     text.analysed[max(0, n.start - 50):n.start]) is not None


def _trips(release: str, text: ReleaseText, span: tuple[int, int], inside: list[Named], names: list[Named],
           written: tuple[date, date] | None) -> list[FactRow]:
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
        dates = _date_range(release, text, span, visit, inside, "trip", written)
        out += [replace(f, rule=rule, note=note) for f in dates] if note else dates
    return out


def _events(release: str, text: ReleaseText, span: tuple[int, int], inside: list[Named], names: list[Named],
            written: tuple[date, date] | None, earlier_facts: list[FactRow]) -> list[FactRow]:
    """Where an event takes place (a place in its name, « à X » after it), who organises it (« organisé par X »,
    « X organise … », « Les deux partenaires organiseront … » for the parties of the agreement named before) and
    its dates."""
    out = []
    events = [n for n in inside if n.kind in ("Event", "SportsEvent", "Celebration")]
    verb = ORGANISES.search(text.analysed, span[0], span[1])
    for organiser, rule, note in _organisers(text, span, verb, inside, names, earlier_facts):
        out += [FactRow(release, event.slug, "mkg:organizer", organiser, span, rule, note=note)
                for event in events if verb is not None and event.start > verb.start()]
    for event in events:
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
        out += _event_dates(release, text, span, event, inside, written)
    return out


def _organisers(text: ReleaseText, span: tuple[int, int], verb: re.Match[str] | None, inside: list[Named],
                names: list[Named], earlier_facts: list[FactRow]) -> list[tuple[str, str, str]]:
    """Who organises what a sentence names after its active verb « organiser » (``verb``), with the rule and note:
    the subject's bodies, or the parties of the agreement named before when the subject is « Les (deux)
    partenaires »."""
    if verb is None:
        return []
    bodies = [n for n in inside if _is_agent(n.kind) and n.end <= verb.start()]
    if bodies and not re.search(r"[.;:]", text.analysed[bodies[-1].end:verb.start()]):
        return [(n.slug, "event", "") for n in _coordinated(text, bodies, bodies[-1])]
    partners = THE_PARTNERS.match(text.analysed, span[0])
    agreements = [n for n in names if n.end <= span[0] and n.kind in AGREEMENT_KINDS]
    if partners is None or not agreements:
        return []
    parties = [f.object for f in earlier_facts if f.subject == agreements[-1].slug and f.property == "mkg:party"]
    note = (f"« {text.text[partners.start():partners.end()]} » sont lus comme les parties de "
            f"« {agreements[-1].form} », nommé avant.")
    return [(party, "event" + CONTEXT, note) for party in dict.fromkeys(parties)]


def _event_dates(release: str, text: ReleaseText, span: tuple[int, int], event: Named, inside: list[Named],
                 written: tuple[date, date] | None) -> list[FactRow]:
    """« du 22 au 24 avril 2026 » (start and end), « le 12 mars 2025 » (the date); given without a year, the dates
    of an event whose name ends with one (« Coupe X 2026 ») are read in that year, else only days of the year."""
    if dates := _date_range(release, text, span, event, inside, "event", written):
        return dates
    day = DAY.search(text.analysed, span[0], span[1])
    if day is None or not _dates_event(day, event, inside):
        return []
    number, month, year = day.groups()
    if year:
        return [FactRow(release, event.slug, "mkg:date", _xsd_date(year, month, number), span, "event")]
    return _without_year(release, span, event, "event", written, (number, month))


def _dates_event(found: re.Match[str], subject: Named, inside: list[Named]) -> bool:
    """Whether a date of the sentence is the subject's: after it, or before it with no other name between
    (« Le 7 juillet 2014, le CIO retenait Almaty … pour les Jeux de 2022 » does not date the Games)."""
    return found.start() >= subject.end or not any(found.end() <= n.start and n.end <= subject.start for n in inside)


def _without_year(release: str, span: tuple[int, int], subject: Named, rule: str, written: tuple[date, date] | None,
                  first: tuple[str, str], last: tuple[str, str] | None = None) -> list[FactRow]:
    """Days (day, month) the text gives without their year. The year ending the subject's name is the curators'
    reading (« Coupe X 2026 » du 12 au 15 février: 2026); else the days of the year (``mkg:dayOfYear``, and
    ``mkg:lastDayOfYear`` for a range), the year bounded by when the release was written — never an exact date the
    text does not give."""
    if named_year := NAMED_YEAR.search(subject.form):
        note = f"L'année, que la phrase ne donne pas, est lue dans le nom « {subject.form} »."
        if last is None:
            return [FactRow(release, subject.slug, "mkg:date", _xsd_date(named_year.group(1), first[1], first[0]),
                            span, rule + CONTEXT, note=note)]
        return [FactRow(release, subject.slug, prop, _xsd_date(named_year.group(1), month, day), span,
                        rule + CONTEXT, note=note)
                for prop, (day, month) in (("mkg:startDate", first), ("mkg:endDate", last))]
    days = [("mkg:dayOfYear", first)] + ([("mkg:lastDayOfYear", last)] if last else [])
    out = [FactRow(release, subject.slug, prop, f'"--{MONTH_NUMBERS[month.lower()]:02d}-{int(day):02d}"^^xsd:gMonthDay',
                   span, rule) for prop, (day, month) in days]
    if written is not None:
        earliest, latest = written[0] - timedelta(days=365), written[1] + timedelta(days=365)
        reason = (f"Le communiqué, écrit entre le {written[0].isoformat()} et le {written[1].isoformat()}, donne le "
                  "jour sans l'année : l'année est bornée à un an de part et d'autre, conclusion de la curation.")
        out += [FactRow(release, subject.slug, prop, f'"{bound.isoformat()}"^^xsd:date', span, rule + CONTEXT,
                        note=reason)
                for prop, bound in (("mkg:dateNotBefore", earliest), ("mkg:dateNotAfter", latest))]
        out.append(FactRow(release, subject.slug, "mkg:dateRangeReason", _fr(reason), span, rule))
    return out


def _date_range(release: str, text: ReleaseText, span: tuple[int, int], subject: Named, inside: list[Named],
                rule: str, written: tuple[date, date] | None) -> list[FactRow]:
    """« du 14 au 18 février 2017 »: the start and end dates of ``subject``, when its sentence gives them (without
    the year: see ``_without_year``)."""
    dates = DATE_RANGE.search(text.analysed, span[0], span[1])
    if dates is None or not _dates_event(dates, subject, inside):
        return []
    first, first_month, last, month, year = dates.groups()
    if year is None:
        return _without_year(release, span, subject, rule, written, (first, first_month or month), (last, month))
    return [FactRow(release, subject.slug, "mkg:startDate", _xsd_date(year, first_month or month, first), span, rule),
            FactRow(release, subject.slug, "mkg:endDate", _xsd_date(year, month, last), span, rule)]


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
        qualifier, number, rounded, counted, scale, euros = figure.groups()
        value = float(re.sub(r"[  \u202f.]", "", number).replace(",", ".")) if number else ROUND[rounded.lower()]
        at = span[0] + figure.start()
        if counted is not None:
            prop, unit = next((p, u) for pattern, p, u in COUNTED if re.fullmatch(pattern, counted, re.I))
            if counted.lower() == "personnes" and not EMPLOYS.search(text.analysed[max(span[0], at - 30):at]):
                prop, unit = "mkg:attendance", "Participant"
            subject, note = _counted_subject(prop, at, span, text, inside, names)
            if subject is None:
                continue
            qualifiers = [QUALIFIERS[" ".join(qualifier.lower().split())]] if qualifier else []
            qualifiers += ["Approximate"] if rounded and "Approximate" not in qualifiers else []
            qualifiers += ["Planned"] if planned else []
            out.append(FactRow(release, subject, prop, " ".join([f"quantity:{_number(value)}", unit, *qualifiers]),
                               span, "figures" + (CONTEXT if note else ""), note=note))
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


COUNTED_ON = {"mkg:population": tuple(PLACE_KINDS), "mkg:attendance": ("Event", "SportsEvent", "Celebration"),
              "mkg:exhibitors": ("Event",), "mkg:expectedJobs": tuple(AGREEMENT_KINDS | {"JointVenture"})}


def _counted_subject(prop: str, at: int, span: tuple[int, int], text: ReleaseText, inside: list[Named],
                     names: list[Named]) -> tuple[str | None, str]:
    """What a figure counts on, and a note when that is read from context. In its sentence: the last resort (a
    place for inhabitants, an event for attendance and exhibitors, an agreement or joint venture for jobs, a body for
    employees) before it — for an event or agreement, also one after it. Else the one a sentence opening
    « Cette ville … », « Ce site … » points back to; an event's attendance or an agreement's jobs also from the
    sentence just before (« Plus de 300 skieurs sont attendus. », « Une centaine d'emplois seront créés. »)."""
    if prop == "mkg:employees":
        bodies = [n for n in inside if n.end <= at and _is_agent(n.kind)]
        return (bodies[-1].slug, "") if bodies else (None, "")
    wanted = COUNTED_ON.get(prop, ("SkiResort",))
    before = [n for n in inside if n.end <= at and n.kind in wanted]
    if before:
        return before[-1].slug, ""
    if prop in ("mkg:attendance", "mkg:exhibitors", "mkg:expectedJobs"):
        after = [n for n in inside if n.start > at and n.kind in wanted]
        if after:
            return after[0].slug, ""
        previous = next((s for s in reversed(text.sentences) if s.end <= span[0]), None)
        earlier = [n for n in names if previous is not None and previous.start <= n.start and n.end <= span[0]
                   and n.kind in wanted]
        return (earlier[-1].slug, f"Compté sur « {earlier[-1].form} », nommé dans la phrase d'avant.") if earlier \
            else (None, "")
    pointer = THIS_PLACE.match(text.analysed, span[0])
    if pointer is None:
        return None, ""
    kinds = POINTED_KINDS[pointer.group(1).lower()]
    earlier = [n for n in names if n.end <= span[0] and n.kind in kinds]
    if not earlier:
        return None, ""
    return earlier[-1].slug, (f"« {text.text[pointer.start():pointer.end()]} » est lu comme le dernier lieu de ce type "
                              "nommé avant.")


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
