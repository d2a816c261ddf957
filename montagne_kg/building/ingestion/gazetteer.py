"""Known names from the current build: every label and altLabel of the entities a new release may name again.

Names are matched in the folded text (case, accents, apostrophes and hyphens folded) on word boundaries, longest
first. Only lasting things are known this way — places, agents and recurring sports events: an agreement, a visit
or a decision is a one-off, and a later release's « délégation » or « 14 juillet » is another one. Only names with a
capital letter are used: a lowercase description (« service communication ») says what something is, not which.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from montagne_kg.building.ingestion.text import ReleaseText, fold_key
from montagne_kg.layout import MANIFEST

MERGED_DUMP = "montagne-kg.nq"
BETWEEN_WORDS = r"(?:[ \t]+|[ \t]*\n[ \t]*)"  # a name may wrap onto the next line, never across a blank one
NAMES_QUERY = """PREFIX mkg: <https://w3id.org/montagne-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?entity ?class ?name ?release WHERE {
  GRAPH ?release { ?entity a ?class . { ?entity rdfs:label ?name } UNION { ?entity skos:altLabel ?name } }
  ?class rdfs:subClassOf* ?lasting .
  VALUES ?lasting { mkg:Place mkg:Agent mkg:SportsEvent }
}"""


@dataclass(frozen=True)
class KnownName:
    key: str  # fold_key of the name
    name: str
    iri: str
    kind: str  # ontology class IRI


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    known: KnownName


class Gazetteer:
    """Folded names → the entities they name (a name naming two entities is kept for both: the curator picks)."""

    def __init__(self, names: list[KnownName]) -> None:
        unique = {(n.key, n.iri, n.kind): n for n in sorted(names, key=lambda n: n.name, reverse=True)}
        self.names = sorted(unique.values(), key=lambda n: (-len(n.key), n.key, n.iri, n.kind))
        self._pattern = {n.key: re.compile(r"(?<!\w)" + BETWEEN_WORDS.join(map(re.escape, n.key.split())) + r"(?!\w)")
                         for n in self.names}

    @classmethod
    def from_build(cls, build: Path, only_release: str | None = None) -> Gazetteer:
        """The names of the build's lasting entities, as the releases state them (only ``only_release``, when
        given: the benchmark's leave-one-out)."""
        base = json.loads((build / MANIFEST).read_text(encoding="utf-8"))["base"]
        store = ox.Store()
        store.bulk_load(path=str(build / MERGED_DUMP), format=ox.RdfFormat.N_QUADS)
        releases, ids = f"{base}graph/release/", f"{base}id/"
        if only_release is not None:
            releases = f"{base}graph/release/{only_release}"
        names = set()
        for row in store.query(NAMES_QUERY, use_default_graph_as_union=True):
            entity, name, graph = row["entity"].value, row["name"].value, row["release"].value
            if graph.startswith(releases) and entity.startswith(ids) and any(c.isupper() for c in name):
                names.add(KnownName(fold_key(name), name, entity, row["class"].value))
        return cls(sorted(names, key=lambda n: (n.key, n.iri, n.kind, n.name)))

    def find(self, text: ReleaseText) -> list[Match]:
        """Every known name in ``text``, longest first, never overlapping; a name naming several entities gives
        one match per entity."""
        taken = bytearray(len(text.text))
        matches = []
        for known in self.names:
            for found in self._pattern[known.key].finditer(text.folded):
                start, end = found.span()
                if any(d.start < end and start < d.end for d in text.debris):
                    continue  # inside an e-mail address or another piece of debris
                if any(taken[start:end]) and not any(m.start == start and m.end == end for m in matches):
                    continue
                matches.append(Match(start, end, known))
                taken[start:end] = b"\x01" * (end - start)
        return sorted(matches, key=lambda m: (m.start, m.end, m.known.iri))


ENTITIES_QUERY = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?entity ?class ?label ?release WHERE {
  GRAPH ?release { ?entity a ?class . OPTIONAL { ?entity rdfs:label ?label . FILTER (LANG(?label) = "fr") } }
}"""


@dataclass(frozen=True)
class KnownEntity:
    slug: str
    kind: str  # local name of its class in the ontology
    label: str  # its French label


def known_entities(build: Path) -> dict[str, KnownEntity]:
    """Every entity the build's releases state, by slug (what ``same:`` and ``parties:`` may name)."""
    base = json.loads((build / MANIFEST).read_text(encoding="utf-8"))["base"]
    store = ox.Store()
    store.bulk_load(path=str(build / MERGED_DUMP), format=ox.RdfFormat.N_QUADS)
    ids, ontology = f"{base}id/", f"{base}ontology#"
    found: dict[str, KnownEntity] = {}
    rows = store.query(ENTITIES_QUERY, use_default_graph_as_union=True)
    for row in sorted(rows, key=lambda r: tuple(t.value if t is not None else "" for t in r)):
        entity, kind, graph = row["entity"].value, row["class"].value, row["release"].value
        if not graph.startswith(f"{base}graph/release/") or not entity.startswith(ids) or not kind.startswith(ontology):
            continue
        slug = entity[len(ids):]
        if slug not in found or (not found[slug].label and row["label"] is not None):
            found[slug] = KnownEntity(slug, kind[len(ontology):], row["label"].value if row["label"] else "")
    return found
