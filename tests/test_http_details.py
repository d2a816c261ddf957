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
    titles = re.findall(r"<title>(.*?)</title>", html)
    assert len(titles) == 1
    assert titles[0] != "montagne-kg · montagne-kg" and titles[0].endswith(" · montagne-kg")
    assert len(titles[0]) > len(" · montagne-kg") + 3
