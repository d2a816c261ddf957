"""Every example query in queries/ answers what its golden result says."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote, unquote_plus

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from montagne_kg.building import serialization
from montagne_kg.namespaces import MKG, WD, WIKIDATA_QUERY_SERVICE
from montagne_kg.serving import create_app
from montagne_kg.serving.federation import may_use_service
from montagne_kg.serving.settings import Settings
from tests.conftest import ROOT, sparql_stand_in
from tests.rdf_asserts import assert_isomorphic

QUERIES = sorted((ROOT / "queries").glob("*.rq"))
GOLDEN = ROOT / "tests" / "golden"
FIXTURES = ROOT / "tests" / "fixtures" / "wikidata"


def normalized_bindings(doc: dict) -> list[frozenset]:
    """SPARQL JSON bindings as comparable values (literal types spelled one way)."""
    rows = []
    for binding in doc["results"]["bindings"]:
        row = set()
        for var, term in binding.items():
            kind = "literal" if term["type"] == "typed-literal" else term["type"]
            row.add((var, kind, term["value"], term.get("xml:lang", ""), term.get("datatype", "")))
        rows.append(frozenset(row))
    return rows


def is_ordered(query: str) -> bool:
    return "ORDER BY" in query.upper()


def run(store: ox.Store, query: str):
    return store.query(query)


def sent_to_wikidata(stem: str, graph: Graph) -> list[URIRef]:
    """IRIs the remote pattern of a federated example must carry, so that it stays selective and complete."""
    linked_kinds = {"cities-from-wikidata": MKG.City, "organisations-from-wikidata": MKG.Organisation}
    if stem in linked_kinds:
        items = sorted(o for s in graph.subjects(RDF.type, linked_kinds[stem]) for o in graph.objects(s, OWL.sameAs)
                       if str(o).startswith(str(WD)))
        assert items, f"{stem} needs linked entities"
        return items
    return [WD.Q6256]


def federated_json(build_dir: Path, stem: str, query: str) -> tuple[bytes, list[dict]]:
    """A federated example run through the app, its Wikidata SERVICE sent to a loopback stand-in."""
    with sparql_stand_in() as remote:
        remote.body = (FIXTURES / f"{stem}.srj").read_bytes()
        app = create_app({"SETTINGS": Settings(build_dir=build_dir.parent,
                                               service_override={WIKIDATA_QUERY_SERVICE: remote.url})})
        try:
            response = app.test_client().get(f"/sparql?query={quote(query)}",
                                             headers={"Accept": "application/sparql-results+json"})
        finally:
            app.extensions["kg"].close()
        assert response.status_code == 200, response.data
        return response.data, remote.requests


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_query_matches_golden(path: Path, store: ox.Store, build_dir: Path, graph: Graph,
                              request: pytest.FixtureRequest) -> None:
    query = path.read_text(encoding="utf-8")
    update = request.config.getoption("--update-golden")
    if may_use_service(query):
        data, requests = federated_json(build_dir, path.stem, query)
        assert len(requests) == 1, "one call to the (stand-in) Wikidata Query Service"
        sent = unquote_plus(requests[0]["body"] + requests[0]["path"])
        for iri in sent_to_wikidata(path.stem, graph):
            assert f"<{iri}>" in sent, f"{iri} missing from the request sent to Wikidata"
        compare_select(path, query, data, update)
        return
    result = run(store, query)
    if isinstance(result, ox.QueryTriples):
        actual = Graph().parse(data=ox.serialize(result, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
        golden = GOLDEN / f"{path.stem}.ttl"
        if update:
            golden.write_bytes(serialization.turtle(actual))
        assert_isomorphic(Graph().parse(golden, format="turtle"), actual)
        return
    compare_select(path, query, result.serialize(format=ox.QueryResultsFormat.JSON), update)


def compare_select(path: Path, query: str, data: bytes, update: bool) -> None:
    """SELECT/ASK results against the golden .srj: a bag of bindings, or a list under ORDER BY."""
    golden = GOLDEN / f"{path.stem}.srj"
    if update:
        golden.write_text(json.dumps(json.loads(data), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    expected = json.loads(golden.read_text(encoding="utf-8"))
    actual = json.loads(data)
    if "boolean" in expected:
        assert actual["boolean"] == expected["boolean"]
        return
    assert actual["head"]["vars"] == expected["head"]["vars"]
    if is_ordered(query):
        assert normalized_bindings(actual) == normalized_bindings(expected)
    else:
        assert sorted(map(sorted, normalized_bindings(actual))) == sorted(map(sorted, normalized_bindings(expected)))
    assert normalized_bindings(actual), "an example query must return something"


def test_federated_examples_have_stand_in_answers() -> None:
    federated = [p for p in QUERIES if may_use_service(p.read_text(encoding="utf-8"))]
    assert len(federated) >= 2
    for path in federated:
        assert f"SERVICE <{WIKIDATA_QUERY_SERVICE}>" in path.read_text(encoding="utf-8")
        assert (FIXTURES / f"{path.stem}.srj").exists(), f"no stand-in answer for {path.name}"


def test_every_query_has_summary_and_golden() -> None:
    assert len(QUERIES) >= 12
    for path in QUERIES:
        first_line = path.read_text(encoding="utf-8").splitlines()[0]
        assert first_line.startswith("#+ summary: "), f"{path.name}: first line is not '#+ summary:'"
    stems = {p.stem for p in QUERIES}
    goldens = {p.stem for p in GOLDEN.glob("*.srj")} | {p.stem for p in GOLDEN.glob("*.ttl")}
    assert stems - goldens == set(), "queries without a golden result"
    assert goldens - stems == set(), "golden results without a query"


PAGE = re.compile(r"\bLIMIT\s+(\d+)\s*$")
PAGED = [p for p in QUERIES if PAGE.search(p.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("path", PAGED, ids=[p.stem for p in PAGED])
def test_a_paged_example_says_so_and_hides_no_row_of_our_graph(path: Path, store: ox.Store) -> None:
    """Listing examples are paged to stay fast on large graphs; on ours the first page must still be everything."""
    query = path.read_text(encoding="utf-8")
    size = int(PAGE.search(query).group(1))
    assert f"(first {size} rows; OFFSET {size} for the next page)" in query.splitlines()[0]
    assert len(list(store.query(query))) < size, f"{path.stem}: the first page no longer holds every row"
