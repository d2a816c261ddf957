"""Class pages (/class/<local name>) and their JSON twin: real requests over the real build."""

from __future__ import annotations

import math

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, SKOS

from montagne_kg.namespaces import ID, MKG
from montagne_kg.serving import catalogue
from montagne_kg.serving.catalogue import fold


def members(graph: Graph, name: str) -> set[str]:
    """Entities of a class in the build, read from the graph itself (inferred superclass typing included)."""
    return {str(s)[len(str(ID)):] for s in graph.subjects(RDF.type, MKG[name])
            if isinstance(s, URIRef) and str(s).startswith(str(ID)) and "/" not in str(s)[len(str(ID)):]}


def everything(client: FlaskClient, path: str) -> dict:
    response = client.get(path + ("&" if "?" in path else "?") + "format=json&size=500")
    assert response.status_code == 200
    return response.get_json()


def test_the_home_page_links_every_public_class_and_no_internal_one(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert 'href="/class/Firm"' in html and 'href="/class/City"' in html
    for internal in ("TextSpan", "Curation", "PressRelease"):
        assert f'href="/class/{internal}"' not in html


@pytest.mark.parametrize("name", ["Firm", "City", "Organisation", "Visit"])
def test_a_class_page_lists_every_instance_with_its_subclasses(client: FlaskClient, graph: Graph, name: str) -> None:
    data = everything(client, f"/class/{name}")
    assert {r["slug"] for r in data["results"]} == members(graph, name)
    assert data["total"] == len(members(graph, name))


def test_facets_count_and_filter(client: FlaskClient, graph: Graph) -> None:
    full = everything(client, "/class/Place")
    in_003 = everything(client, "/class/Place?release=003")
    assert in_003["total"] == full["facets"]["release"]["003"]
    assert all("003" in r["releases"] for r in in_003["results"])
    cities = everything(client, "/class/Place?subclass=City")
    assert {r["slug"] for r in cities["results"]} == members(graph, "City")
    linked = everything(client, "/class/Place?wikidata=yes")
    expected = {s for s in members(graph, "Place")
                if any(str(o).startswith("http://www.wikidata.org/entity/Q")
                       for p in (OWL.sameAs, SKOS.exactMatch) for o in graph.objects(ID[s], p))}
    assert {r["slug"] for r in linked["results"]} == expected
    assert linked["total"] == full["facets"]["wikidata"]["yes"]


def test_sorting_and_paging(client: FlaskClient) -> None:
    full = everything(client, "/class/Organisation?sort=label&order=desc")
    labels = [fold(r["label"]) for r in full["results"]]
    assert labels == sorted(labels, reverse=True)
    page = client.get("/class/Organisation?format=json&sort=label&order=desc&size=5&page=2").get_json()
    assert [r["slug"] for r in page["results"]] == [r["slug"] for r in full["results"][5:10]]
    assert page["pages"] == math.ceil(full["total"] / 5)
    by_wikidata = everything(client, "/class/Organisation?sort=wikidata")["results"]
    flags = [r["wikidata"] for r in by_wikidata]
    assert flags == sorted(flags, reverse=True)  # linked ones first


def test_the_html_page_has_sortable_columns_facets_and_a_pager(client: FlaskClient) -> None:
    html = client.get("/class/Organisation?size=5").get_data(as_text=True)
    assert '<a href="/class/Organisation?order=desc&amp;size=5">Label ▲</a>' in html
    assert 'href="/class/Organisation?size=5&amp;release=003"' in html
    assert 'rel="next"' in html and "page 1 of" in html


@pytest.mark.parametrize(("path", "status", "message"), [
    ("/class/Firm?sort=bogus", 400, "sort must be one of label, class, releases, wikidata (got 'bogus')"),
    ("/class/Firm?order=up", 400, "order must be one of asc, desc (got 'up')"),
    ("/class/Firm?size=501", 400, "size must be a whole number from 1 to 500 (got '501')"),
    ("/class/Firm?page=0", 400, "page must be a whole number from 1 to 1 (got '0')"),
    ("/class/Firm?wikidata=maybe", 400, "wikidata must be yes or no (got 'maybe')"),
    ("/class/TextSpan", 404, "no class TextSpan with instances here"),
    ("/class/Nothing", 404, "no class Nothing with instances here"),
])
def test_bad_parameters_are_refused_with_a_message(client: FlaskClient, path: str, status: int,
                                                   message: str) -> None:
    response = client.get(path, headers={"Accept": "text/plain"})
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_a_page_that_would_be_cut_at_the_row_cap_fails_loudly(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Page lookups are capped; a page whose lookup reaches the cap is a 503 saying so, never silently incomplete."""
    monkeypatch.setattr(catalogue, "PAGE_ROW_CAP", 3)  # fewer than the build's instances
    monkeypatch.delitem(app.extensions, "class_index", raising=False)  # built again, under the small cap
    response = app.test_client().get("/class/Firm", headers={"Accept": "text/plain"})
    assert response.status_code == 503
    assert "more than 3 rows of one lookup (the pages' row cap)" in response.get_data(as_text=True)
