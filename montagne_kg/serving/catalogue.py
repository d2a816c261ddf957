"""Read-only lookups for the human pages: entities, releases, labels, search; all through the query engine."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

from flask import current_app

from montagne_kg.serving.answers import QueryJob
from montagne_kg.serving.clients import run_for_page
from montagne_kg.serving.errors import refuse
from montagne_kg.serving.interface import interface_language
from montagne_kg.serving.knowledge_graph import KnowledgeGraph, get_kg

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RELEASE_ID = re.compile(r"^[0-9]{3}$")
PASSAGE = re.compile(r"char=(\d+),(\d+)")
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PAGE_ROW_CAP = 5000
# What a release states about the world: each asserted ontology-property triple of its graph about an entity (not
# its mention links), and the parts of the figures among them. ?graph, ?ontology, ?entities and ?genid are bound.
RELEASE_FACTS = """SELECT ?graph ?ontology ?entities ?subject ?property ?value WHERE {
  GRAPH ?graph { ?subject ?property ?value }
  FILTER (STRSTARTS(STR(?property), STR(?ontology)) && STRSTARTS(STR(?subject), STR(?entities))
          && !STRSTARTS(STR(?subject), CONCAT(STR(?entities), "release/"))
          && ?property NOT IN (IRI(CONCAT(STR(?ontology), "mention")), IRI(CONCAT(STR(?ontology), "impliedBy"))))
}"""
RELEASE_FIGURES = """SELECT ?graph ?genid ?figure ?property ?value WHERE {
  GRAPH ?graph { ?subject ?link ?figure . ?figure ?property ?value }
  FILTER (STRSTARTS(STR(?figure), STR(?genid)))
}"""
# An entity's Wikidata items (owl:sameAs) with their link records; ?entity and ?ontology are bound.
WIKIDATA_LINK = """PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?entity ?ontology ?item ?label ?record WHERE {
  ?entity owl:sameAs ?item FILTER (STRSTARTS(STR(?item), "http://www.wikidata.org/entity/"))
  OPTIONAL {
    ?record ?subjectProperty ?entity ; ?targetProperty ?item ; ?labelProperty ?label
    FILTER (?subjectProperty = IRI(CONCAT(STR(?ontology), "linkSubject"))
            && ?targetProperty = IRI(CONCAT(STR(?ontology), "linkTarget"))
            && ?labelProperty = IRI(CONCAT(STR(?ontology), "itemLabel")))
  }
}"""
# The releases with their title, publisher and date or date range; the ontology's terms (the base is the build's)
# are bound: ?pressRelease, ?dateProperty, ?notBeforeProperty, ?notAfterProperty.
RELEASES = """PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?pressRelease ?dateProperty ?notBeforeProperty ?notAfterProperty
       ?release ?title ?publisher ?date ?notBefore ?notAfter WHERE {
  ?release a ?pressRelease ; dcterms:title ?title .
  OPTIONAL { ?release dcterms:publisher ?publisher }
  OPTIONAL { ?release ?dateProperty ?date }
  OPTIONAL { ?release ?notBeforeProperty ?notBefore ; ?notAfterProperty ?notAfter }
}"""


def fold(text: str) -> str:
    """Lowercase without accents: 'Chambéry' and 'chambery' fold alike."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


@dataclass
class Term:
    """An RDF term as SPARQL JSON gives it."""

    kind: str
    value: str
    lang: str = ""
    datatype: str = ""

    @classmethod
    def of(cls, binding: dict) -> Term:
        return cls(binding["type"], binding["value"], binding.get("xml:lang", ""), binding.get("datatype", ""))

    @property
    def is_iri(self) -> bool:
        return self.kind == "uri"


@dataclass
class Value:
    """One value of a property on a page: a term, its label, nested facts (for figures), and whether inferred."""

    term: Term
    label: str = ""
    inferred: bool = True
    nested: dict[str, list[Value]] = field(default_factory=dict)
    concluded: str | None = None  # the curators' reason, when this fact is their conclusion rather than read


@dataclass
class Mention:
    release: str
    quote: str
    begin: int
    end: int
    kind: str
    sentence: str = ""


