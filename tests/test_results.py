"""Our SPARQL results writers (needed for the row cap) agree with pyoxigraph's own serializers."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest
from rdflib.query import Result

from montagne_kg.serving import results
from montagne_kg.serving.answers import Answer, QueryJob, execute

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


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_booleans(fmt: str) -> None:
    body = results.boolean(True, fmt)
    assert Result.parse(io.BytesIO(body), format=fmt).askAnswer is True


# --- the row and byte caps of `answers.execute`, which keeps pyoxigraph's body when it is within both ---------------

FORMATS = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
           "csv": "text/csv", "tsv": "text/tab-separated-values"}
LONG = "x" * 50  # rows long enough that a capped body is long enough to be counted


def numbered(n: int) -> ox.Store:
    s = ox.Store()
    for i in range(n):
        s.add(ox.Quad(ox.NamedNode(f"http://example.org/{i:04d}"), ox.NamedNode("http://example.org/p"),
                      ox.Literal(f"{LONG} {i}")))
    return s


def answered_rows(answer: Answer, fmt: str) -> int:
    if fmt == "csv":  # its header line, then one line per row (no value here holds a line break)
        return len(list(csv.reader(io.StringIO(answer.body.decode("utf-8"))))) - 1
    return sum(1 for _ in ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.from_media_type(
        FORMATS[fmt])))


@pytest.mark.parametrize("fmt", FORMATS)
def test_rows_at_the_cap_are_pyoxigraphs_body_uncapped(fmt: str) -> None:
    store = numbered(20)
    answer = execute(store, QueryJob("SELECT * { ?s ?p ?o }", accept=FORMATS[fmt], max_rows=20))
    assert answer.status == 200 and answer.headers == ()
    assert answer.body == store.query("SELECT * { ?s ?p ?o }").serialize(format=ox.QueryResultsFormat.from_media_type(
        FORMATS[fmt]))


@pytest.mark.parametrize("fmt", FORMATS)
def test_rows_over_the_cap_are_cut_to_it_and_announced(fmt: str) -> None:
    answer = execute(numbered(21), QueryJob("SELECT * { ?s ?p ?o }", accept=FORMATS[fmt], max_rows=20))
    assert answer.status == 200 and answer.headers == (("X-SPARQL-MaxRows", "20"),)
    assert answered_rows(answer, fmt) == 20


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_shortest_rows_are_still_capped(fmt: str) -> None:
    """Rows with nothing bound are the fewest bytes per row (ROW_BYTES_AT_LEAST): one over the cap is still cut."""
    undefs = " ".join(["UNDEF"] * 30)
    answer = execute(ox.Store(), QueryJob(f"SELECT ?x {{ VALUES ?x {{ {undefs} }} }}", accept=FORMATS[fmt],
                                          max_rows=29))
    assert answer.headers == (("X-SPARQL-MaxRows", "29"),) and answered_rows(answer, fmt) == 29


def test_a_full_body_over_the_byte_cap_is_capped_by_rows_when_that_fits() -> None:
    job = QueryJob("SELECT * { ?s ?p ?o }", accept=FORMATS["json"], max_rows=10, max_bytes=2_000)
    answer = execute(numbered(400), job)  # all 400 rows are ~40 kB; the first 10 fit in 2 000 bytes
    assert answer.status == 200 and answer.headers == (("X-SPARQL-MaxRows", "10"),)
    assert answered_rows(answer, "json") == 10


def test_a_capped_body_still_over_the_byte_cap_is_503() -> None:
    answer = execute(numbered(400), QueryJob("SELECT * { ?s ?p ?o }", accept=FORMATS["json"], max_bytes=2_000))
    assert answer.status == 503 and "larger than 2000 bytes" in answer.message
