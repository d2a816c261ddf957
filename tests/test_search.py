"""Search: every word, exact names first, counted and paged; the release texts in full; suggestions as you type."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Literal
from rdflib.namespace import RDFS

from montagne_kg.namespaces import ID
from montagne_kg.serving import create_app
from montagne_kg.serving.settings import Settings


def search(client: FlaskClient, query: str, page: int = 1) -> dict:
    response = client.get("/search", query_string={"q": query, "page": page, "format": "json"})
    assert response.status_code == 200
    return response.get_json()


def slug_labelled(graph: Graph, label: str) -> str:
    subject = next(graph.subjects(RDFS.label, Literal(label, lang="fr")))
    return str(subject)[len(str(ID)):]


def test_every_word_counts_wherever_it_is(client: FlaskClient, graph: Graph) -> None:
    letter = slug_labelled(graph, "lettre d'intention entre la Ville de Chambéry et la Ville de Zhangjiakou")
    found = [r["slug"] for r in search(client, "chambery zhangjiakou")["results"]]
    assert letter in found
    assert "chambery" not in found and "zhangjiakou" not in found  # each names only one of the two


def test_an_exact_name_comes_first(client: FlaskClient) -> None:
    results = search(client, "pekin")["results"]
    assert results[0]["slug"] == "pekin"
    assert "jeux-olympiques-d-hiver-de-2022" in [r["slug"] for r in results]  # « JO d'Hiver Pékin 2022 »
    assert search(client, "Ville de Chambéry")["results"][0]["slug"] == "ville-de-chambery"


def test_results_are_counted_and_paged(client: FlaskClient) -> None:
    first = search(client, "de")
    assert first["total"] > 20 and first["pages"] == -(-first["total"] // 20)
    second = search(client, "de", page=2)
    assert len(first["results"]) == 20
    assert not {r["slug"] for r in first["results"]} & {r["slug"] for r in second["results"]}
    html = client.get("/search?q=de").get_data(as_text=True)
    assert f"{first['total']} entities match" in html and 'rel="next"' in html
    refused = client.get("/search?q=de&page=99", headers={"Accept": "text/plain"})
    assert refused.status_code == 400
    assert f"page must be a whole number from 1 to {first['pages']} (got '99')" in refused.get_data(as_text=True)


def test_the_release_texts_are_searched_in_full(client: FlaskClient) -> None:
    found = search(client, "biathlon")
    assert found["total"] == 0  # no entity is named so
    [passage] = found["passages"]
    assert passage["release"] == "000" and "biathlon" in passage["text"]
    page = client.get(passage["page"].split("#")[0])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    marked = html[html.index('<mark id="passage">'):html.index("</mark>", html.index('<mark id="passage">'))]
    assert "biathlon" in marked
    assert "<mark>biathlon</mark>" in client.get("/search?q=BIATHLON").get_data(as_text=True)


@pytest.mark.parametrize("passage", ["9,3", "0,99999", "x"])
def test_a_bad_passage_is_refused(client: FlaskClient, passage: str) -> None:
    response = client.get(f"/page/release/000?passage={passage}", headers={"Accept": "text/plain"})
    assert response.status_code == 400
    assert "passage must be start,end within the text (0 to 4600 characters)" in response.get_data(as_text=True)


def test_suggestions(client: FlaskClient) -> None:
    suggestions = client.get("/search/suggest?q=cham").get_json()["suggestions"]
    assert suggestions[0]["label"] == "Chambéry" and suggestions[0]["page"] == "/page/chambery"
    assert len(suggestions) == 8
    assert client.get("/search/suggest?q=").get_json()["suggestions"] == []


@pytest.mark.parametrize("route", ["/search", "/search/suggest"])
def test_a_search_text_past_its_bounds_is_a_400_naming_the_setting(client: FlaskClient, route: str) -> None:
    """2 700 short words cost a second of a worker's CPU before the bounds (max_search_chars 200, words 16)."""
    too_long = client.get(route, query_string={"q": "x" * 201})
    assert too_long.status_code == 400 and b"201 characters; at most 200 (max_search_chars)" in too_long.data
    too_many = client.get(route, query_string={"q": " ".join("a" * 17)})
    assert too_many.status_code == 400 and b"17 words; at most 16 (max_search_words)" in too_many.data
    at_bounds = client.get(route, query_string={"q": " ".join("aeiounrstlcmpdgb"), "format": "json"})
    assert at_bounds.status_code == 200


@pytest.mark.parametrize("route", ["/search", "/search/suggest"])
def test_a_search_past_its_deadline_is_a_503(build_dir: Path, route: str) -> None:
    app = create_app({"SETTINGS": Settings(build_dir=build_dir.parent, search_time_limit=1e-9)})
    try:
        response = app.test_client().get(route, query_string={"q": "chambery", "format": "json"})
        assert response.status_code == 503
        assert b"longer than 1e-09 s (search_time_limit)" in response.data
        assert response.headers["Retry-After"] == "1"
    finally:
        app.extensions["kg"].close()
