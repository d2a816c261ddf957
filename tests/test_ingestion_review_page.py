"""The review page (`montagne-kg ingest review`): real requests to its routes, and keyboard use in chromium."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from playwright.sync_api import BrowserContext, Page, expect
from werkzeug.serving import make_server

from montagne_kg.building.ingestion.addition import Ontology, ReviewFiles
from montagne_kg.building.ingestion.facts import FactRow, read_facts, write_facts
from montagne_kg.building.ingestion.review import Row, read_review, write_review
from montagne_kg.building.ingestion.review_page import create_review_app, segments
from tests.conftest import ROOT, screenshot

TEXT = "La Ville de Chambéry a signé un accord avec Pékin pour les JO de Pékin 2022.\n"
PEKIN = "https://w3id.org/montagne-kg/id/pekin"


def span(quote: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(quote, start + 1)
    return start, start + len(quote)


@pytest.fixture(scope="module")
def ontology() -> Ontology:
    return Ontology(ROOT / "ontology" / "montagne.ttl")


@pytest.fixture
def files(tmp_path: Path) -> ReviewFiles:
    files = ReviewFiles(tmp_path / "review", "009")
    files.directory.mkdir()
    files.text.write_text(TEXT, encoding="utf-8")
    sentence = ((0, len(TEXT) - 1),)
    write_review(files.table, [
        Row("009", "Ville de Chambéry", (span("Ville de Chambéry"),), sentence, "Municipality", "ville-de-chambery",
            "NER:LOC, city-authority"),
        Row("009", "accord", (span("accord"),), sentence, "Agreement", "accord-009-32", "cue:accord",
            note="parties? Ville de Chambéry; Pékin"),
        Row("009", "Pékin", (span("Pékin"), span("Pékin", 1)), sentence, "City", PEKIN, "gazetteer"),
        Row("009", "JO de Pékin 2022", (span("JO de Pékin 2022"),), sentence, "SportsEvent", "jo-de-pekin-2022",
            "NER:MISC, event-years"),
    ])
    write_facts(files.facts, [
        FactRow("009", "accord-009-32", "mkg:party", "ville-de-chambery", sentence[0], "agreement"),
        FactRow("009", "jo-de-pekin-2022", "mkg:eventLocation", "pekin", sentence[0], "event")])
    return files


@pytest.fixture
def client(files: ReviewFiles, ontology: Ontology) -> FlaskClient:
    return create_review_app(files, ontology).test_client()


def test_segments_colour_each_passage_by_its_innermost_mention(ontology: Ontology, files: ReviewFiles) -> None:
    cut = segments(TEXT, read_review(files.table), ontology)
    assert "".join(s.text for s in cut) == TEXT
    marked = [(s.text, s.kind, s.lines) for s in cut if s.lines]
    assert ("Pékin", "Place", (4,)) in marked  # alone
    assert ("Pékin", "Place", (4, 5)) in marked  # inside « JO de Pékin 2022 »: the place colours it
    assert ("JO de ", "Event", (5,)) in marked


def test_the_page_shows_the_text_with_its_proposals(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<mark class="k-Organisation" data-start="3" data-lines="2">Ville de Chambéry</mark>' in html
    assert f'<mark class="k-Agreement" data-start="{TEXT.index("accord")}" data-lines="3">accord</mark>' in html
    assert html.count('class="row') == 4 + 2  # the names, and the facts


def test_rows_json_is_the_file(client: FlaskClient, files: ReviewFiles) -> None:
    rows = client.get("/rows.json").get_json()["rows"]
    assert [(r["line"], r["form"], r["decision"]) for r in rows] == \
        [(r.line, r.form, r.decision) for r in read_review(files.table)]


def test_a_decision_is_saved_to_the_review_file(client: FlaskClient, files: ReviewFiles) -> None:
    response = client.post("/rows/4", json={"decision": "kind:Capital | rename:Pékin"})
    assert response.status_code == 400  # Capital is not a class of the ontology
    response = client.post("/rows/4", json={"decision": "accept"})
    assert response.status_code == 200
    decisions = {r.form: r.decision for r in read_review(files.table)}
    assert decisions == {"Ville de Chambéry": "", "accord": "", "Pékin": "accept", "JO de Pékin 2022": ""}


@pytest.mark.parametrize(("payload", "status", "message"), [
    ({"decision": "maybe"}, 400, "009.tsv:2: 'maybe' is not a decision"),
    ({"decision": "kind:Town"}, 400, "009.tsv:2: 'Town' is not a class of the ontology"),
    ({"verdict": "accept"}, 400, 'send JSON {"decision": "…"}'),
])
def test_a_bad_decision_is_refused_and_the_file_kept(client: FlaskClient, files: ReviewFiles, payload: dict,
                                                     status: int, message: str) -> None:
    before = files.table.read_bytes()
    response = client.post("/rows/2", json=payload)
    assert response.status_code == status
    assert response.get_json()["error"].startswith(message)
    assert files.table.read_bytes() == before


def test_an_unknown_row_is_a_404(client: FlaskClient) -> None:
    response = client.post("/rows/99", json={"decision": "accept"})
    assert response.status_code == 404
    assert response.get_json()["error"] == "no row at line 99 of 009.tsv"


def test_facts_json_is_the_facts_file_and_a_fact_decision_is_saved(client: FlaskClient, files: ReviewFiles) -> None:
    facts = client.get("/facts.json").get_json()["facts"]
    assert [(f["line"], f["subject"], f["property"], f["object"]) for f in facts] == [
        (2, "accord-009-32", "mkg:party", "ville-de-chambery"), (3, "jo-de-pekin-2022", "mkg:eventLocation", "pekin")]
    assert client.post("/facts/3", json={"decision": "accept"}).status_code == 200
    assert [f.decision for f in read_facts(files.facts)] == ["", "accept"]
    before = files.facts.read_bytes()
    refused = client.post("/facts/3", json={"decision": "perhaps"})
    assert refused.status_code == 400
    assert refused.get_json()["error"].startswith('send JSON {"decision": "accept"}')
    assert client.post("/facts/9", json={"decision": "accept"}).status_code == 404
    assert files.facts.read_bytes() == before


def test_a_fact_is_added_from_the_menus_only_where_domain_and_range_fit(client: FlaskClient,
                                                                      files: ReviewFiles) -> None:
    before = files.facts.read_bytes()
    wrong = client.post("/facts", json={"subject": "ville-de-chambery", "property": "mkg:eventLocation",
                                        "object": "pekin"})
    assert wrong.status_code == 400
    assert wrong.get_json()["error"] == "mkg:eventLocation is for a Event; ville-de-chambery is a Municipality"
    wrong_range = client.post("/facts", json={"subject": "ville-de-chambery", "property": "mkg:hasJurisdictionOver",
                                              "object": "jo-de-pekin-2022"})
    assert wrong_range.status_code == 400
    assert files.facts.read_bytes() == before
    added = client.post("/facts", json={"subject": "ville-de-chambery", "property": "mkg:hasJurisdictionOver",
                                        "object": "pekin"})
    assert added.status_code == 200
    last = read_facts(files.facts)[-1]
    assert (last.subject, last.property, last.object, last.sentence, last.rule, last.decision) == \
        ("ville-de-chambery", "mkg:hasJurisdictionOver", "pekin", (0, len(TEXT) - 1), "curator", "accept")


def test_a_missed_name_is_added_from_its_offsets_with_every_occurrence(client: FlaskClient,
                                                                       files: ReviewFiles) -> None:
    start = TEXT.index("JO")
    added = client.post("/rows", json={"start": start, "end": start + 2, "kind": "SportsEvent"})
    assert added.status_code == 200
    row = next(r for r in read_review(files.table) if r.why == "curator:selection")
    assert (row.form, row.mentions, row.kind, row.iri, row.decision) == \
        ("JO", ((start, start + 2),), "SportsEvent", "jo", "accept")
    assert client.post("/rows", json={"start": 5, "end": 5, "kind": "City"}).status_code == 400
    assert client.post("/rows", json={"start": 0, "end": 5, "kind": "Town"}).status_code == 400


@pytest.fixture
def review_server(files: ReviewFiles, ontology: Ontology) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, create_review_app(files, ontology))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def page(browser: BrowserContext) -> Iterator[Page]:
    tab = browser.new_page()
    yield tab
    tab.close()


def test_decide_from_the_keyboard(page: Page, review_server: str, files: ReviewFiles,
                                  request: pytest.FixtureRequest, tmp_path: Path) -> None:
    page.goto(review_server + "/")
    page.keyboard.press("j")
    expect(page.locator(".row.current")).to_contain_text("Ville de Chambéry")
    expect(page.locator(".text mark.selected")).to_have_text("Ville de Chambéry")
    page.keyboard.press("a")
    expect(page.locator("#status")).to_have_text("saved: « Ville de Chambéry » → accept")
    page.keyboard.press("j")
    page.keyboard.press("r")
    expect(page.locator("#status")).to_have_text("saved: « accord » → reject")
    page.locator(".row").nth(2).locator("input.decision").fill("perhaps")
    page.locator(".row").nth(2).locator("input.decision").press("Enter")
    expect(page.locator("#status")).to_have_text("009.tsv:4: 'perhaps' is not a decision (accept, reject, "
                                                 "same:<slug>, kind:<Class>, rename:<label>, span:<start>,<end>, "
                                                 "parties:<slug>,<slug>)")
    page.locator(".text mark", has_text="JO de").click()
    expect(page.locator(".row.current")).to_contain_text("JO de Pékin 2022")
    page.locator(".row.current select.kind").select_option("Event")
    expect(page.locator("#status")).to_have_text("saved: « JO de Pékin 2022 » → kind:Event")
    decisions = [r.decision for r in read_review(files.table)]
    assert decisions == ["accept", "reject", "", "kind:Event"]
    screenshot(page, "review-page.png", request, tmp_path)


def test_decide_facts_and_add_a_name_by_selecting_it(page: Page, review_server: str, files: ReviewFiles,
                                                     request: pytest.FixtureRequest, tmp_path: Path) -> None:
    page.goto(review_server + "/")
    for _ in range(5):  # past the four names rows, to the first fact
        page.keyboard.press("j")
    expect(page.locator(".row.current")).to_contain_text("accord-009-32 mkg:party ville-de-chambery")
    expect(page.locator(".text mark.selected").first).to_have_text("Ville de Chambéry")  # its object, outlined
    page.keyboard.press("a")
    expect(page.locator("#status")).to_have_text("saved: accord-009-32 mkg:party ville-de-chambery → accept")
    assert [f.decision for f in read_facts(files.facts)] == ["accept", ""]
    page.add_style_tag(content="aside { max-height: none; }")  # the whole column, facts below the names, in one image
    screenshot(page, "review-facts.png", request, tmp_path)
    page.evaluate("""() => {  // select « signé » as a reader would, with the mouse
        const segment = Array.from(document.querySelectorAll('.text [data-start]'))
            .find((s) => s.textContent.includes('signé'));
        const node = segment.firstChild, at = node.textContent.indexOf('signé');
        const range = document.createRange();
        range.setStart(node, at); range.setEnd(node, at + 'signé'.length);
        window.getSelection().removeAllRanges(); window.getSelection().addRange(range);
    }""")
    page.locator("#new-kind").select_option("Event")
    page.locator("#add-name").click()
    expect(page.locator(".row", has_text="signé")).to_have_count(1)
    row = next(r for r in read_review(files.table) if r.form == "signé")
    assert row.mentions == ((TEXT.index("signé"), TEXT.index("signé") + len("signé")),)
