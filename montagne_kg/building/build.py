"""The build: ontology + curated data -> owlrl -> SHACL -> dumps and VoID/DCAT in a new build directory."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from montagne_kg import formats
from montagne_kg.building import description, reasoning, serialization, validation
from montagne_kg.building.project import Project
from montagne_kg.building.releases import read_release, span_from_fragment
from montagne_kg.building.skolem import skolemize
from montagne_kg.layout import (
    CURRENT,
    MANIFEST,
    SPAN_IRI,
    WIKIDATA_LINKS_CSV,
    dump_name,
    graph_file_name,
    in_use,
    published_engine,
)
from montagne_kg.namespaces import DEFAULT_BASE, MKG, WD, graph_iri, release_iri

META_PREDICATES = (MKG.mention, MKG.impliedBy)
RELEASE_ID = re.compile(r"[0-9]{3}")
KEEP_BUILDS = 3


WIKIDATA_LINKS = "wikidata.ttl"  # the links file every build reads (links are added by `montagne-kg link`)


class BuildError(Exception):
    """A build that must not be published; the message says which file and what is wrong."""


@dataclass
class Assembled:
    """All named graphs of a build, and which source file describes each subject."""

    base: str
    graphs: dict[URIRef, Graph]
    described_in: dict[Node, str] = field(default_factory=dict)
    description: Graph = field(default_factory=Graph)
    texts: dict[str, bytes] = field(default_factory=dict)
    queries: dict[str, str] = field(default_factory=dict)

    def union(self) -> Graph:
        g = Graph()
        for graph in self.graphs.values():
            for t in graph:
                g.add(t)
        return g


OXIGRAPH_POSITION = re.compile(r"^Parser error at line \d+ (?:between columns \d+ and \d+|column \d+): ")


def load_turtle(path: Path, root: Path) -> Graph:
    """Parse one Turtle file; a missing file or any error in it is a BuildError naming file and line.

    Oxigraph reads the bytes first, strictly (invalid UTF-8 and IRIs rdflib would accept are errors there, with
    their line and column); rdflib then builds the graph.
    """
    rel = path.relative_to(root) if path.is_relative_to(root) else path
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BuildError(f"{rel}: missing file") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line_start = data.rfind(b"\n", 0, err.start) + 1
        line = data.count(b"\n", 0, err.start) + 1
        column = len(data[line_start:err.start].decode("utf-8", "replace")) + 1
        raise BuildError(f"{rel}:{line}:{column}: not UTF-8 (byte 0x{data[err.start]:02x})") from None
    try:
        for _ in ox.parse(data, format=ox.RdfFormat.TURTLE):
            pass
    except SyntaxError as err:
        lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
        reason = OXIGRAPH_POSITION.sub("", str(err.msg))
        if err.lineno is None:
            raise BuildError(f"{rel}: Turtle syntax error: {reason}") from None
        if err.lineno > lines:
            raise BuildError(f"{rel}:{lines}: Turtle syntax error at the end of the file: {reason}") from None
        raise BuildError(f"{rel}:{err.lineno}:{err.offset}: Turtle syntax error: {reason}") from None
    try:
        return Graph().parse(data=text, format="turtle", publicID=path.resolve().as_uri())
    except BadSyntax as err:
        raise BuildError(f"{rel}:{err.lines + 1}: Turtle syntax error: {err._why}") from err


def rebase(graph: Graph, base: str) -> Graph:
    """``graph`` with every IRI under the default base moved under ``base``."""
    if base == DEFAULT_BASE:
        return graph

    def move(term: Node) -> Node:
        if isinstance(term, URIRef) and str(term).startswith(DEFAULT_BASE):
            return URIRef(base + str(term)[len(DEFAULT_BASE):])
        return term

    out = Graph()
    for s, p, o in graph:
        out.add((move(s), move(p), move(o)))
    return out


def span_triples(graphs: list[Graph], texts: dict[str, str], described_in: dict[Node, str]) -> Graph:
    """Descriptions (release, offsets, exact quote) of every text span any graph refers to."""
    spans = Graph()
    terms = {t for g in graphs for triple in g for t in (triple[0], triple[2]) if isinstance(t, URIRef)}
    for term in sorted(terms):
        match = SPAN_IRI.match(str(term))
        if not match:
            continue
        rid = match.group("id")
        if rid not in texts:
            raise BuildError(f"{described_in.get(term, 'data')}: {term} names release {rid}, which has no text")
        try:
            span = span_from_fragment(texts[rid], rid, match.group("fragment"))
        except ValueError as err:
            raise BuildError(f"{described_in.get(term, 'data')}: {term}: {err}") from err
        spans.add((term, RDF.type, MKG.TextSpan))
        spans.add((term, MKG.inRelease, URIRef(match.group("release"))))
        spans.add((term, MKG.beginIndex, Literal(span.begin, datatype=XSD.integer)))
        spans.add((term, MKG.endIndex, Literal(span.end, datatype=XSD.integer)))
        spans.add((term, MKG.exactQuote, Literal(span.quote)))
    return spans


def _note_subjects(graph: Graph, file: str, described_in: dict[Node, str]) -> None:
    for s in graph.subjects():
        described_in.setdefault(s, file)
    for o in graph.objects():
        described_in.setdefault(o, file)


def check_release_files(project: Project) -> None:
    """Every release has both its text and its curated triples; a file alone is an error, never a quiet skip."""
    texts = {p.stem for p in project.releases.glob("*.txt")}
    curated = {p.stem for p in project.data.glob("*.ttl") if RELEASE_ID.fullmatch(p.stem)}
    for rid in sorted(texts - curated):
        raise BuildError(f"data/{rid}.ttl: missing file: data/releases/{rid}.txt has no curated triples "
                         f"(add data/{rid}.ttl, or remove the text)")
    for rid in sorted(curated - texts):
        raise BuildError(f"data/releases/{rid}.txt: missing file: data/{rid}.ttl curates release {rid}, "
                         "whose text is not there")


def check_release_texts(meta: Graph, project: Project, texts: dict[str, str]) -> None:
    """Every release text is described in data/releases.ttl with its SHA-256, and every description has a text."""
    for iri in sorted(meta.subjects(MKG.sha256, None)):
        rid = str(iri).rsplit("/", 1)[-1]
        if rid not in texts:
            raise BuildError(f"data/releases.ttl: describes release {rid}, which has no data/releases/{rid}.txt")
    for rid in texts:
        iri = URIRef(release_iri(rid))
        recorded = meta.value(iri, MKG.sha256)
        if recorded is None:
            raise BuildError(f"data/releases.ttl: release {rid} is not described (no mkg:sha256 for <{iri}>)")
        actual = hashlib.sha256(project.releases.joinpath(f"{rid}.txt").read_bytes()).hexdigest()
        if str(recorded) != actual:
            raise BuildError(f"data/releases/{rid}.txt: SHA-256 {actual} differs from the {recorded} recorded in "
                             "data/releases.ttl: release texts are kept byte for byte")


def assemble(project: Project, base: str = DEFAULT_BASE) -> Assembled:
    """Parse, reason and validate every source; BuildError on any problem."""
    described_in: dict[Node, str] = {}
    root = project.root
    ontology = skolemize(load_turtle(project.ontology, root))  # the members list of owl:AllDisjointClasses
    _note_subjects(ontology, "ontology/montagne.ttl", described_in)
    meta = skolemize(load_turtle(project.data / "releases.ttl", root))
    _note_subjects(meta, "data/releases.ttl", described_in)

    check_release_files(project)
    texts = {rid: read_release(project.releases, rid) for rid in project.release_ids()}
    check_release_texts(meta, project, texts)

    releases: dict[str, Graph] = {}
    for rid in texts:
        file = f"data/{rid}.ttl"
        parsed = skolemize(load_turtle(project.data / f"{rid}.ttl", root))
        _note_subjects(parsed, file, described_in)
        stated = Graph()
        for t in parsed:
            (meta if t[1] in META_PREDICATES else stated).add(t)
        if not any(f"release/{rid}#char=" in str(span) for span in parsed.objects(None, MKG.mention)):
            raise BuildError(f"{file}: release {rid} is described in data/releases.ttl, but this file mentions no "
                             f"entity in it (no mkg:mention of a passage of release {rid}): empty or cut short?")
        releases[rid] = stated

    if not (project.links / WIKIDATA_LINKS).exists():
        raise BuildError(f"data/links/{WIKIDATA_LINKS}: missing file: the Wikidata links file must exist (with only "
                         "its header comment when there are no links)")
    links = Graph()
    for path in sorted(project.links.glob("*.ttl")):
        parsed = skolemize(load_turtle(path, root))
        _note_subjects(parsed, str(path.relative_to(root)), described_in)
        for t in parsed:
            links.add(t)

    for t in span_triples([*releases.values(), meta], texts, described_in):
        meta.add(t)

    # Curated metadata (releases, spans) is reasoned too, so generic clients find releases as foaf:Document;
    # the links graph and the VoID description never are (CHANGELOG 0.1.0).
    ontology_terms = set(ontology.subjects())
    try:
        inferred = reasoning.infer([ontology, meta, *releases.values()])
    except reasoning.Inconsistent as err:
        named = {URIRef(iri) for iri in re.findall(r"https?://\S+", str(err))}
        files = sorted({described_in[n] for n in named if n in described_in and n not in ontology_terms} or {"data"})
        raise BuildError(f"{', '.join(files)}: OWL 2 RL inconsistency: {err}") from err

    data = Graph()
    for g in (ontology, meta, inferred, *releases.values()):
        for t in g:
            data.add(t)
    violations = validation.validate(data, load_turtle(project.shapes, root))
    if violations:
        lines = [f"SHACL: {len(violations)} violation(s):"]
        for v in violations:
            focus_term = next((s for s in described_in if s.n3(validation.NM) == v.focus), None)
            where = described_in.get(focus_term, "generated") if focus_term is not None else "generated"
            lines.append(f"  {where}: {v.focus} path={v.path or '-'} {v.component}: {v.message}")
        raise BuildError("\n".join(lines))

    graphs = {URIRef(graph_iri("ontology")): ontology, URIRef(graph_iri("inferred")): inferred,
              URIRef(graph_iri("links")): links, URIRef(graph_iri("meta")): meta}
    for rid, g in releases.items():
        graphs[URIRef(graph_iri(f"release/{rid}"))] = g
    graphs = {URIRef(base + str(name)[len(DEFAULT_BASE):]): rebase(g, base) for name, g in graphs.items()}
    raw_texts = {rid: project.releases.joinpath(f"{rid}.txt").read_bytes() for rid in texts}
    queries = {p.stem: p.read_text(encoding="utf-8").replace(DEFAULT_BASE, base)
               for p in sorted(project.queries.glob("*.rq"))}
    assembled = Assembled(base, graphs, described_in, texts=raw_texts, queries=queries)
    add_description(assembled)
    return assembled


def add_description(assembled: Assembled) -> None:
    """Put the VoID/DCAT statistics into graph/meta; they count themselves, so iterate to a fixed point."""
    meta_name = URIRef(f"{assembled.base}graph/meta")
    without = assembled.graphs[meta_name]
    previous = Graph()
    for _ in range(10):
        assembled.graphs[meta_name] = without + previous
        current = skolemize(description.statistics(assembled.graphs, assembled.base), assembled.base)
        if set(current) == set(previous):
            assembled.description = current
            return
        previous = current
    raise BuildError("VoID statistics did not settle after 10 rounds")


def dump_files(assembled: Assembled) -> dict[str, bytes]:
    """Every file of a build's dumps, by relative path (deterministic bytes)."""
    merged = assembled.union()
    named = {name: list(g) for name, g in assembled.graphs.items()}
    files = {
        dump_name(formats.by_name("turtle")): serialization.turtle(merged),
        dump_name(formats.by_name("ntriples")): serialization.ntriples(merged),
        dump_name(formats.by_name("jsonld")): serialization.jsonld(merged),
        dump_name(formats.by_name("trig")): serialization.trig(named),
        dump_name(formats.by_name("nquads")): serialization.nquads(named),
    }
    for name in list(files):
        files[name + ".gz"] = serialization.gzipped(files[name])
    for name, g in assembled.graphs.items():
        files[f"graphs/{graph_file_name(name, assembled.base)}"] = serialization.turtle(g)
    for rid, text in assembled.texts.items():
        files[f"releases/{rid}.txt"] = text
    for stem, query in assembled.queries.items():
        files[f"queries/{stem}.rq"] = query.encode("utf-8")
    if URIRef(f"{assembled.base}graph/ontology") in assembled.graphs:
        files[WIKIDATA_LINKS_CSV] = wikidata_links_csv(assembled)
    return files