@dataclass
class Entity:
    iri: str
    slug: str
    labels: dict[str, list[str]]
    types: list[Value]
    facts: dict[str, list[Value]]
    incoming: dict[str, list[Value]]
    mentions: list[Mention]
    wikidata: list[tuple[str, str, str]]

    @property
    def label_lang(self) -> str:
        """The language of ``label``."""
        return next((lang for lang in ("fr", "en") if self.labels.get(lang)), "")

    @property
    def label(self) -> str:
        for lang in ("fr", "en", ""):
            if self.labels.get(lang):
                return self.labels[lang][0]
        return self.slug


@dataclass(frozen=True)
class Release:
    """A release as the home page lists it."""

    id: str
    title: str
    publisher: str | None
    publisher_label: str
    dated: str  # its date, or the range the curators dated it to


class Catalogue:
    """Lookups over one build; per-worker caches of immutable data (labels, sentences, search index)."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self.base = kg.base
        self.genid = f"{kg.base}.well-known/genid/"

    def _answer(self, query: str, fmt: str, bindings: dict[str, str]) -> bytes:
        """The body of a page query run through the query engine, ``bindings`` (variable → IRI) substituted, graphs
        written for people; a Refusal unless it is a 200."""
        job = QueryJob(query=query, format=fmt, max_rows=PAGE_ROW_CAP, bindings=tuple(bindings.items()),
                       readable=True)
        answer = run_for_page(self.kg.engine, job)
        if answer.status != 200:
            refuse(answer.status, answer.message, answer.headers)
        if any(name == "X-SPARQL-MaxRows" for name, _ in answer.headers):  # cut: never shown as if whole
            refuse(503, f"this page needs more than {PAGE_ROW_CAP} rows of one lookup (the pages' row cap), so it is "
                        "not shown incomplete; the same data is one SPARQL query away, at /sparql")
        return answer.body

    def select(self, query: str, **bindings: str) -> list[dict]:
        """The rows of a page query, in one order whatever the engine (pages never depend on an engine's order)."""
        rows = json.loads(self._answer(query, "json", bindings))["results"]["bindings"]
        return sorted(rows, key=lambda row: json.dumps(row, sort_keys=True, ensure_ascii=False))

    def construct(self, query: str, fmt: str, **bindings: str) -> bytes:
        return self._answer(query, fmt, bindings)

    def entity_iri(self, slug: str) -> str | None:
        return f"{self.base}id/{slug}" if SLUG.match(slug) else None

    def slug_of(self, iri: str) -> str | None:
        prefix = f"{self.base}id/"
        if iri.startswith(prefix) and SLUG.match(iri[len(prefix):]):
            return iri[len(prefix):]
        return None

    def page_path(self, iri: str) -> str | None:
        """Our server's page for an IRI of the build (a release passage: its place in the release), or None."""
        if (slug := self.slug_of(iri)) is not None:
            return f"/page/{slug}"
        release = f"{self.base}id/release/"
        if iri.startswith(release) and RELEASE_ID.match(iri[len(release):].split("#")[0]):
            rid, _, fragment = iri[len(release):].partition("#")
            if passage := PASSAGE.fullmatch(fragment):  # a passage: the release page with it marked
                return f"/page/release/{rid}?passage={passage.group(1)},{passage.group(2)}#passage"
            return f"/page/release/{rid}"
        if iri.startswith(f"{self.base}ontology"):
            return "/ontology" + (f"#{iri.split('#', 1)[1]}" if "#" in iri else "")
        if iri == f"{self.base}dataset" or iri.startswith(tuple(f"{self.base}{kind}/" for kind in
                                                                ("link", "graph", "dataset"))):
            return "/" + iri[len(self.base):]  # link records, named graphs, the dataset (resources.py)
        return None

    @cached_property
    def term_labels(self) -> dict[str, dict[str, str]]:
        """Labels of every labelled term (ontology terms and entities), by IRI and language."""
        labels: dict[str, dict[str, str]] = {}
        for row in self.select(f"SELECT ?t ?l WHERE {{ ?t <{RDFS_LABEL}> ?l FILTER(isIRI(?t)) }}"):
            labels.setdefault(row["t"]["value"], {}).setdefault(row["l"].get("xml:lang", ""), row["l"]["value"])
        return labels

    def label(self, iri: str, lang: str = "fr") -> str:
        found = self.term_labels.get(iri, {})
        for key in (lang, "fr", "en", ""):
            if key in found:
                return found[key]
        return ""

    @cached_property
    def sentences(self) -> dict[str, list[tuple[int, int, str, str]]]:
        """Cited passages by release id: (begin, end, quote, IRI), sorted."""
        rows = self.select(
            f"SELECT DISTINCT ?s ?r ?b ?e ?q WHERE {{ ?x <http://www.w3.org/ns/prov#wasDerivedFrom> ?s . "
            f"?s <{self.base}ontology#inRelease> ?r ; <{self.base}ontology#beginIndex> ?b ; "
            f"<{self.base}ontology#endIndex> ?e ; <{self.base}ontology#exactQuote> ?q }}")
        out: dict[str, list[tuple[int, int, str, str]]] = {}
        for row in rows:
            rid = row["r"]["value"].rsplit("/", 1)[1]
            out.setdefault(rid, []).append((int(row["b"]["value"]), int(row["e"]["value"]), row["q"]["value"],
                                            row["s"]["value"]))
        return {rid: sorted(set(spans)) for rid, spans in out.items()}

    @cached_property
    def quotes(self) -> dict[str, str]:
        """The exact words of every cited passage, by its IRI."""
        return {iri: quote for spans in self.sentences.values() for _, _, quote, iri in spans}

    @cached_property
    def entity_names(self) -> list[tuple[str, str, str]]:
        """(name, slug, class IRI) for every label and altLabel of every entity, sorted (the class as a release
        states it; "" when none does)."""
        rows = self.select(
            f"SELECT ?e ?n ?c WHERE {{ {{ ?e <{RDFS_LABEL}> ?n }} UNION {{ ?e <{SKOS_ALT}> ?n }} "
            f"OPTIONAL {{ GRAPH ?g {{ ?e <{RDF_TYPE}> ?c }} FILTER(STRSTARTS(STR(?g), '{self.base}graph/release/')) }} "
            f"FILTER(STRSTARTS(STR(?e), '{self.base}id/')) }}")
        names = set()
        for row in rows:
            slug = self.slug_of(row["e"]["value"])
            if slug:
                names.add((row["n"]["value"], slug, row["c"]["value"] if "c" in row else ""))
        return sorted(names)

    @cached_property
    def releases(self) -> list[Release]:
        """Every release of the build with its title, publisher and date (or the range it was dated to)."""
        out = []
        mkg = f"{self.base}ontology#"
        for row in self.select(RELEASES, pressRelease=f"{mkg}PressRelease", dateProperty=f"{mkg}date",
                               notBeforeProperty=f"{mkg}dateNotBefore", notAfterProperty=f"{mkg}dateNotAfter"):
            publisher = row["publisher"]["value"] if "publisher" in row else None
            dated = row["date"]["value"] if "date" in row else (
                f"{row['notBefore']['value']} – {row['notAfter']['value']}" if "notBefore" in row else "")
            out.append(Release(row["release"]["value"].rsplit("/", 1)[1], row["title"]["value"],
                               publisher, self.label(publisher) if publisher else "", dated))
        return sorted(out, key=lambda release: release.id)

    def release_facts(self, rid: str) -> list[tuple[Value, list[tuple[str, Value]]]]:
        """Every fact release ``rid`` states about an entity, figures with their parts: (subject, [(property IRI,
        value), …]) sorted by subject label, then property and value."""
        graph = f"{self.base}graph/release/{rid}"
        parts: dict[str, dict[str, list[Value]]] = {}
        for row in self.select(RELEASE_FIGURES, graph=graph, genid=self.genid):
            parts.setdefault(row["figure"]["value"], {}).setdefault(row["property"]["value"], []).append(
                self._value(row["value"], False))
        facts = []
        for row in self.select(RELEASE_FACTS, graph=graph, ontology=f"{self.base}ontology#",
                               entities=f"{self.base}id/"):
            value = self._value(row["value"], False)
            value.nested = parts.get(value.term.value, {}) if value.term.is_iri else {}
            facts.append((self._value(row["subject"], False), row["property"]["value"], value))
        facts.sort(key=lambda f: (fold(f[0].label), f[0].term.value, f[1], f[2].label or f[2].term.value))
        grouped: dict[str, tuple[Value, list[tuple[str, Value]]]] = {}
        for subject, prop, value in facts:
            grouped.setdefault(subject.term.value, (subject, []))[1].append((prop, value))
        return list(grouped.values())

    def exists(self, iri: str) -> bool:
        return bool(self.select(f"SELECT ?p WHERE {{ <{iri}> ?p ?o }} LIMIT 1"))

    def deprecation(self, iri: str) -> tuple[bool, str | None]:
        """(deprecated?, replacement IRI) from owl:deprecated / dcterms:isReplacedBy."""
        rows = self.select(f"SELECT ?r WHERE {{ <{iri}> <http://www.w3.org/2002/07/owl#deprecated> true "
                           f"OPTIONAL {{ <{iri}> <http://purl.org/dc/terms/isReplacedBy> ?r }} }}")
        if not rows:
            return False, None
        return True, rows[0]["r"]["value"] if "r" in rows[0] else None

    def value_of(self, binding: dict) -> Value:
        """An asserted value of a SPARQL JSON binding, labelled as the pages show it."""
        return self._value(binding, False)

    def _value(self, binding: dict, inferred: bool) -> Value:
        """A value labelled for an English page: ontology terms in English, entities as the releases name them."""
        term = Term.of(binding)
        if not term.is_iri:
            return Value(term, "", inferred)
        lang = interface_language() if term.value.startswith(f"{self.base}ontology") else "fr"
        return Value(term, self.label(term.value, lang), inferred)

    def entity(self, slug: str) -> Entity | None:
        iri = self.entity_iri(slug)
        if iri is None:
            return None
        rows = self.select(f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }}")
        if not rows:
            return None
        labels: dict[str, list[str]] = {}
        facts: dict[str, dict[str, Value]] = {}
        types: dict[str, Value] = {}
        for row in rows:
            p, o, g = row["p"]["value"], row["o"], row["g"]["value"]
            inferred = g.endswith("graph/inferred")
            if p in (RDFS_LABEL, SKOS_ALT) and o["type"] == "literal":
                key = o.get("xml:lang", "") if p == RDFS_LABEL else "alt"
                if o["value"] not in labels.setdefault(key, []):
                    labels[key].append(o["value"])
                continue
            if p in (f"{self.base}ontology#mention", f"{self.base}ontology#impliedBy"):
                continue
            target = types if p == RDF_TYPE else facts.setdefault(p, {})
            key = o["value"] + o.get("xml:lang", "") + o.get("datatype", "")
            if key in target:
                target[key].inferred = target[key].inferred and inferred
            else:
                target[key] = self._value(o, inferred)
        asserted = {key for values in facts.values() for key, value in values.items() if not value.inferred}
        facts = {p: kept for p, values in facts.items()  # an inferred copy of an asserted value is shown once
                 if (kept := {k: v for k, v in values.items() if not (v.inferred and k in asserted)})}
        nested = self._nested(iri)
        concluded = self._conclusions(iri)
        for p, values in facts.items():
            for value in values.values():
                if value.term.is_iri and value.term.value.startswith(self.genid):
                    value.nested = nested.get(value.term.value, {})
                value.concluded = concluded.get((p, value.term.value))
        return Entity(iri, slug, labels, sorted(types.values(), key=lambda v: (v.inferred, v.label or v.term.value)),
                      {p: list(v.values()) for p, v in facts.items()}, self._incoming(iri), self._mentions(iri),
                      self._wikidata(iri))

    def _wikidata(self, iri: str) -> list[tuple[str, str, str, str | None]]:
        """(item IRI, QID, item label as the record saw it, the record's page) of each published link."""
        rows = self.select(WIKIDATA_LINK, entity=iri, ontology=f"{self.base}ontology#")
        return sorted({(r["item"]["value"], r["item"]["value"].rsplit("/", 1)[1],
                        r["label"]["value"] if "label" in r else "",
                        self.page_path(r["record"]["value"]) if "record" in r else None) for r in rows})

    def _conclusions(self, iri: str) -> dict[tuple[str, str], str]:
        """The curators' reason for each fact about ``iri`` they concluded (an rdf:Statement attributed to them)."""
        rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
        rows = self.select(f"SELECT ?p ?o ?why WHERE {{ ?st <{rdf}subject> <{iri}> ; <{rdf}predicate> ?p ; "
                           f"<{rdf}object> ?o ; <http://www.w3.org/ns/prov#wasAttributedTo> <{self.base}id/curation> "
                           f"OPTIONAL {{ ?st <http://www.w3.org/2000/01/rdf-schema#comment> ?why }} }}")
        return {(r["p"]["value"], r["o"]["value"]): r["why"]["value"] if "why" in r else "" for r in rows}

    def _nested(self, iri: str) -> dict[str, dict[str, list[Value]]]:
        rows = self.select(f"SELECT DISTINCT ?q ?p ?o WHERE {{ <{iri}> ?x ?q FILTER(STRSTARTS(STR(?q), "
                           f"'{self.genid}')) ?q ?p ?o }}")
        out: dict[str, dict[str, list[Value]]] = {}
        for row in rows:
            out.setdefault(row["q"]["value"], {}).setdefault(row["p"]["value"], []).append(self._value(row["o"], False))
        return out

    def _incoming(self, iri: str) -> dict[str, list[Value]]:
        rows = self.select(f"SELECT DISTINCT ?s ?p ?parent WHERE {{ GRAPH ?g {{ ?s ?p <{iri}> }} FILTER(isIRI(?s) "
                           f"&& ?g != <{self.base}graph/inferred>) "
                           f"OPTIONAL {{ ?parent ?pp ?s FILTER(STRSTARTS(STR(?s), '{self.genid}')) }} }}")
        out: dict[str, dict[str, Value]] = {}
        for row in rows:
            subject = row["parent"] if "parent" in row else row["s"]
            if subject["value"].startswith(self.genid) or row["p"]["value"] == RDF_TYPE:
                continue
            out.setdefault(row["p"]["value"], {})[subject["value"]] = self._value(subject, False)
        return {p: sorted(v.values(), key=lambda x: x.label or x.term.value) for p, v in out.items()}

    def _mentions(self, iri: str) -> list[Mention]:
        rows = self.select(
            f"SELECT ?r ?q ?b ?e ?k WHERE {{ {{ <{iri}> <{self.base}ontology#mention> ?s BIND('named' AS ?k) }} "
            f"UNION {{ <{iri}> <{self.base}ontology#impliedBy> ?s BIND('implied' AS ?k) }} "
            f"?s <{self.base}ontology#inRelease> ?r ; <{self.base}ontology#exactQuote> ?q ; "
            f"<{self.base}ontology#beginIndex> ?b ; <{self.base}ontology#endIndex> ?e }}")
        mentions = []
        for row in rows:
            rid = row["r"]["value"].rsplit("/", 1)[1]
            begin, end = int(row["b"]["value"]), int(row["e"]["value"])
            containing = [s for s in self.sentences.get(rid, []) if s[0] <= begin and end <= s[1]]
            sentence = min(containing, key=lambda s: s[1] - s[0])[2] if containing else ""
            mentions.append(Mention(rid, row["q"]["value"], begin, end, row["k"]["value"], sentence))
        return sorted(mentions, key=lambda m: (m.release, m.begin))


def get_catalogue() -> Catalogue:
    """The app's catalogue (one per worker: its caches hold the build's labels, sentences and search index)."""
    if "catalogue" not in current_app.extensions:
        current_app.extensions["catalogue"] = Catalogue(get_kg())
    return current_app.extensions["catalogue"]
