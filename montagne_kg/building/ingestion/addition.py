"""Applying a review: the checked plan of what a release adds, written to data/ together, built, or undone.

Every row is checked first (file:line messages, all of them at once) and nothing is written unless all pass. Then
data/releases/<id>.txt, its description in data/releases.ttl and data/<id>.ttl are written and the normal build
runs; if it fails (SHACL decides), what was written is removed and data/releases.ttl is restored byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS, XSD

from montagne_kg.building.build import build
from montagne_kg.building.ingestion.facts import FactRow, read_facts
from montagne_kg.building.ingestion.gazetteer import KnownEntity, known_entities
from montagne_kg.building.ingestion.proposals import slug
from montagne_kg.building.ingestion.review import SLUG, Decision, ReviewError, Row, parse_decision, read_review
from montagne_kg.building.ingestion.statements import PlannedStatements, plan_statements
from montagne_kg.building.ingestion.text import ReleaseText
from montagne_kg.building.project import Project
from montagne_kg.layout import current_build
from montagne_kg.namespaces import DEFAULT_BASE, MKG

# Classes whose instances carry facts: their shape asks for the sentence they come from.
FACT_BEARING = ("Event", "Post", "Decision", "CooperationAction", "Agreement")


@dataclass
class ReleaseMeta:
    """What a release's description needs beside its text (review/<id>.json, written by ``propose``)."""

    title: str = ""
    publisher: str = ""  # the slug of a known entity, or of the new organisation named below
    publisher_name: str = ""  # a new publisher, given by the curator (the text does not state it)
    publisher_url: str = ""
    date: str = ""
    date_not_before: str = ""
    date_not_after: str = ""
    date_range_reason: str = ""
    original_file_name: str = ""
    sha256: str = ""

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> ReleaseMeta:
        try:
            values = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ReviewError(f"{path}: missing (`montagne-kg ingest propose` writes it)") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ReviewError(f"{path}: not a JSON object: {err}") from None
        unknown = set(values) - set(cls.__dataclass_fields__)
        if not isinstance(values, dict) or unknown:
            raise ReviewError(f"{path}: unknown fields {sorted(unknown)}")
        return cls(**values)

    def problems(self, path: Path) -> list[str]:
        found = []
        if not self.title:
            found.append(f"{path}: the release has no title (\"title\")")
        if not self.publisher:
            found.append(f"{path}: the release has no publisher (\"publisher\": the slug of an entity; or "
                         "`--publisher-name` when proposing)")
        if not self.date and not (self.date_not_before and self.date_not_after and self.date_range_reason):
            found.append(f"{path}: the release has neither a date (\"date\") nor a date range "
                         "(\"date_not_before\", \"date_not_after\" and \"date_range_reason\")")
        return found


@dataclass
class PlannedEntity:
    """One entity of the release's data file: new, or known and named again."""

    slug: str
    kind: str
    label: str
    alt_labels: list[str] = field(default_factory=list)
    mentions: list[tuple[int, int]] = field(default_factory=list)
    sources: list[tuple[int, int]] = field(default_factory=list)
    parties: list[str] = field(default_factory=list)

    def name_again(self, quote: str) -> None:
        """Keep the invariant: every mention's quote is a label or an altLabel (case-insensitive)."""
        if quote.casefold() not in {n.casefold() for n in [self.label, *self.alt_labels]}:
            self.alt_labels.append(quote)


@dataclass(frozen=True)
class ReviewFiles:
    """review/<id>.txt (the release byte for byte), review/<id>.json (its metadata), review/<id>.tsv."""

    directory: Path
    release: str

    @property
    def text(self) -> Path:
        return self.directory / f"{self.release}.txt"

    @property
    def meta(self) -> Path:
        return self.directory / f"{self.release}.json"

    @property
    def table(self) -> Path:
        return self.directory / f"{self.release}.tsv"

    @property
    def facts(self) -> Path:
        return self.directory / f"{self.release}.facts.tsv"


