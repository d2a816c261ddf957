"""The SERVICE guard finds every SERVICE endpoint, whatever the spelling, and nothing in strings or comments."""

from __future__ import annotations

import pytest

from montagne_kg.federation import FederationRefused, guard, service_iris

BASE = "http://localhost/sparql"
WD = "https://query.wikidata.org/sparql"


@pytest.mark.parametrize("query,expected", [
    (f"SELECT * WHERE {{ SERVICE <{WD}> {{ ?s ?p ?o }} }}", [WD]),
    (f"select * where {{ service silent <{WD}> {{ ?s ?p ?o }} }}", [WD]),
    ("PREFIX w: <https://query.wikidata.org/> SELECT * { SERVICE w:sparql { ?s ?p ?o } }", [WD]),
    ("BASE <https://query.wikidata.org/> SELECT * { SERVICE <sparql> { ?s ?p ?o } }", [WD]),
    ("SELECT * { SERVICE <other> { ?s ?p ?o } }", ["http://localhost/other"]),
    ("SELECT * { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(lang(?l) = 'fr') "
     f"SERVICE <{WD}> {{ ?s ?p ?o }} }}", [WD]),
    ("# SERVICE <http://evil.example/>\nSELECT ('SERVICE <http://evil.example/>' AS ?x) {}", []),
    ('SELECT ("""a\nSERVICE <http://evil.example/>""" AS ?x) {}', []),
    ("SELECT * { ?s <http://example.org/SERVICE> ?o . ?s ex:service ?x }", []),
    (f"SELECT * {{ SERVICE <{WD}> {{ SERVICE <http://b.example/> {{ ?s ?p ?o }} }} }}", [WD, "http://b.example/"]),
])
def test_service_iris(query: str, expected: list[str]) -> None:
    assert service_iris(query, BASE) == expected


@pytest.mark.parametrize("query,reason", [
    ("SELECT * { SERVICE ?endpoint { ?s ?p ?o } }", "variable"),
    ("SELECT * { SERVICE SILENT $e { ?s ?p ?o } }", "variable"),
    ("SELECT * { SERVICE nope:x { ?s ?p ?o } }", "unknown prefix"),
    ("SELECT * { SERVICE", "without an endpoint"),
])
def test_unresolvable_service_is_refused(query: str, reason: str) -> None:
    with pytest.raises(FederationRefused, match=reason):
        service_iris(query, BASE)


def test_guard_rewrites_only_allowed_iris() -> None:
    query = f"SELECT * {{ SERVICE <{WD}> {{ ?s ?p ?o }} }}"
    assert guard(query, BASE, [WD], {WD: "http://127.0.0.1:9999/sparql"}) == (
        "SELECT * { SERVICE <http://127.0.0.1:9999/sparql> { ?s ?p ?o } }")
    with pytest.raises(FederationRefused, match="not allowed"):
        guard("SELECT * { SERVICE <http://evil.example/> { ?s ?p ?o } }", BASE, [WD], {})
    with pytest.raises(FederationRefused, match="disabled"):
        guard(query, BASE, [], {})
    assert guard("SELECT * { ?s ?p ?o }", BASE, [], {}) == "SELECT * { ?s ?p ?o }"
