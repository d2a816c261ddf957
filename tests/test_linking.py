"""`montagne-kg link` and `link --check` against a loopback stand-in of Wikidata's action API.

The API answers below are SYNTHETIC, hand-written in the documented wbsearchentities / wbgetentities
response shapes; they are not Wikidata's data.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Iterator
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from rdflib import Graph

from montagne_kg import cli
from montagne_kg.namespaces import DEFAULT_BASE, MKG, WD
from tests.conftest import ROOT


def item(qid: str, label: str, description: str, p31: str, p17: str | None = None) -> dict:
    claims = {"P31": [{"mainsnak": {"datavalue": {"value": {"id": p31}}}}]}
    if p17:
        claims["P17"] = [{"mainsnak": {"datavalue": {"value": {"id": p17}}}}]
    return {"id": qid, "labels": {"fr": {"language": "fr", "value": label}},
            "descriptions": {"fr": {"language": "fr", "value": description}}, "claims": claims}


SEARCH = {"Zhangjiakou": ["Q900001", "Q900002"], "Snowland": ["Q900003"], "ABEST": []}
ENTITIES = {
    "Q900001": item("Q900001", "Zhangjiakou", "synthetic: city in China", "Q515", "Q148"),
    "Q900002": item("Q900002", "Zhangjiakou Region", "synthetic: region of China", "Q1", "Q148"),
    "Q900003": item("Q900003", "Snowland", "synthetic: in France on purpose (ours is in China)", "Q515", "Q142"),
    "Q142": item("Q142", "France", "synthetic", "Q6256"),
    "Q148": item("Q148", "People's Republic of China", "synthetic", "Q6256"),
    "Q38": {"id": "Q999999", "redirects": {"from": "Q38", "to": "Q999999"}, "labels": {}},
    "Q232": {"id": "Q232", "missing": ""},
    "Q27275": item("Q27275", "Asie centrale", "synthetic: renamed on purpose", "Q82794"),
}
LINKS_FILE = Path(__file__).resolve().parents[1] / "data" / "links" / "wikidata.ttl"


@cache
def recorded_items() -> dict[str, dict]:
    """Every published link's item, labelled as its record says (synthetic: an unchanged item)."""
    graph = Graph().parse(LINKS_FILE)
    items = {}
    for record in graph.subjects(MKG.linkSubject, None):
        qid = str(graph.value(record, MKG.linkTarget)).removeprefix(str(WD))
        items[qid] = item(qid, str(graph.value(record, MKG.itemLabel)), "synthetic: unchanged", "Q1")
    return items


@pytest.fixture
def api() -> Iterator[tuple[str, list[dict]]]:
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            params = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            received.append(params)
            if params.get("action") == "wbsearchentities":
                body = {"search": [{"id": q} for q in SEARCH.get(params["search"], [])]}
            else:
                known = {**recorded_items(), **ENTITIES}
                body = {"entities": {q: known[q] for q in params["ids"].split("|")}}
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/w/api.php", received
    finally:
        server.shutdown()
        server.server_close()


def test_link_keeps_and_skips_no_item_expected_rows(api, tmp_path: Path, capsys) -> None:
    """A curator's no-item-expected verdict is never looked up nor overwritten; other rows are refreshed."""
    url, received = api
    out = tmp_path / "candidates.csv"
    out.write_text((ROOT / "data" / "links" / "candidates.csv").read_text(encoding="utf-8"), encoding="utf-8")
    before = {r["entity"]: r for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))}
    settled = {iri for iri, row in before.items() if row["status"] == "no-item-expected"}
    assert len(settled) >= 8
    code = cli.main(["link", "--api", url, "--candidates", str(out), "--only", "fete-du-14-juillet-a-almaty",
                     "deplacement-ministeriel-chine-2017", "abest"])
    assert code == 0, capsys.readouterr().err
    after = {r["entity"]: r for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))}
    assert all(after[iri] == before[iri] for iri in settled)
    searched = {r["search"] for r in received if r["action"] == "wbsearchentities"}
    assert searched == {"ABEST"}
    assert after[f"{DEFAULT_BASE}id/abest"]["status"] == "no-item"


def test_link_ranks_candidates_rejects_wrong_countries_and_reports_no_item(api, tmp_path: Path, capsys) -> None:
    url, received = api
    out = tmp_path / "candidates.csv"
    code = cli.main(["link", "--api", url, "--candidates", str(out), "--only", "zhangjiakou", "snowland", "abest"])
    assert code == 0, capsys.readouterr().err
    rows = {r["entity"].rsplit("/", 1)[1]: r for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))}
    assert rows["zhangjiakou"]["status"] == "candidate" and rows["zhangjiakou"]["qid"] == "Q900001"
    assert "not published" in rows["zhangjiakou"]["reason"]
    assert rows["snowland"]["status"] == "no-item" and "Q900003 rejected" in rows["snowland"]["reason"]
    assert rows["abest"]["status"] == "no-item" and "no result" in rows["abest"]["evidence"]
    searches = [r for r in received if r["action"] == "wbsearchentities"]
    assert {r["search"] for r in searches} == {"Zhangjiakou", "Snowland", "ABEST"}
    assert all(r["language"] == "fr" and r["type"] == "item" and r["format"] == "json" for r in searches)
    gets = [r for r in received if r["action"] == "wbgetentities"]
    assert {r["ids"] for r in gets} == {"Q900001|Q900002", "Q900003"}
    assert all("claims" in r["props"] for r in gets)


def test_link_check_reports_deleted_redirected_and_relabelled_items(api, capsys) -> None:
    url, received = api
    code = cli.main(["link", "--check", "--api", url])
    report = capsys.readouterr().out
    assert code == 1
    assert "Q232 no longer exists" in report
    assert "Q38 now redirects to Q999999" in report
    assert "Q27275 is no longer labelled 'Central Asia'" in report
    assert "Q142" not in report and "Q148" not in report and "Q35493" not in report
    assert len(report.strip().splitlines()) == 3, report
    assert received[-1]["action"] == "wbgetentities"
    assert set(received[-1]["ids"].split("|")) == set(recorded_items()), "every published link is re-checked"
    assert {"Q142", "Q148", "Q232", "Q27275", "Q38", "Q165090", "Q956"} <= set(recorded_items())


def test_link_reports_an_unreachable_api(tmp_path: Path, capsys) -> None:
    code = cli.main(["link", "--api", "http://127.0.0.1:9/w/api.php", "--candidates", str(tmp_path / "c.csv"),
                     "--only", "zhangjiakou"])
    assert code == 2 and "Wikidata API error" in capsys.readouterr().err
