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
    expect(page.locator("table.results tbody tr").first).to_contain_text("Chine id/chine")  # label, then IRI
    page.locator("table.results a", has_text="Chine").click()
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


def test_a_syntax_error_is_explained_and_marked_in_the_editor(page: Page, server: str) -> None:
    page.goto(f"{server}/sparql")
    page.fill("#query", "SELECT ?x\nWHERE {\n  ?x ?p ?o FILTER(?x = )\n}")
    page.click("#run")
    expect(page.locator("#error")).to_have_text(
        "400 Bad Request: Query syntax error: line 3, column 22: « = » needs an expression after it")
    expect(page.locator("#error")).to_have_attribute("data-line", "3")
    expect(page.locator("#error")).to_have_attribute("data-column", "22")
    expect(page.locator(".editor mark.tok-error")).to_have_text("=")
    page.fill("#query", "SELECT * WHERE { ?s foo:bar ?o }")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#error")).to_contain_text("line 1, column 21: prefix foo: is not declared")
    expect(page.locator(".editor mark.tok-error")).to_have_text("foo:bar")


def test_results_sort_by_a_column_and_page_through_rows(page: Page, server: str) -> None:
    page.goto(f"{server}/sparql")
    page.fill("#query", "SELECT ?s ?n WHERE { ?s <https://w3id.org/montagne-kg/ontology#beginIndex> ?n }")
    page.click("#run")
    expect(page.locator(".pager")).to_contain_text("rows 1–100 of")
    expect(page.locator("table.results tbody tr")).to_have_count(100)
    page.click("th button >> text=?n")
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("?n")
    numbers = page.locator("table.results tbody tr td:nth-child(2)").all_inner_texts()
    values = [int(text.split()[0]) for text in numbers]
    assert values == sorted(values)  # as numbers, not as text
    page.click("th button >> text=?n")
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("?n")
    page.click(".pager button >> text=Next")
    expect(page.locator(".pager")).to_contain_text("rows 101–")


def test_each_run_is_a_history_entry(page: Page, server: str) -> None:
    page.goto(f"{server}/sparql")
    page.fill("#query", LABEL)
    page.click("#run")
    expect(page.locator("table.results tbody tr")).to_have_count(2)
    page.fill("#query", "ASK {}")
    page.click("#run")
    expect(page.locator("p.boolean")).to_have_text("true")
    page.go_back()
    expect(page.locator("#query")).to_have_value(LABEL)
    expect(page.locator("table.results tbody tr")).to_have_count(2)
    page.go_forward()
    expect(page.locator("p.boolean")).to_have_text("true")


def test_a_long_query_gets_a_permalink_and_downloads_without_a_long_url(page: Page, server: str) -> None:
    padding = "\n".join(f"# line {i} of a long comment that makes this query longer than a URL should be"
                        for i in range(120))
    query = f"{padding}\n{LABEL}"
    page.goto(f"{server}/sparql")
    page.fill("#query", query)
    page.click("#run")
    expect(page.locator("table.results tbody tr")).to_have_count(2)
    assert "#q=" in page.url and "query=" not in page.url and len(page.url) < len(query)
    with page.expect_download() as download:
        page.click("#downloads a >> text=CSV")
    assert Path(download.value.path()).read_text().splitlines()[0] == "label"
    shared = page.url
    page.goto("about:blank")
    page.goto(shared)
    expect(page.locator("#query")).to_have_value(query)
    expect(page.locator("table.results tbody tr")).to_have_count(2)


def test_a_construct_result_is_a_table_of_labelled_triples_with_downloads(page: Page, server: str) -> None:
    page.goto(f"{server}/sparql")
    page.fill("#query", "CONSTRUCT { ?c <https://w3id.org/montagne-kg/ontology#locatedIn> ?r } WHERE "
                        "{ ?c <https://w3id.org/montagne-kg/ontology#locatedIn> ?r } LIMIT 5")
    page.click("#run")
    expect(page.locator("table.results thead")).to_contain_text("subject")
    expect(page.locator("table.results tbody tr")).to_have_count(5)
    expect(page.locator("table.results tbody tr").first.locator("td").nth(1)).to_contain_text("located in")
    expect(page.locator("#downloads a")).to_have_text(["Turtle", "N-Triples", "JSON-LD"])


def run_query(page: Page, server: str, query: str) -> None:
    page.goto(f"{server}/sparql")
    page.fill("#query", query)
    page.click("#run")
    expect(page.locator("#status")).not_to_have_text("Running…")


def test_dates_offer_a_timeline_with_one_mark_per_dated_row(page: Page, server: str) -> None:
    query = ("SELECT ?thing ?notAfter WHERE { ?thing <https://w3id.org/montagne-kg/ontology#dateNotAfter> ?notAfter "
             "FILTER(isIRI(?thing)) }")
    run_query(page, server, query)
    rows = page.locator("table.results tbody tr").count()
    expect(page.locator(".views button")).to_have_text(["Table", "Timeline"])
    page.click(".views button >> text=Timeline")
    expect(page.locator(".view-timeline svg").first).to_be_visible()
    expect(page.locator(".view-timeline")).to_have_attribute("data-marks", str(rows))
    expect(page.locator("table.results")).to_be_hidden()
    page.click(".views button >> text=Table")
    expect(page.locator("table.results")).to_be_visible()