@dataclass(frozen=True)
class Property:
    domain: str | None  # local name of an ontology class
    range: str | None  # local name of a class, or ``xsd:<type>``
    datatype: bool


class Ontology:
    """The ontology's classes by local name (with their ancestors), its properties with their domain and range,
    and its individuals (units, qualifiers, domains) with their class."""

    def __init__(self, path: Path) -> None:
        graph = Graph().parse(path, format="turtle")
        self.classes = {str(c)[len(str(MKG)):] for c in graph.subjects(RDF.type, OWL.Class) if str(c).startswith(MKG)}
        self._parents = {name: {str(p)[len(str(MKG)):] for p in graph.transitive_objects(MKG[name], RDFS.subClassOf)
                                if str(p).startswith(MKG)} for name in self.classes}
        self.properties: dict[str, Property] = {}
        for kind, datatype in ((OWL.ObjectProperty, False), (OWL.DatatypeProperty, True)):
            for prop in graph.subjects(RDF.type, kind):
                if str(prop).startswith(str(MKG)):  # a sub-property without its own domain or range has its parent's
                    lineage = list(graph.transitive_objects(prop, RDFS.subPropertyOf))
                    self.properties[str(prop)[len(str(MKG)):]] = Property(
                        next((_local(d) for p in lineage if (d := graph.value(p, RDFS.domain))), None),
                        next((_local(r) for p in lineage if (r := graph.value(p, RDFS.range))), None), datatype)
        self.individuals = {str(s)[len(str(MKG)):]: _local(o) for s, o in graph.subject_objects(RDF.type)
                            if str(s).startswith(str(MKG)) and str(o).startswith(str(MKG))
                            and str(s)[len(str(MKG)):] not in self.classes}

    def is_a(self, kind: str, ancestor: str) -> bool:
        return ancestor in self._parents.get(kind, ())

    def ancestors(self, kind: str) -> set[str]:
        return set(self._parents.get(kind, ()))


def _local(term: object) -> str | None:
    """A term's local name in the ontology, ``xsd:<type>`` for a datatype, None for anything else."""
    text = "" if term is None else str(term)
    if text.startswith(str(XSD)):
        return "xsd:" + text[len(str(XSD)):]
    return text[len(str(MKG)):] if text.startswith(str(MKG)) else None


