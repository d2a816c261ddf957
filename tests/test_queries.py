"""Every example query in queries/ answers what its golden result says."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from montagne_kg import serialization
from tests.conftest import ROOT
from tests.rdf_asserts import assert_isomorphic

QUERIES = sorted((ROOT / "queries").glob("*.rq"))
GOLDEN = ROOT / "tests" / "golden"


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


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_query_matches_golden(path: Path, store: ox.Store, request: pytest.FixtureRequest) -> None:
    query = path.read_text(encoding="utf-8")
    result = run(store, query)
    update = request.config.getoption("--update-golden")
    if isinstance(result, ox.QueryTriples):
        actual = Graph().parse(data=ox.serialize(result, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
        golden = GOLDEN / f"{path.stem}.ttl"
        if update:
            golden.write_bytes(serialization.turtle(actual))
        assert_isomorphic(Graph().parse(golden, format="turtle"), actual)
        return
    golden = GOLDEN / f"{path.stem}.srj"
    data = result.serialize(format=ox.QueryResultsFormat.JSON)
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


def test_every_query_has_summary_and_golden() -> None:
    assert len(QUERIES) >= 12
    for path in QUERIES:
        first_line = path.read_text(encoding="utf-8").splitlines()[0]
        assert first_line.startswith("#+ summary: "), f"{path.name}: first line is not '#+ summary:'"
    stems = {p.stem for p in QUERIES}
    goldens = {p.stem for p in GOLDEN.glob("*.srj")} | {p.stem for p in GOLDEN.glob("*.ttl")}
    assert stems - goldens == set(), "queries without a golden result"
    assert goldens - stems == set(), "golden results without a query"