def test_points_offer_an_offline_map(page: Page, server: str) -> None:
    wkt = "<http://www.opengis.net/ont/geosparql#wktLiteral>"
    run_query(page, server, f'SELECT ?place ?where WHERE {{ VALUES (?place ?where) {{ ("Chambéry" "Point(5.92 45.57)"^^'
                            f'{wkt}) ("Zhangjiakou" "Point(114.88 40.82)"^^{wkt}) }} }}')
    page.click(".views button >> text=Map")
    expect(page.locator(".view-map svg").first).to_be_visible()
    expect(page.locator(".view-map")).to_have_attribute("data-marks", "2")
    expect(page.locator(".view-map")).to_contain_text("no tiles are fetched")


def test_constructs_and_linked_rows_offer_a_graph(page: Page, server: str) -> None:
    run_query(page, server, "CONSTRUCT { ?c <https://w3id.org/montagne-kg/ontology#locatedIn> ?r } WHERE "
                            "{ ?c <https://w3id.org/montagne-kg/ontology#locatedIn> ?r } LIMIT 6")
    page.click(".views button >> text=Graph")
    expect(page.locator(".view-graph canvas").first).to_be_attached()
    expect(page.locator(".view-graph")).to_have_attribute("data-edges", "6")
    run_query(page, server, "SELECT ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 3")
    expect(page.locator(".views")).to_have_count(0)  # a table of literals offers no other view


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
    page.locator("svg.diagram.wide a[href='/page/zhangjiakou']").click()
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
            "/search?q=chambery", "/-/settings", "/page/no-such-entity", "/link/france", "/graph/release/000",
            "/dataset/wikidata-links"]


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


def test_the_language_switch_is_remembered_and_french_pages_fit_a_phone(page: Page, server: str) -> None:
    page.goto(f"{server}/page/chambery")
    page.click("nav.languages a >> text=FR")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("header nav a").first).to_have_text("Requête")
    page.click("header nav a >> text=Téléchargements")
    expect(page.locator("h1")).to_have_text("Téléchargements")  # remembered on the next page
    page.set_viewport_size({"width": 390, "height": 844})
    too_wide = {}
    for path in ["/", "/page/zhangjiakou", "/page/release/000", "/class/Organisation", "/search?q=chambery",
                 "/sparql", "/dumps/", "/ontology", "/link/france", "/graph/release/000"]:
        page.goto(server + path, wait_until="domcontentloaded")
        if (width := page.evaluate("document.documentElement.scrollWidth")) > 390:
            too_wide[path] = width
    assert too_wide == {}
    page.goto(f"{server}/?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")


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


# every page people open, and the error page; a route added later joins this list
HTML_PAGES = ["/", "/sparql", "/page/chambery", "/page/zhangjiakou", "/page/release/000", "/class/Firm", "/ontology",
              "/search?q=poma", "/dumps/", "/link/chambery", "/graph/links", "/graph/release/000", "/no/such/page"]
WATCH_CSP = ("window.cspViolations = [];"
             "document.addEventListener('securitypolicyviolation', e => window.cspViolations.push("
             "`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));")


def csp_violations(page: Page, messages: list[str]) -> list[str]:
    return [*page.evaluate("window.cspViolations"), *(m for m in messages if "Content Security Policy" in m)]


@pytest.mark.parametrize("path", HTML_PAGES)
def test_every_page_meets_its_content_security_policy(page: Page, server: str, path: str) -> None:
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.add_init_script(WATCH_CSP)
    response = page.goto(f"{server}{path}")
    assert response is not None and "default-src 'none'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    assert csp_violations(page, messages) == []


def test_every_view_of_the_query_page_meets_the_policy(page: Page, server: str) -> None:
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.add_init_script(WATCH_CSP)
    run_query(page, server, "SELECT ?thing ?notAfter WHERE { ?thing <https://w3id.org/montagne-kg/ontology#dateNotAfter>"
                            " ?notAfter FILTER(isIRI(?thing)) }")
    page.click(".views button >> text=Timeline")
    expect(page.locator(".view-timeline svg").first).to_be_visible()
    wkt = "<http://www.opengis.net/ont/geosparql#wktLiteral>"
    run_query(page, server, f'SELECT ?place ?where WHERE {{ VALUES (?place ?where) {{ ("Chambéry" "Point(5.92 45.57)"^^'
                            f'{wkt}) }} }}')
    page.click(".views button >> text=Map")
    expect(page.locator(".view-map svg").first).to_be_visible()
    run_query(page, server, "CONSTRUCT { ?c <https://w3id.org/montagne-kg/ontology#locatedIn> ?r } WHERE "
                            "{ ?c <https://w3id.org/montagne-kg/ontology#locatedIn> ?r } LIMIT 6")
    page.click(".views button >> text=Graph")
    expect(page.locator(".view-graph canvas").first).to_be_attached()
    page.fill("#query", "SELECT * WHERE { ?s foo:bar ?o }")
    page.click("#run")
    expect(page.locator("#error")).to_contain_text("prefix foo: is not declared")
    page.wait_for_load_state("networkidle")
    assert csp_violations(page, messages) == []
