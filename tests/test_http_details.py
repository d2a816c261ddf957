"""HTTP details users check with curl: one charset, Vary where a URL negotiates, Allow on a 405, page titles."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient


@pytest.mark.parametrize(("name", "content_type"), [
    ("montagne-kg.ttl", "text/turtle; charset=utf-8"),
    ("montagne-kg.nt", "application/n-triples; charset=utf-8"),
    ("montagne-kg.ttl.gz", "application/gzip"),
    ("wikidata-links.csv", "text/csv; charset=utf-8"),
])
def test_a_dump_names_its_charset_once(client: FlaskClient, name: str, content_type: str) -> None:
    response = client.get(f"/dumps/{name}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type


def test_the_dumps_listing_varies_on_accept_and_gives_sizes_people_read(client: FlaskClient) -> None:
    html = client.get("/dumps/")
    as_json = client.get("/dumps/", headers={"Accept": "application/json"})
    assert html.mimetype == "text/html" and as_json.mimetype == "application/json"
    assert "Accept" in html.headers["Vary"] and "Accept" in as_json.headers["Vary"]
    turtle = next(f for f in as_json.get_json()["files"] if f["name"] == "montagne-kg.ttl")
    text = html.get_data(as_text=True)
    assert f'title="{turtle["bytes"]} bytes">' in text
    cell = re.search(rf'title="{turtle["bytes"]} bytes">([^<]+)<', text).group(1)
    assert re.fullmatch(r"\d+(\.\d)? kB", cell), cell  # e.g. « 300.1 kB », not 300123


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_a_method_sparql_does_not_take_is_a_405_with_allow(client: FlaskClient, method: str) -> None:
    response = client.open("/sparql?query=ASK%7B%7D", method=method, headers={"Accept": "text/plain"})
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert f"{method} is not a SPARQL 1.1 Protocol query operation" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/dumps/", "/ontology", "/search?q=poma", "/page/chambery",
                                  "/page/release/000", "/class/Firm"])
def test_each_page_has_one_title_that_names_it(client: FlaskClient, path: str) -> None:
    html = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    titles = re.findall(r"<title>(.*?)</title>", html.split("</head>", 1)[0])  # SVG tooltips are <title>s too
    assert "<title>" not in html.split("<body>", 1)[0].split("</head>", 1)[1]
    assert len(titles) == 1
    assert titles[0] != "montagne-kg · montagne-kg" and titles[0].endswith(" · montagne-kg")
    assert len(titles[0]) > len(" · montagne-kg") + 3


@pytest.mark.parametrize("accept,fmt", [("text/csv", None), ("text/tab-separated-values", None), (None, "csv")])
def test_ask_is_not_served_as_csv_or_tsv_which_define_select_results_only(client: FlaskClient, accept: str | None,
                                                                          fmt: str | None) -> None:
    query = "/sparql?query=ASK%7B%7D" + (f"&format={fmt}" if fmt else "")
    response = client.get(query, headers={"Accept": accept} if accept else {})
    assert response.status_code == 406
    assert response.get_data(as_text=True) == (
        "406 Not Acceptable: this result is served as application/sparql-results+json, "
        "application/sparql-results+xml, application/json, application/xml, text/xml (the SPARQL 1.1 CSV and TSV "
        "formats are defined for SELECT results only)\n")
    assert client.get("/sparql?query=ASK%7B%7D", headers={"Accept": "text/csv, */*;q=0.1"}).mimetype == \
        "application/sparql-results+json"


@pytest.mark.parametrize("path,names", [
    ("/sparql?query=ASK%7B%7D", "html, turtle, ntriples, jsonld, rdfxml, trig, nquads, json, xml, csv, tsv"),
    ("/id/chambery", "html, turtle, ntriples, jsonld, rdfxml"),
    ("/page/chambery", "html, turtle, ntriples, jsonld, rdfxml"),
    ("/data/chambery.ttl", "html, turtle, ntriples, jsonld, rdfxml"),
    ("/page/release/000", "html, turtle, ntriples, jsonld, rdfxml"),
    ("/ontology", "html, turtle, ntriples, jsonld, rdfxml"),
    ("/.well-known/void", "turtle, ntriples, jsonld, rdfxml"),
    ("/", "html, json"), ("/dumps/", "html, json"), ("/class/Firm", "html, json"), ("/search?q=poma", "html, json"),
    ("/search/suggest?q=po", "json"), ("/-/health", "json"), ("/-/settings", "json"),
])
def test_an_unknown_format_is_a_400_listing_the_route_s_formats_on_every_route(client: FlaskClient, path: str,
                                                                                names: str) -> None:
    separator = "&" if "?" in path else "?"
    response = client.get(f"{path}{separator}format=bogus")
    assert response.status_code == 400
    assert response.get_data(as_text=True) == (
        f"400 Bad Request: format='bogus' is not a format of this resource; use one of: {names}\n")
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize("path", ["/sparql?query=ASK%7B%7D", "/ontology", "/page/chambery", "/", "/dumps/",
                                  "/class/Firm", "/search?q=poma"])
def test_format_html_gives_the_page_wherever_there_is_one(client: FlaskClient, path: str) -> None:
    separator = "&" if "?" in path else "?"
    response = client.get(f"{path}{separator}format=html", headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.mimetype == "text/html"


@pytest.mark.parametrize("path,fmt,location", [
    ("/id/chambery", "html", "/page/chambery"), ("/id/chambery", "jsonld", "/data/chambery.jsonld"),
    ("/page/chambery", "ttl", "/data/chambery.ttl"), ("/data/chambery.ttl", "rdfxml", "/data/chambery.rdf"),
    ("/data/chambery.nt", "html", "/page/chambery"), ("/id/release/000", "nt", "/data/release/000.nt"),
])
def test_format_names_a_document_of_the_same_resource(client: FlaskClient, path: str, fmt: str, location: str) -> None:
    response = client.get(f"{path}?format={fmt}")
    assert response.status_code == 303 and response.headers["Location"].endswith(location)


@pytest.mark.parametrize("path", ["/sparql?query=CONSTRUCT%7B%3Fs%20%3Fp%20%3Fo%7DWHERE%7B%3Fs%20%3Fp%20%3Fo%7D",
                                  "/ontology", "/.well-known/void", "/id/chambery", "/sparql"])
def test_an_accept_type_that_is_not_a_media_type_is_never_echoed(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "rdf/xml"})
    assert response.status_code == 406
    assert "rdf/xml" not in response.headers["Content-Type"]
    assert "Accept" in response.headers["Vary"]


def test_the_interface_language_is_english_and_the_data_s_literals_say_theirs(client: FlaskClient) -> None:
    html = client.get("/page/pekin").get_data(as_text=True)
    assert html.startswith("<!doctype html>\n<html lang=\"en\">")
    assert '<h1 lang="fr">Pékin</h1>' in html
    assert '<span lang="en">Beijing</span>' in html


@pytest.mark.parametrize("query,message", [
    ("", "the query is empty"),
    ("SELECT * WHERE { ?s foo:bar ?o }",
     "line 1, column 21: prefix foo: is not declared; add PREFIX foo: <…> before the query"),
    ("SELECT ?x\nWHERE {\n  ?x ?p ?o FILTER(?x = )\n}\n", "line 3, column 22: « = » needs an expression after it"),
])
def test_syntax_errors_are_explained_to_machines_as_text(client: FlaskClient, query: str, message: str) -> None:
    response = client.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 400 and response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == f"400 Bad Request: Query syntax error: {message}\n"
