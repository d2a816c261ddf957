"""Our SPARQL results writers (needed for the row cap) agree with pyoxigraph's own serializers."""

from __future__ import annotations

import io
import json

import pyoxigraph as ox
import pytest
from rdflib.query import Result

from montagne_kg.serving import results

TRICKY = ['plain', 'with "quotes" and \\ backslash', "line\nbreak\ttab", "accents éèà « »", "emoji 🏔", ""]
QUERY = "SELECT ?s ?p ?o ?missing WHERE { ?s ?p ?o OPTIONAL { ?s <http://example.org/none> ?missing } }"


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s = ox.Store()
    subject = ox.NamedNode("http://example.org/s")
    for i, text in enumerate(TRICKY):
        s.add(ox.Quad(subject, ox.NamedNode(f"http://example.org/plain{i}"), ox.Literal(text)))
        s.add(ox.Quad(subject, ox.NamedNode(f"http://example.org/lang{i}"), ox.Literal(text, language="fr")))
    s.add(ox.Quad(subject, ox.NamedNode("http://example.org/n"),
                  ox.Literal("42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))))
    s.add(ox.Quad(ox.BlankNode("b1"), ox.NamedNode("http://example.org/iri"), ox.NamedNode("http://example.org/é?x=1&y")))
    return s


def ours(store: ox.Store, fmt: str) -> bytes:
    solutions = store.query(QUERY)
    variables = [v.value for v in solutions.variables]
    return results.solutions(variables, [tuple(s) for s in solutions], fmt)


def native(store: ox.Store, fmt: ox.QueryResultsFormat) -> bytes:
    return store.query(QUERY).serialize(format=fmt)


def canonical(doc: dict) -> list:
    return sorted(json.dumps(b, sort_keys=True, ensure_ascii=False) for b in doc["results"]["bindings"])


def test_json_matches_pyoxigraph(store: ox.Store) -> None:
    mine, theirs = json.loads(ours(store, "json")), json.loads(native(store, ox.QueryResultsFormat.JSON))
    assert mine["head"] == theirs["head"]
    assert canonical(mine) == canonical(theirs)
    assert len(mine["results"]["bindings"]) == 2 * len(TRICKY) + 2


@pytest.mark.parametrize("fmt,parser,native_format", [("xml", "xml", ox.QueryResultsFormat.XML),
                                                       ("csv", "csv", ox.QueryResultsFormat.CSV),
                                                       ("tsv", "tsv", ox.QueryResultsFormat.TSV)])
def test_other_formats_parse_to_the_same_bindings(store: ox.Store, fmt: str, parser: str,
                                                  native_format: ox.QueryResultsFormat) -> None:
    def bag(data: bytes) -> list:
        return sorted(sorted((str(k), str(v)) for k, v in row.asdict().items())
                      for row in Result.parse(io.BytesIO(data), format=parser))
    assert bag(ours(store, fmt)) == bag(native(store, native_format))


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_booleans(fmt: str) -> None:
    body = results.boolean(True, fmt)
    if fmt in ("json", "xml"):
        assert Result.parse(io.BytesIO(body), format=fmt).askAnswer is True
    else:
        assert body.decode().split()[-1] == "true"