def plan(files: ReviewFiles, text: str, rows: list[Row], known: dict[str, KnownEntity], ontology: Ontology,
         meta: ReleaseMeta, facts: list[FactRow] = ()) -> tuple[list[PlannedEntity], PlannedStatements]:
    """The entities the review adds, in first-mention order, and its accepted facts; ReviewError listing every
    problem of both files otherwise."""
    problems: list[str] = []
    decisions = []
    rejected: dict[str, str] = {}
    for row in rows:
        where = f"{files.table}:{row.line}"
        try:
            decision = parse_decision(row, where)
        except ReviewError as err:
            problems.append(str(err))
            continue
        if row.release != files.release:
            problems.append(f"{where}: the row is for release {row.release!r}, the file for {files.release!r}")
        if decision.reject:
            rejected[_target(row, decision)] = where
            continue
        if not row.mentions and not decision.spans:
            row = located(row, text)
            if not row.mentions:
                problems.append(f"{where}: « {row.form} » is not in the text: correct the form, or give its place "
                                "as span:<start>,<end> (montagne-kg locate)")
                continue
        for start, end in decision.spans or row.mentions:
            if end > len(text):
                problems.append(f"{where}: span {start},{end} is outside the text (it has {len(text)} characters)")
        kind = decision.kind or row.kind
        if kind not in ontology.classes:
            problems.append(f"{where}: {kind!r} is not a class of the ontology (e.g. City, Firm, Person, Visit)")
        decisions.append((row, decision, where))
    new_slugs = {}
    for row, decision, where in decisions:
        if decision.same is None and not row.iri.startswith(("http://", "https://")):
            if not SLUG.match(row.iri):
                problems.append(f"{where}: {row.iri!r} is not a slug (lowercase ASCII words joined by -)")
            elif row.iri in known:
                problems.append(f"{where}: {row.iri} is already an entity (« {known[row.iri].label} »): "
                                f"write same:{row.iri} to name it again, or change the slug in the iri column")
            else:
                new_slugs.setdefault(row.iri, where)
    entities: dict[str, PlannedEntity] = {}
    for row, decision, where in decisions:
        target = _target(row, decision)
        if target not in known and target not in new_slugs:
            problems.append(f"{where}: {('same:' + target) if decision.same else target} names no entity: neither "
                            "in the build nor a row accepted in this file")
            continue
        if target in known and (decision.kind or decision.rename):
            problems.append(f"{where}: {target} is a known entity: it keeps its class and label (they are stated "
                            "in the release files that name it); the form becomes another name of it")
        kind = known[target].kind if target in known else decision.kind or row.kind
        entity = entities.get(target)
        if entity is None:
            label = known[target].label if target in known else decision.rename or row.form
            entity = entities[target] = PlannedEntity(target, kind, label)
        elif decision.rename and target not in known:
            entity.label = decision.rename
        if ontology.is_a(entity.kind, "Agreement"):
            missing = [p for p in decision.parties if p not in known and p not in new_slugs]
            if missing:
                problems.append(f"{where}: parties:{','.join(missing)} names no entity")
            entity.parties.extend(p for p in decision.parties if p not in entity.parties)
            entity.sources.extend(s for s in row.sentences if s not in entity.sources)
            continue
        for start, end in decision.spans or row.mentions:
            entity.mentions.append((start, end))
            entity.name_again(text[start:end])
        if any(ontology.is_a(entity.kind, c) for c in FACT_BEARING) and target not in known:
            entity.sources.extend(s for s in row.sentences if s not in entity.sources)
    kinds = {slug_: entity.kind for slug_, entity in entities.items()}
    kinds.update({slug_: k.kind for slug_, k in known.items() if slug_ not in kinds})
    statements, sides, fact_problems = plan_statements(facts, kinds, {s: w for s, w in rejected.items()
                                                                       if s not in kinds}, files.release,
                                                       ontology, files.facts)
    problems.extend(fact_problems)
    for entity in entities.values():
        named = [(prop, obj.removeprefix(":")) for prop, obj in sides.get(entity.slug, [])]
        entity.parties[:] = list(dict.fromkeys([*entity.parties, *(obj for prop, obj in named if prop == "mkg:party")]))
        counterparts = sum(prop == "mkg:counterpart" for prop, _ in named)
        two_sided = len(entity.parties) + counterparts >= 2 \
            or (entity.parties and any(prop == "mkg:counterpartNotStated" for prop, _ in named))
        if ontology.is_a(entity.kind, "Agreement") and not two_sided:
            problems.append(f"{files.table}: the agreement {entity.slug} needs two parties: write "
                            "parties:<slug>,<slug> in its decision, or accept its mkg:party facts")
    if meta.publisher and not meta.publisher_name and meta.publisher not in known and meta.publisher not in entities:
        problems.append(f"{files.meta}: the publisher {meta.publisher!r} names no entity")
    if meta.publisher_name and (meta.publisher in known or meta.publisher in entities):
        problems.append(f"{files.meta}: the new publisher « {meta.publisher_name} » would be {meta.publisher}, "
                        "which is already an entity: name it as the publisher instead (\"publisher\" alone)")
    problems.extend(meta.problems(files.meta))
    if problems:
        raise ReviewError("\n".join(problems))
    for entity in entities.values():
        entity.mentions.sort()
        entity.sources.sort()
    return sorted(entities.values(), key=lambda e: (e.mentions[:1] or e.sources[:1], e.slug)), statements


