"""Entity pages say each fact once, in words: figures once, inferred copies hidden, evidence quoted and linked."""

from __future__ import annotations

import html
import re

from flask.testing import FlaskClient
from rdflib import Graph
from rdflib.namespace import PROV

from montagne_kg.namespaces import ID


def visible(client: FlaskClient, path: str) -> str:
    page = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_a_figure_names_its_currency_once(client: FlaskClient) -> None:
    text = visible(client, "/page/contrat-station-de-ski-snowland")
    assert "110 000 000 EUR" in text and "EUR EUR" not in text  # (narrow no-break spaces collapsed)


def test_an_inferred_copy_of_an_asserted_fact_is_shown_once(client: FlaskClient) -> None:
    page = client.get("/page/kok-zhailau").get_data(as_text=True)
    figures = re.findall(r'<span class="figure">(.*?)</span>', page)
    assert len(figures) == len(set(figures)) == 4  # beds, lifts, runs, trail length


def test_properties_read_as_words_and_evidence_as_the_quoted_sentence(client: FlaskClient, graph: Graph) -> None:
    slug = "contrat-station-de-ski-snowland"
    page = client.get(f"/page/{slug}").get_data(as_text=True)
    text = visible(client, f"/page/{slug}")
    assert "derived from" in text and "wasDerivedFrom" not in text
    assert "characters" not in text  # the sentence itself, not its offsets
    sources = sorted(str(s) for s in graph.objects(ID[slug], PROV.wasDerivedFrom))
    assert sources
    for source in sources:
        rid, begin, end = re.search(r"release/(\d+)#char=(\d+),(\d+)$", source).groups()
        href = f"/page/release/{rid}?passage={begin},{end}#passage"
        assert f'href="{html.escape(href)}"' in page
        target = client.get(href.split("#")[0]).get_data(as_text=True)
        assert '<mark id="passage">' in target


def test_same_as_and_exact_match_to_the_item_are_the_one_wikidata_row(client: FlaskClient) -> None:
    html = client.get("/page/france").get_data(as_text=True)
    assert html.count('title="http://www.wikidata.org/entity/Q142"') == 1
    assert 'href="https://www.wikidata.org/wiki/Q142"' in html and "owl:sameAs, skos:exactMatch" in html
    assert '<a href="http://www.w3.org/2002/07/owl#sameAs"' not in html
