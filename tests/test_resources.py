"""Every IRI we mint resolves on our server: link records, named graphs, the dataset."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from montagne_kg.namespaces import DEFAULT_BASE

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_a_link_record_is_a_page_for_browsers_and_triples_for_rdf_clients(client: FlaskClient) -> None:
    html = client.get("/link/france", headers={"Accept": BROWSER})
    assert html.status_code == 200 and html.mimetype == "text/html"
    text = html.get_data(as_text=True)
    assert 'href="/page/france"' in text and 'href="http://www.wikidata.org/entity/Q142"' in text
    assert "country in Western Europe" in text and "github.com/usc-isi-i2/t2wml" in text
    turtle = client.get("/link/france", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and turtle.mimetype == "text/turtle" and "Accept" in turtle.headers["Vary"]
    triples = list(ox.parse(turtle.data, format=ox.RdfFormat.TURTLE))
    assert {t.subject.value for t in triples} == {DEFAULT_BASE + "link/france"}
    assert ox.NamedNode("http://www.wikidata.org/entity/Q142") in {t.object for t in triples}
    assert client.get("/link/france?format=jsonld").mimetype == "application/ld+json"


def test_entity_pages_link_the_record_on_our_server_not_w3id(client: FlaskClient) -> None:
    html = client.get("/page/france").get_data(as_text=True)
    assert 'href="/link/france"' in html
    assert 'href="https://w3id.org/montagne-kg/link/' not in html


@pytest.mark.parametrize("path,status", [("/link/nowhere", 404), ("/link/Not_A_Slug", 404),
                                         ("/graph/nowhere", 404), ("/graph/release/999", 404)])
def test_unknown_minted_iris_are_404_with_a_message(client: FlaskClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status and response.mimetype == "text/plain"
    assert "there is no" in response.get_data(as_text=True)


@pytest.mark.parametrize("name,dump", [("release/000", "release-000.ttl"), ("links", "links.ttl"),
                                       ("ontology", "ontology.ttl"), ("meta", "meta.ttl"),
                                       ("inferred", "inferred.ttl")])
def test_a_named_graph_is_its_page_or_its_dump(client: FlaskClient, name: str, dump: str) -> None:
    page = client.get(f"/graph/{name}", headers={"Accept": BROWSER})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f'href="/dumps/graphs/{dump}"' in text and "triples" in text
    rdf = client.get(f"/graph/{name}", headers={"Accept": "text/turtle"})
    assert rdf.status_code == 303 and rdf.headers["Location"].endswith(f"/dumps/graphs/{dump}")
    assert client.get(rdf.headers["Location"]).status_code == 200


@pytest.mark.parametrize("accept,location", [(BROWSER, "/"), ("text/turtle", "/.well-known/void?format=turtle"),
                                             ("application/ld+json", "/.well-known/void?format=jsonld")])
def test_the_dataset_iri_303s_to_the_home_page_or_its_description(client: FlaskClient, accept: str,
                                                                   location: str) -> None:
    response = client.get("/dataset", headers={"Accept": accept})
    assert response.status_code == 303 and response.headers["Location"].endswith(location)


def test_the_iris_the_void_description_mints_all_resolve(client: FlaskClient) -> None:
    void = client.get("/.well-known/void", headers={"Accept": "application/n-triples"}).get_data(as_text=True)
    minted = {term for line in void.splitlines() for term in line.split()
              if term.startswith(f"<{DEFAULT_BASE}") and ".well-known/genid" not in term}
    assert minted
    for iri in minted:
        path = iri.strip("<>")[len(DEFAULT_BASE) - 1:]
        response = client.get(path, headers={"Accept": BROWSER})
        assert response.status_code in (200, 303), (path, response.status_code)