LINKABLE = ("Place", "Agent", "Event")


def wikidata_links_csv(assembled: Assembled) -> bytes:
    """One row per place, agent and event: IRI, French label, most specific class, Wikidata IRI or empty."""
    base = assembled.base
    ontology = assembled.graphs[URIRef(f"{base}graph/ontology")]
    union = assembled.union()
    linkable = {URIRef(f"{base}ontology#{name}") for name in LINKABLE}
    sub_classes = {c for c in ontology.subjects(RDF.type, OWL.Class)
                   if any(t in linkable for t in ontology.transitive_objects(c, RDFS.subClassOf))}
    rows = []
    for entity in sorted({s for c in sub_classes for s in union.subjects(RDF.type, c)}):
        if not str(entity).startswith(f"{base}id/"):
            continue
        asserted = {t for name, g in assembled.graphs.items() if "/graph/release/" in str(name)
                    for t in g.objects(entity, RDF.type)}
        specific = sorted(t for t in asserted if not any(
            o != t and t in set(ontology.transitive_objects(o, RDFS.subClassOf)) for o in asserted))
        label = next((str(x) for x in sorted(union.objects(entity, RDFS.label)) if x.language == "fr"), "")
        items = sorted(str(o) for o in union.objects(entity, OWL.sameAs) if str(o).startswith(str(WD)))
        rows.append([str(entity), label, " ".join(str(t).rsplit("#", 1)[1] for t in specific), " ".join(items)])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["entity", "label_fr", "class", "wikidata"])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def write_build(assembled: Assembled, out_dir: Path) -> Path:
    """Write the build into a new directory and switch ``out_dir/current`` to it atomically."""
    files = dump_files(assembled)
    sums = {name: (len(data), hashlib.sha256(data).hexdigest()) for name, data in files.items()
            if name.startswith("montagne-kg.")}
    files["void.ttl"] = serialization.turtle(
        assembled.description + skolemize(description.checksums(sums, assembled.base), assembled.base))
    manifest = {
        "base": assembled.base,
        "graphs": {str(name): len(g) for name, g in sorted(assembled.graphs.items())},
        "triples": sum(len(g) for g in assembled.graphs.values()),
        "merged_triples": len(assembled.union()),
        "files": {name: {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                  for name, data in sorted(files.items())},
    }
    manifest_bytes = (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode("utf-8")
    build_id = hashlib.sha256(manifest_bytes).hexdigest()[:16]

    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / build_id
    if not final.exists():
        tmp = Path(tempfile.mkdtemp(prefix=".incomplete-", dir=out_dir))
        try:
            for name, data in files.items():
                path = tmp / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            (tmp / MANIFEST).write_bytes(manifest_bytes)
            os.replace(tmp, final)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp)
    link = out_dir / f".{CURRENT}-{os.getpid()}"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(build_id)
    os.replace(link, out_dir / CURRENT)
    prune(out_dir, keep=final)
    return final


def prune(out_dir: Path, keep: Path) -> None:
    """Remove all but the newest few complete builds; never the current one, nor one a server still serves, nor one
    published to an engine (its store is in the build: `publish` and the servers retire it)."""
    builds = sorted((p for p in out_dir.iterdir() if p.is_dir() and not p.is_symlink() and (p / MANIFEST).exists()),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for old in builds[KEEP_BUILDS:]:
        if old != keep and not in_use(old) and published_engine(old) is None:
            shutil.rmtree(old)


def build(project: Project, out_dir: Path, base: str = DEFAULT_BASE) -> Path:
    """Build everything; on any error raise BuildError and leave the previous build untouched."""
    if not base.endswith(("/", "#")):
        raise BuildError(f"the base IRI must end with '/' or '#': {base}")
    return write_build(assemble(project, base), out_dir)
