"""Content negotiation: an Accept case table over the one format table."""

from __future__ import annotations

import pytest

from montagne_kg.formats import by_name
from montagne_kg.serving.negotiation import (
    GRAPH_KINDS,
    PAGE,
    RESULT_KINDS,
    TWIN,
    UnknownFormat,
    accepts_html,
    choose,
    negotiate,
)

RESULTS = [
    (None, "json", "application/sparql-results+json"),
    ("*/*", "json", "application/sparql-results+json"),
    ("application/sparql-results+json", "json", "application/sparql-results+json"),
    ("application/json", "json", "application/json"),
    ("application/sparql-results+json,application/json;q=0.9", "json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "xml", "application/sparql-results+xml"),
    ("application/xml", "xml", "application/xml"),
    ("text/xml", "xml", "text/xml"),
    ("text/csv", "csv", "text/csv"),
    ("text/tab-separated-values", "tsv", "text/tab-separated-values"),
    ("text/csv;q=0.5, application/sparql-results+xml", "xml", "application/sparql-results+xml"),
    ("text/csv;q=0.9, text/tab-separated-values;q=0.2", "csv", "text/csv"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "xml", "application/xml"),
    ("image/png", None, None),
    ("text/turtle", None, None),
]
GRAPHS = [
    (None, "turtle", "text/turtle"),
    ("*/*", "turtle", "text/turtle"),
    ("text/plain", "ntriples", "text/plain"),
    ("application/n-triples", "ntriples", "application/n-triples"),
    ("application/ld+json", "jsonld", "application/ld+json"),
    ("application/rdf+xml;q=0.9, text/turtle;q=0.4", "rdfxml", "application/rdf+xml"),
    ("application/trig", "trig", "application/trig"),
    ("application/n-quads", "nquads", "application/n-quads"),
    ("application/sparql-results+json", None, None),
]


@pytest.mark.parametrize("accept,name,media_type", RESULTS, ids=[str(a) for a, _, _ in RESULTS])
def test_results_negotiation(accept: str | None, name: str | None, media_type: str | None) -> None:
    choice = choose(RESULT_KINDS, accept)
    assert (choice.format.name, choice.media_type) == (name, media_type) if name else choice is None


@pytest.mark.parametrize("accept,name,media_type", GRAPHS, ids=[str(a) for a, _, _ in GRAPHS])
def test_graph_negotiation(accept: str | None, name: str | None, media_type: str | None) -> None:
    choice = choose(GRAPH_KINDS, accept)
    assert (choice.format.name, choice.media_type) == (name, media_type) if name else choice is None


@pytest.mark.parametrize("value,name", [("json", "json"), ("tsv", "tsv"), ("text/csv", "csv"), ("srx", "xml"),
                                        ("application/sparql-results+json", "json"), ("turtle", None)])
def test_format_parameter_overrides_accept(value: str, name: str | None) -> None:
    choice = choose(RESULT_KINDS, "application/sparql-results+xml", value)
    assert (choice.format.name if choice else None) == name


def test_browsers_are_recognised() -> None:
    assert accepts_html("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    assert not accepts_html("*/*")
    assert not accepts_html(None)
    assert not accepts_html("application/sparql-results+json")


@pytest.mark.parametrize("accept,format_param,expected", [
    (None, None, False), ("*/*", None, False), ("text/html,*/*;q=0.8", None, False),
    ("application/json", None, True), (None, "json", True), ("text/html", "json", True),
])
def test_pages_with_a_json_twin(accept: str | None, format_param: str | None, expected: bool) -> None:
    assert (negotiate(accept, format_param, page=True, twin=True).format is TWIN) is expected


@pytest.mark.parametrize("accept", ["rdf/xml", "xml-rdf", "turtle", "application/x-made-up"])
def test_a_type_we_do_not_serve_is_not_acceptable_and_never_echoed(accept: str) -> None:
    assert choose(GRAPH_KINDS, accept) is None
    assert negotiate(accept, None, GRAPH_KINDS, page=True) is None


@pytest.mark.parametrize("kinds,page,twin,names", [
    (GRAPH_KINDS, True, False, "html, turtle, ntriples, jsonld, rdfxml, trig, nquads"),
    (("graph",), False, False, "turtle, ntriples, jsonld, rdfxml"),
    ((), True, True, "html, json"),
    ((), False, True, "json"),
])
def test_an_unknown_format_parameter_lists_the_names_a_route_accepts(kinds: tuple[str, ...], page: bool, twin: bool,
                                                                      names: str) -> None:
    with pytest.raises(UnknownFormat) as raised:
        negotiate(None, "bogus", kinds, page=page, twin=twin)
    assert raised.value.code == 400
    assert raised.value.description == f"format='bogus' is not a format of this resource; use one of: {names}"


@pytest.mark.parametrize("value,expected", [("html", "html"), ("text/html", "html"), ("rdf/xml", "rdfxml"),
                                            ("ttl", "turtle"), ("application/ld+json", "jsonld")])
def test_format_html_gives_the_page_and_other_names_their_format(value: str, expected: str) -> None:
    choice = negotiate("application/n-triples", value, ("graph",), page=True)
    assert choice.format.name == expected and choice.media_type == (PAGE if expected == "html"
                                                                    else by_name(expected)).media_type