def located(row: Row, text: str) -> Row:
    """A row added by hand without offsets: every occurrence of its form as written (whole words, any apostrophe,
    any spacing) is a mention, with its sentence; its slug, when none is given, is made from the form."""
    words = [re.escape(w).replace("'", "['’]") for w in row.form.replace("’", "'").split()]
    pattern = re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)")
    mentions = tuple(m.span() for m in pattern.finditer(text)) if words else ()
    analysed = ReleaseText(text)
    sentences = tuple(sorted({(s.start, s.end) for start, _ in mentions if (s := analysed.sentence_at(start))}))
    return replace(row, mentions=mentions, sentences=row.sentences or sentences, iri=row.iri or slug(row.form))


def _target(row: Row, decision: Decision) -> str:
    value = decision.same if decision.same is not None else row.iri
    for prefix in (f"{DEFAULT_BASE}id/", "id/", ":"):
        if value.startswith(prefix):
            return value[len(prefix):]
    return value.rsplit("/id/", 1)[-1] if value.startswith(("http://", "https://")) else value


def _templates() -> Environment:
    env = Environment(loader=PackageLoader("montagne_kg.building.ingestion"), undefined=StrictUndefined,
                      keep_trailing_newline=True, autoescape=False)
    env.filters["literal"] = lambda value, lang="fr": Literal(value, lang=lang).n3()
    env.filters["prefixed"] = lambda slug: f":{slug}"
    env.filters["span"] = lambda span, release: f"<release/{release}#char={span[0]},{span[1]}>"
    return env


def render(release: str, entities: list[PlannedEntity], meta: ReleaseMeta, text_length: int,
           statements: PlannedStatements | None = None) -> tuple[str, str]:
    """The release's data file (with its facts, and a new publisher implied by the whole text and attributed to the
    curation) and its description block for data/releases.ttl."""
    env = _templates()
    statements = statements or PlannedStatements()
    return (env.get_template("release.ttl").render(release=release, entities=entities, meta=meta,
                                                   whole_text=(0, text_length), statements=statements.by_subject(),
                                                   implied=statements.implied, figures=statements.figures,
                                                   concluded=statements.concluded),
            env.get_template("description.ttl").render(release=release, meta=meta))


def apply_review(project: Project, table: Path, out_dir: Path) -> Path:
    """Check ``table``, write the release into ``project``'s data, build; undo the writing if the build fails."""
    release = table.stem
    files = ReviewFiles(table.parent, release)
    if not table.exists():
        raise ReviewError(f"{table}: missing")
    if taken := project.taken_release_id(release):
        raise ReviewError(f"{table}: release {taken} is already in {project.data} (ids are never reused; they are "
                          "compared as numbers too)")
    rows = read_review(table)
    try:
        data = files.text.read_bytes()
    except FileNotFoundError:
        raise ReviewError(f"{files.text}: missing (`montagne-kg ingest propose` writes the release text)") from None
    meta = ReleaseMeta.load(files.meta)
    if hashlib.sha256(data).hexdigest() != meta.sha256:
        raise ReviewError(f"{files.text}: changed since it was proposed (its SHA-256 differs from {files.meta}'s)")
    current = current_build(out_dir)
    if current is None:
        raise ReviewError(f"no build in {out_dir}: run `montagne-kg build` first (known entities come from it)")
    facts = read_facts(files.facts) if files.facts.exists() else []
    text = data.decode("utf-8")
    entities, statements = plan(files, text, rows, known_entities(current), Ontology(project.ontology), meta, facts)
    turtle, description = render(release, entities, meta, len(text), statements)
    releases_ttl = project.data / "releases.ttl"
    before = releases_ttl.read_bytes()
    written = [project.releases / f"{release}.txt", project.data / f"{release}.ttl"]
    built = None
    try:
        shutil.copyfile(files.text, written[0])
        written[1].write_text(turtle, encoding="utf-8")
        releases_ttl.write_bytes(before + description.encode("utf-8"))
        built = build(project, out_dir)
    finally:
        if built is None:  # the build failed (or was interrupted): data/ is left as it was
            for path in written:
                path.unlink(missing_ok=True)
            releases_ttl.write_bytes(before)
    return built

