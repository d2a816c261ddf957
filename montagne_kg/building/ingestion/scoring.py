"""How good the proposals are against a curated release: the measure of ``bench/ingest.py`` and the tests' floor.

Gold: the entities ``data/<id>.ttl`` gives a mention in the release, with their class — or, for a text written
to measure the rules (``tests/fixtures/ingestion/``), a gold table written with it (``written_gold``). A row matches
an entity strictly when one of its mentions is one of the entity's spans, leniently when one overlaps a span by at
least half of the longer of the two. Kinds are compared coarsely (person, place, organisation, event, agreement),
as a curator would retype. Trip rows are scored as names too (applied, they are entities with a mention); all cue
rows are also scored for coverage: they cover an agreement or event of the release when one sits in a sentence the
entity is derived from or mentioned in.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import PROV, RDF

from montagne_kg.building.ingestion.addition import Ontology
from montagne_kg.building.ingestion.review import Row
from montagne_kg.building.ingestion.text import ReleaseText
from montagne_kg.namespaces import ID, MKG

COARSE = ("Person", "Place", "Organisation", "Event", "Agreement")
SPAN_IRI = re.compile(r"release/(?P<id>[^#]+)#char=(?P<start>\d+),(?P<end>\d+)$")


@dataclass(frozen=True)
class GoldEntity:
    slug: str
    kind: str
    spans: tuple[tuple[int, int], ...]  # mentions in the release
    sources: tuple[tuple[int, int], ...]  # passages it is derived from in the release


@dataclass
class Score:
    rows: int = 0
    cue_rows: int = 0
    gold: int = 0
    strict_correct: int = 0
    lenient_correct: int = 0
    strict_found: int = 0
    lenient_found: int = 0
    typed: int = 0
    typed_right: int = 0
    links: int = 0
    links_right: int = 0
    wrong_links: int = 0  # rows linked to an existing entity that the gold does not name at that place
    cue_targets: int = 0
    cue_covered: int = 0
    edits: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("rejects", "merges", "retypes", "span fixes", "additions"), 0))
    missed: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)

    @property
    def strict_precision(self) -> float:
        return self.strict_correct / self.rows if self.rows else 0.0

    @property
    def strict_recall(self) -> float:
        return self.strict_found / self.gold if self.gold else 0.0

    @property
    def lenient_precision(self) -> float:
        return self.lenient_correct / self.rows if self.rows else 0.0

    @property
    def lenient_recall(self) -> float:
        return self.lenient_found / self.gold if self.gold else 0.0

    @property
    def type_accuracy(self) -> float:
        return self.typed_right / self.typed if self.typed else 0.0


def coarse(kind: str, ontology: Ontology) -> str:
    for name in COARSE:
        if kind == name or ontology.is_a(kind, name):
            return name
    return kind


def _spans(graph: Graph, subject: URIRef, predicate: URIRef, release: str) -> tuple[tuple[int, int], ...]:
    found = []
    for value in graph.objects(subject, predicate):
        match = SPAN_IRI.search(str(value))
        if match and match.group("id") == release:
            found.append((int(match.group("start")), int(match.group("end"))))
    return tuple(sorted(found))


def gold_entities(data_file: Path, release: str) -> list[GoldEntity]:
    """The curated entities of a release file: those with mentions, and every agreement and event."""
    graph = Graph().parse(data_file, format="turtle")
    entities = []
    for subject in sorted({s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef)
                           and str(s).startswith(str(ID))}):
        kinds = sorted(str(k)[len(str(MKG)):] for k in graph.objects(subject, RDF.type) if str(k).startswith(MKG))
        if kinds:
            entities.append(GoldEntity(str(subject)[len(str(ID)):], kinds[0],
                                       _spans(graph, subject, MKG.mention, release),
                                       _spans(graph, subject, PROV.wasDerivedFrom, release)))
    return entities


def written_gold(table: Path, text: str, ontology: Ontology) -> list[GoldEntity]:
    """The gold of a written test text: one tab-separated line per entity — its forms (`` | ``), its class, the slug
    of the existing entity it is (or nothing), the forms of other entities it may sit inside (`` | ``). Every
    word-bounded occurrence of a form is a mention, longest forms first and never inside another entity's mention
    unless the fourth column allows it; an agreement has no mention: the sentences of its forms are its sources."""
    entries = []
    for number, line in enumerate(table.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            cells = line.split("\t")
            if len(cells) != 4:
                raise ValueError(f"{table}:{number}: expected 4 tab-separated columns, found {len(cells)}")
            forms, kind, known, inside = cells
            entries.append((known or f"new:{forms.split(' | ')[0]}", kind, forms.split(" | "),
                            {f for f in inside.split(" | ") if f}))
    occurrences = sorted(((m.start(), m.end(), slug) for slug, _, forms, _ in entries for form in forms
                          for m in re.finditer(rf"(?<!\w){re.escape(form)}(?!\w)", text)),
                         key=lambda o: (o[0] - o[1], o[0]))
    inside_of = {slug: {(m.start(), m.end()) for form in inside for m in re.finditer(re.escape(form), text)}
                 for slug, _, _, inside in entries}
    kept: list[tuple[int, int, str]] = []
    for start, end, slug in occurrences:
        around = [(s, e, other) for s, e, other in kept if s < end and start < e]
        if all(s <= start and end <= e and (s, e) in inside_of[slug] and other != slug for s, e, other in around):
            kept.append((start, end, slug))
    analysed = ReleaseText(text)
    gold = []
    for slug, kind, _, _ in entries:
        spans = tuple(sorted((s, e) for s, e, other in kept if other == slug))
        if coarse(kind, ontology) == "Agreement":
            sources = tuple(sorted({(found.start, found.end) for s, _ in spans
                                    if (found := analysed.sentence_at(s)) is not None}))
            gold.append(GoldEntity(slug, kind, (), sources))
        else:
            gold.append(GoldEntity(slug, kind, spans, ()))
    return gold


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    shared = min(a[1], b[1]) - max(a[0], b[0])
    return shared / max(a[1] - a[0], b[1] - b[0]) if shared > 0 else 0.0


def _points_at(row: Row, entity: GoldEntity) -> bool:
    """Whether a cue row's sentence is one the entity is derived from (the curators' passage and our sentence
    overlapping by at least half the longer) or mentioned in."""
    start, end = row.sentences[0]
    return any(_overlap((start, end), source) >= 0.5 for source in entity.sources) \
        or any(start <= s < end for s, _ in entity.spans)


def score(rows: list[Row], gold: list[GoldEntity], ontology: Ontology) -> Score:
    result = Score()
    mentioned = [g for g in gold if g.spans]
    # a trip row becomes an entity with its mention, as any name does; an agreement row gets no mention
    cue_rows = [r for r in rows if r.why.startswith("cue:")]
    entity_rows = [r for r in rows if not r.why.startswith("cue:") or coarse(r.kind, ontology) != "Agreement"]
    result.rows, result.cue_rows, result.gold = len(entity_rows), len(cue_rows), len(mentioned)
    strict_hits: dict[str, list[Row]] = defaultdict(list)
    lenient_hits: dict[str, list[Row]] = defaultdict(list)
    for row in entity_rows:
        strict = [g for g in mentioned if set(row.mentions) & set(g.spans)]
        lenient = [g for g in mentioned if any(_overlap(m, s) >= 0.5 for m in row.mentions for s in g.spans)]
        for g in strict:
            strict_hits[g.slug].append(row)
        for g in lenient:
            lenient_hits[g.slug].append(row)
        result.strict_correct += bool(strict)
        result.lenient_correct += bool(lenient)
        if not lenient:
            result.wrong_links += row.iri.startswith(("http://", "https://"))
            result.edits["rejects"] += 1
            result.rejected.append(row.form)
            continue
        if not strict:
            result.edits["span fixes"] += 1
        matched = strict or lenient
        result.typed += 1
        if any(coarse(row.kind, ontology) == coarse(g.kind, ontology) for g in matched):
            result.typed_right += 1
        else:
            result.edits["retypes"] += 1
        if row.iri.startswith(("http://", "https://")):
            result.wrong_links += not any(row.iri.endswith(f"/id/{g.slug}") for g in strict)
            result.links += 1
            result.links_right += any(row.iri.endswith(f"/id/{g.slug}") for g in strict)
    result.strict_found = sum(1 for g in mentioned if g.slug in strict_hits)
    result.lenient_found = sum(1 for g in mentioned if g.slug in lenient_hits)
    for g in mentioned:
        rows_for = {id(r) for r in strict_hits.get(g.slug) or lenient_hits.get(g.slug, [])}
        result.edits["merges"] += max(0, len(rows_for) - 1)
    targets = [g for g in gold if coarse(g.kind, ontology) in ("Event", "Agreement")]
    covered = {g.slug for g in targets for row in cue_rows
               if coarse(row.kind, ontology) == coarse(g.kind, ontology) and _points_at(row, g)}
    # a cue row is no reject when it points at a sentence of an agreement or event the cues found
    useful_cues = {id(r) for r in cue_rows for g in targets if g.slug in covered and _points_at(r, g)}
    result.cue_targets, result.cue_covered = len(targets), len(covered)
    for g in mentioned:
        if g.slug not in lenient_hits and g.slug not in covered:
            result.edits["additions"] += 1
            result.missed.append(g.slug)
    result.edits["rejects"] += sum(1 for r in cue_rows if id(r) not in useful_cues)
    return result


# Fact families and the curated properties each is scored on (posts as holder/body pairs, figures by value); dates
# are scored with their subject: a visit's in the trip family, an event's in the event family, others not at all
FACT_FAMILIES = {
    "office": ("office",),
    "agreement": ("party", "counterpart", "counterpartNotStated", "signingPlace", "signedDuring"),
    "trip": ("destination", "ledBy"),
    "event": ("eventLocation", "organizer"),
    "place": ("locatedIn", "basedIn"),
    "figures": ("touristBeds", "skiLifts", "skiRuns", "securedTrailLength", "population", "expectedJobs", "amount",
                "employees", "attendance"),
}
FAMILY_OF = {prop: family for family, props in FACT_FAMILIES.items() for prop in props}
DATES = ("startDate", "endDate", "date", "dayOfYear")
DATED = {"Visit": "trip", "Event": "event"}  # the coarse kind of a dated subject → its family


@dataclass(frozen=True)
class Fact:
    """A fact as scored: its family, property, subject (slug) and object (slug, or a value)."""

    family: str
    property: str
    subject: str
    object: str


def fact(prop: str, subject: str, obj: str, kind: str | None, ontology: Ontology) -> Fact | None:
    """The scored form of a fact, or None when its property is not scored (a date of something other than a visit
    or an event)."""
    if prop in DATES:
        family = DATED.get("Visit" if kind == "Visit" else coarse(kind, ontology) if kind else "")
        return Fact(family, prop, subject, obj) if family else None
    return Fact(FAMILY_OF[prop], prop, subject, obj) if prop in FAMILY_OF else None


@dataclass
class FactScore:
    proposed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FACT_FAMILIES, 0))
    matched: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FACT_FAMILIES, 0))
    gold: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FACT_FAMILIES, 0))
    found: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FACT_FAMILIES, 0))
    missed: list[Fact] = field(default_factory=list)
    wrong: list[Fact] = field(default_factory=list)

    def precision(self, family: str | None = None) -> float:
        families = [family] if family else list(FACT_FAMILIES)
        proposed = sum(self.proposed[f] for f in families)
        return sum(self.matched[f] for f in families) / proposed if proposed else 0.0

    def recall(self, family: str | None = None) -> float:
        families = [family] if family else list(FACT_FAMILIES)
        gold = sum(self.gold[f] for f in families)
        return sum(self.found[f] for f in families) / gold if gold else 0.0


def _value(term: object) -> str:
    text = str(term)
    return text[len(str(ID)):] if text.startswith(str(ID)) else text


def gold_facts(data_file: Path, ontology: Ontology) -> set[Fact]:
    """The curated facts of a release file; a post as (office, holder, body), a figure as (property, subject, its
    value)."""
    graph = Graph().parse(data_file, format="turtle")
    facts = set()
    for post in graph.subjects(RDF.type, MKG.Post):
        for holder in graph.objects(post, MKG.holder):
            for body in graph.objects(post, MKG.postIn):
                facts.add(Fact("office", "office", _value(holder), _value(body)))
    for prop in (p for p in [*FAMILY_OF, *DATES] if p != "office"):
        for subject, obj in graph.subject_objects(MKG[prop]):
            if FAMILY_OF.get(prop) == "figures":
                obj = graph.value(obj, MKG.numericValue)
            kind = next((str(k).removeprefix(str(MKG)) for k in graph.objects(subject, RDF.type)), None)
            if scored := fact(prop, _value(subject), _value(obj) if obj is not None else "", kind, ontology):
                facts.add(scored)
    return facts


def release_written(releases: Path, release: str) -> tuple[date, date] | None:
    """When a curated release was written, as ``data/releases.ttl`` says (its date twice, or its range)."""
    graph = Graph().parse(releases, format="turtle")
    node = next(s for s in graph.subjects(RDF.type, MKG.PressRelease) if str(s).endswith(f"release/{release}"))
    if (day := graph.value(node, MKG.date)) is not None:
        return day.toPython(), day.toPython()
    first, last = graph.value(node, MKG.dateNotBefore), graph.value(node, MKG.dateNotAfter)
    return (first.toPython(), last.toPython()) if first is not None and last is not None else None


def written_gold_facts(table: Path, names: Path, ontology: Ontology) -> set[Fact]:
    """The facts gold of a written test text: one tab-separated line per fact — property, subject, object, each
    subject or object a form of the names gold (``names``) or a value."""
    slugs, kinds = {}, {}
    for line in names.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            forms, kind, known, _ = line.split("\t")
            for form in forms.split(" | "):
                slugs[form] = known or f"new:{forms.split(' | ')[0]}"
                kinds[slugs[form]] = kind
    facts = set()
    for number, line in enumerate(table.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            cells = line.split("\t")
            if len(cells) != 3 or cells[1] not in slugs:
                raise ValueError(f"{table}:{number}: expected property, a form of {names.name}, and an object")
            prop, subject, obj = cells
            scored = fact(prop, slugs[subject], slugs.get(obj, obj), kinds[slugs[subject]], ontology)
            if scored is None:
                raise ValueError(f"{table}:{number}: {prop} is not scored on a {kinds[slugs[subject]]}")
            facts.add(scored)
    return facts


def _proposed_facts(facts: list, rows: list[Row], ontology: Ontology) -> set[Fact]:
    kinds = {row.slug: row.kind for row in rows}
    posts: dict[str, dict[str, str]] = defaultdict(dict)
    out = set()
    for proposed in facts:
        prop = proposed.property.removeprefix("mkg:")
        if prop in ("holder", "postIn"):
            posts[proposed.subject][prop] = proposed.object
            continue
        value = proposed.object
        if value.startswith(("quantity:", "amount:")):
            value = value.split(":", 1)[1].split()[0]
        elif value.startswith('"'):
            value = value.split('"')[1]
        if scored := fact(prop, proposed.subject, value, kinds.get(proposed.subject), ontology):
            out.add(scored)
    return out | {Fact("office", "office", p["holder"], p["postIn"]) for p in posts.values()
                  if "holder" in p and "postIn" in p}


def score_facts(facts: list, rows: list[Row], gold: list[GoldEntity], curated: set[Fact],
                ontology: Ontology) -> FactScore:
    """Proposed facts against the curated ones: a fact matches when its property, subject and object do, its
    subject and object mapped to curated entities through the mentions of their rows (an agreement or trip row
    through its sentence), figures and dates by value."""
    mapping: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        slug_ = row.slug
        if row.why.startswith("cue:"):
            wanted = coarse(row.kind, ontology)
            mapping[slug_] |= {g.slug for g in gold if coarse(g.kind, ontology) == wanted and _points_at(row, g)}
        else:
            mapping[slug_] |= {g.slug for g in gold
                               if any(_overlap(m, s) >= 0.5 for m in row.mentions for s in g.spans)}
            if row.iri.startswith(("http://", "https://")):
                mapping[slug_].add(slug_)
    result = FactScore()
    matched_gold = set()
    for proposed in sorted(_proposed_facts(facts, rows, ontology), key=str):
        result.proposed[proposed.family] += 1
        hits = {Fact(proposed.family, proposed.property, s, o)
                for s in mapping.get(proposed.subject, set()) | {proposed.subject}
                for o in mapping.get(proposed.object, set()) | {proposed.object}} & curated
        result.matched[proposed.family] += bool(hits)
        if not hits:
            result.wrong.append(proposed)
        matched_gold |= hits
    for curated_fact in curated:
        result.gold[curated_fact.family] += 1
    for found in matched_gold:
        result.found[found.family] += 1
    result.missed = sorted(curated - matched_gold, key=str)
    return result
