"""The interface in English or French: ?lang= (remembered), else Accept-Language; html lang says which."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

PAGES = ["/", "/page/zhangjiakou", "/page/release/000", "/class/Firm", "/search?q=pekin", "/dumps/", "/sparql",
         "/ontology", "/link/france", "/graph/links", "/page/no-such-entity"]
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def html_lang(html: str) -> str:
    return re.match(r'<!doctype html>\n<html lang="(\w+)">', html).group(1)


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("accept_language,lang,nav", [("fr-FR,fr;q=0.9,en;q=0.5", "fr", "Requête"),
                                                      ("en-GB,en;q=0.9", "en", "Query"), (None, "en", "Query"),
                                                      ("de-DE", "en", "Query")])
def test_accept_language_chooses_the_interface(client: FlaskClient, path: str, accept_language: str | None,
                                                lang: str, nav: str) -> None:
    headers = {"Accept": BROWSER, **({"Accept-Language": accept_language} if accept_language else {})}
    response = client.get(path, headers=headers)
    html = response.get_data(as_text=True)
    assert html_lang(html) == lang
    assert f'<a href="/sparql">{nav}</a>' in html
    assert {"Accept-Language", "Cookie"} <= set(response.vary)


def test_a_chosen_language_is_remembered(client: FlaskClient) -> None:
    chosen = client.get("/?lang=fr", headers={"Accept": BROWSER, "Accept-Language": "en"})
    assert html_lang(chosen.get_data(as_text=True)) == "fr"
    assert "lang=fr" in chosen.headers["Set-Cookie"] and "Max-Age=31536000" in chosen.headers["Set-Cookie"]
    later = client.get("/page/chambery", headers={"Accept": BROWSER, "Accept-Language": "en"})  # cookie kept
    assert html_lang(later.get_data(as_text=True)) == "fr"
    back = client.get("/page/chambery?lang=en", headers={"Accept": BROWSER})
    assert html_lang(back.get_data(as_text=True)) == "en"
    client.delete_cookie("lang")


def test_french_pages_name_properties_classes_and_dates_in_french(client: FlaskClient) -> None:
    html = client.get("/page/zhangjiakou", headers={"Accept": BROWSER, "Accept-Language": "fr"}).get_data(as_text=True)
    assert ">situé dans</a>" in html and ">ville</a>" in html and "<h2>Voisinage</h2>" in html
    english = client.get("/page/zhangjiakou", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert ">located in</a>" in english and ">city</a>" in english and "<h2>Neighbourhood</h2>" in english
    home = client.get("/", headers={"Accept": BROWSER, "Accept-Language": "fr"}).get_data(as_text=True)
    assert "<h2>Ce qu'il contient</h2>" in home or "<h2>Ce qu&#39;il contient</h2>" in home


def test_search_names_classes_in_the_page_s_language_and_english_in_json(client: FlaskClient) -> None:
    french = client.get("/search?q=pekin", headers={"Accept": BROWSER, "Accept-Language": "fr"}).get_data(as_text=True)
    assert '<a href="/page/pekin">Pékin</a> <span class="muted">ville' in french
    english = client.get("/search?q=pekin", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert '<a href="/page/pekin">Pékin</a> <span class="muted">city' in english
    twin = client.get("/search?q=pekin&format=json", headers={"Accept-Language": "fr"}).get_json()
    assert twin["results"][0]["class"] == "city"


def test_the_switch_links_this_page_in_the_other_language(client: FlaskClient) -> None:
    html = client.get("/search?q=pekin", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert '<a href="/search?q=pekin&amp;lang=fr" lang="fr" hreflang="fr">FR</a>' in html
    assert '<strong lang="en">EN</strong>' in html


def test_machine_answers_do_not_vary_by_language(client: FlaskClient) -> None:
    response = client.get("/data/chambery.ttl", headers={"Accept-Language": "fr"})
    assert "Accept-Language" not in response.vary and "Set-Cookie" not in response.headers
