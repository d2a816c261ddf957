"""The query page and entity pages in a real headless browser (Debian's chromium driven by Playwright)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.conftest import live_server, screenshot

LABEL = ('SELECT ?label WHERE { <https://w3id.org/montagne-kg/id/chambery> '
         '<http://www.w3.org/2000/01/rdf-schema#label> ?label }')


@pytest.fixture(scope="module")
def server(build_dir: Path) -> Iterator[str]:
    with live_server(build_dir.parent) as url:
        yield url


@pytest.fixture
def page(browser: BrowserContext) -> Iterator[Page]:
    tab = browser.new_page()
    yield tab
    tab.close()


def test_type_and_run_a_query(page: Page, server: str) -> None:
    page.goto(f"{server}/sparql")
    page.fill("#query", LABEL)
    page.click("#run")
    expect(page.locator("table.results tbody tr")).to_have_count(2)
    expect(page.locator("table.results")).to_contain_text("Chambéry")
    expect(page.locator("#status")).to_contain_text("2 rows")
    expect(page.locator(".editor .tok-keyword").first).to_have_text("SELECT")


def test_click_an_iri_in_the_results_and_land_on_its_page(page: Page, server: str) -> None:
    query = ("SELECT ?city WHERE { <https://w3id.org/montagne-kg/id/zhangjiakou> "
             "<https://w3id.org/montagne-kg/ontology#locatedIn> ?city } ORDER BY ?city")
    page.goto(f"{server}/sparql")
    page.fill("#query", query)
    page.click("#run")
    page.locator("table.results a", has_text="id/chine").click()
    expect(page).to_have_url(f"{server}/page/chine")
    expect(page.locator("h1")).to_have_text("Chine")


def test_load_an_example(page: Page, server: str) -> None:
    page.goto(f"{server}/sparql")
    page.click('button.example[data-stem="delegation-firms"]')
    expect(page.locator("table.results tbody tr")).to_have_count(13)
    expect(page.locator("#query")).to_have_value(page.locator('button.example[data-stem="delegation-firms"]')
                                                 .get_attribute("data-query"))
    expect(page.locator("#downloads a", has_text="CSV")).to_have_attribute("href", "/sparql?format=csv&query="
                                                                             + quote(page.input_value("#query"),
                                                                                     safe="-_.!~*'()"))


def test_a_syntax_error_shows_its_position(page: Page, server: str) -> None:
    page.goto(f"{server}/sparql")
    page.fill("#query", "SELECT * WHERE { ?s ?p }")
    page.click("#run")
    expect(page.locator("#error")).to_be_visible()
    expect(page.locator("#error")).to_contain_text("error at 1:25")
    expect(page.locator("#error")).to_have_attribute("data-column", "25")


def test_a_shared_url_shows_its_result_on_reload(page: Page, server: str, request: pytest.FixtureRequest,
                                                 tmp_path: Path) -> None:
    page.goto(f"{server}/sparql")
    page.click('button.example[data-stem="office-holders"]')
    expect(page.locator("table.results tbody tr")).to_have_count(7)
    assert "query=" in page.url
    shared = page.url
    page.goto("about:blank")
    page.goto(shared)
    expect(page.locator("table.results tbody tr")).to_have_count(7)
    expect(page.locator("table.results")).to_contain_text("Patrick Kanner")
    assert screenshot(page, "query-page.png", request, tmp_path).stat().st_size > 10_000


def test_the_row_cap_and_time_limit_are_announced(page: Page, build_dir: Path) -> None:
    with live_server(build_dir.parent, "--max-rows", "3", "--time-limit", "1") as url:
        page.goto(f"{url}/sparql")
        page.fill("#query", "SELECT * WHERE { ?s ?p ?o }")
        page.click("#run")
        expect(page.locator("#notice")).to_contain_text("cut at 3 rows")
        values = " ".join(str(i) for i in range(300))
        page.fill("#query", f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} "
                            f"VALUES ?c {{ {values} }} FILTER(?a + ?b + ?c < 0) }}")
        page.click("#run")
        expect(page.locator("#error")).to_contain_text("query exceeded 1 s", timeout=15_000)


def test_entity_page_in_the_browser(page: Page, server: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    page.goto(f"{server}/id/chambery")
    expect(page).to_have_url(f"{server}/page/chambery")
    expect(page.locator("h1")).to_have_text("Chambéry")
    expect(page.locator("svg.diagram.wide")).to_be_visible()
    expect(page.locator("svg.diagram.narrow")).to_be_hidden()
    page.locator("svg.diagram.wide a", has_text="Zhangjiakou").first.click()
    expect(page).to_have_url(f"{server}/page/zhangjiakou")
    page.goto(f"{server}/page/chambery")
    assert screenshot(page, "entity-page.png", request, tmp_path).stat().st_size > 10_000


def test_search_from_the_home_page(page: Page, server: str) -> None:
    page.goto(server)
    page.fill(".big-search input", "feclaz")
    page.press(".big-search input", "Enter")
    page.locator("ul.results a", has_text="La Féclaz").first.click()
    expect(page.locator("h1")).to_have_text("La Féclaz")


def test_browse_a_class_from_the_home_page(page: Page, server: str) -> None:
    page.goto(server + "/")
    page.click('a[href="/class/Firm"]')
    expect(page.locator("h1")).to_contain_text("Firm")
    page.click("th a >> text=Label")  # sort by label, descending
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Label")
    page.click('.facets a[href*="subclass=IndustrialGroup"]')
    expect(page.locator("table.results tbody tr")).to_have_count(1)
    expect(page.locator("table.results tbody")).to_contain_text("CCZMMA")


def every_page(server: str) -> list[str]:
    """The path of every page a visitor can reach: each entity, release and class page, and every other route."""
    entities = ('SELECT DISTINCT ?s WHERE { ?s a ?c FILTER(STRSTARTS(STR(?s), "https://w3id.org/montagne-kg/id/")) }')
    with urllib.request.urlopen(f"{server}/sparql?query={quote(entities)}") as response:
        iris = [row["s"]["value"] for row in json.load(response)["results"]["bindings"]]
    with urllib.request.urlopen(f"{server}/?format=json") as response:
        classes = [f"/class/{name}" for name in json.load(response)["classes"]]
    paths = [iri.replace("https://w3id.org/montagne-kg/id/", "/page/") for iri in iris]
    return [*paths, *classes, "/", "/sparql", f"/sparql?query={quote(LABEL)}", "/ontology", "/dumps/",
            "/search?q=chambery", "/-/settings", "/page/no-such-entity"]


def test_no_page_is_wider_than_a_phone_screen(page: Page, server: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    paths = every_page(server)
    assert any(path.startswith("/page/release/") for path in paths) and len(paths) > 100
    too_wide = {}
    for path in paths:
        page.goto(server + path, wait_until="domcontentloaded")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            too_wide[path] = width
    assert too_wide == {}


def test_a_phone_gets_the_column_diagram_at_full_size(page: Page, server: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server}/page/zhangjiakou")
    expect(page.locator("svg.diagram.wide")).to_be_hidden()
    narrow = page.locator("svg.diagram.narrow")
    expect(narrow).to_be_visible()
    scale = page.evaluate("(() => { const s = document.querySelector('svg.diagram.narrow');"
                          " return s.getBoundingClientRect().width / s.viewBox.baseVal.width; })()")
    assert scale >= 0.95  # drawn at (nearly) its own size: 13 px labels stay 13 px
    narrow.locator("a", has_text="Hebei").click()
    expect(page).to_have_url(f"{server}/page/hebei")


def test_suggestions_as_you_type(page: Page, server: str) -> None:
    page.goto(server + "/")
    page.locator("header input[type=search]").press_sequentially("cham")
    expect(page.locator('header datalist option[value="Chambéry"]')).to_have_count(1)
    page.locator("header input[type=search]").fill("Chambéry")  # what picking the suggestion does
    expect(page).to_have_url(f"{server}/page/chambery")
