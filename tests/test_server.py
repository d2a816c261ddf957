"""The real server as the README runs it: granian workers, time limit, long GETs, real clients, reloads."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from rdflib import Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore

from montagne_kg.building.build import Assembled, write_build
from montagne_kg.building.project import Project
from montagne_kg.layout import DISK_STORE, current_build
from montagne_kg.namespaces import DEFAULT_BASE
from tests.conftest import ROOT, free_port, live_server
from tests.helpers import CHAMBERY, LABEL, fetch, health, serve_master, serves_only, slow_query


def test_a_slow_query_gets_503_while_other_clients_are_answered(build_dir: Path) -> None:
    with live_server(build_dir.parent, "--time-limit", "1", "--workers", "2") as url:
        slow: dict = {}

        def send_slow() -> None:
            slow["status"], _, slow["body"] = fetch(f"{url}/sparql?query={quote(slow_query())}")

        thread = threading.Thread(target=send_slow)
        thread.start()
        time.sleep(0.3)
        status, _, body = fetch(f"{url}/sparql?query={quote('ASK {}')}")
        answered_while_slow_ran = thread.is_alive()
        thread.join()
        assert status == 200 and json.loads(body)["boolean"] is True
        assert answered_while_slow_ran, "the ASK must be answered while the slow query is still running"
        assert slow["status"] == 503
        assert b"query exceeded 1 s" in slow["body"]
        assert fetch(f"{url}/sparql?query={quote('ASK {}')}")[0] == 200


def test_long_get_queries_work_and_post_takes_longer_ones(build_dir: Path) -> None:
    with live_server(build_dir.parent) as url:
        long_query = "#" + "x" * 20_000 + "\n" + LABEL
        status, _, body = fetch(f"{url}/sparql?query={quote(long_query)}")
        assert status == 200 and json.loads(body)["results"]["bindings"][0]["l"]["value"] == "Chambéry"
        status, _, body = fetch(f"{url}/sparql", data=("#" + "x" * 500_000 + "\n" + LABEL).encode(),
                                headers={"Content-Type": "application/sparql-query"})
        assert status == 200 and b"Chamb" in body


def test_rdflib_sparqlstore_is_a_working_client(build_dir: Path) -> None:
    with live_server(build_dir.parent) as url:
        store = SPARQLStore(f"{url}/sparql")  # its defaults: XML results, RDF/XML graphs
        rows = list(store.query(LABEL))
        assert [row[0] for row in rows] == [Literal("Chambéry", lang="fr")]
        described = store.query(f"CONSTRUCT {{ <{CHAMBERY}> ?p ?o }} WHERE {{ <{CHAMBERY}> ?p ?o }}")
        assert (URIRef(CHAMBERY), None, None) in described.graph
        store.close()


def test_python_server_py_serves_like_montagne_kg_serve(build_dir: Path) -> None:
    port = free_port()
    process = subprocess.Popen([sys.executable, "server.py", "--build-dir", str(build_dir.parent), "--port", str(port)],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                body = health(url)
                break
            except OSError:
                time.sleep(0.05)
        assert body["build"] == build_dir.name
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_hup_picks_up_a_new_build(assembled: Assembled, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = write_build(assembled, out)
    with live_server(out) as url:
        assert health(url)["build"] == first.name
        smaller = Assembled(assembled.base, {n: g for n, g in assembled.graphs.items() if "release/003" not in n})
        second = write_build(smaller, out)
        assert second != first and current_build(out) == second
        os.kill(serve_master(out, url), signal.SIGHUP)
        assert serves_only(url, second.name)
        ask = quote('ASK { ?x ?p "Almaty"@fr }')
        assert json.loads(fetch(f"{url}/sparql?query={ask}")[2])["boolean"] is False


def test_the_persistent_store_serves_the_same_answers(assembled: Assembled, tmp_path: Path) -> None:
    out = tmp_path / "out"
    built = write_build(assembled, out)
    with live_server(out, "--store", "disk") as url:
        assert (built / DISK_STORE).is_dir()
        status, _, body = fetch(f"{url}/sparql?query={quote(LABEL)}")
        assert status == 200 and json.loads(body)["results"]["bindings"][0]["l"]["value"] == "Chambéry"
        count = quote("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        total = json.loads(fetch(f"{url}/sparql?query={count}")[2])["results"]["bindings"][0]["n"]["value"]
        assert int(total) == json.loads((built / "manifest.json").read_text())["merged_triples"]


def test_serve_builds_first_when_there_is_no_build(tmp_path: Path) -> None:
    for folder in ("ontology", "data"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    out = tmp_path / "empty-build-dir"
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "montagne_kg.cli", "--root", str(tmp_path), "serve",
                                "--build-dir", str(out), "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                body = health(f"http://127.0.0.1:{port}")
                break
            except OSError:
                time.sleep(0.05)
        assert body["base"] == DEFAULT_BASE and current_build(out) is not None
        assert Project(tmp_path).release_ids() == ["000", "003"]
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.mark.parametrize("flag,value", [("--time-limit", "0.5"), ("--max-rows", "3")])
def test_limits_are_flags(build_dir: Path, flag: str, value: str) -> None:
    with live_server(build_dir.parent, flag, value) as url:
        if flag == "--max-rows":
            _, headers, body = fetch(f"{url}/sparql?query={quote('SELECT * WHERE { ?s ?p ?o }')}")
            assert headers["X-SPARQL-MaxRows"] == "3" and len(json.loads(body)["results"]["bindings"]) == 3
        else:
            status, _, body = fetch(f"{url}/sparql?query={quote(slow_query())}")
            assert status == 503 and b"query exceeded 0.5 s" in body


def test_limits_are_environment_variables(build_dir: Path) -> None:
    with live_server(build_dir.parent, env={"MONTAGNE_KG_MAX_ROWS": "2", "MONTAGNE_KG_SERVICE_ALLOW": ""}) as url:
        _, headers, _ = fetch(f"{url}/sparql?query={quote('SELECT * WHERE { ?s ?p ?o }')}")
        assert headers["X-SPARQL-MaxRows"] == "2"
        wikidata = quote("SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }")
        status, _, body = fetch(f"{url}/sparql?query={wikidata}")
        assert status == 400 and b"disabled" in body


def test_workers_and_zygote_end_with_a_killed_server(build_dir: Path) -> None:
    """kill -9 of `serve` leaves no worker or query process behind (each is told when its parent dies)."""
    with live_server(build_dir.parent) as url:
        assert fetch(f"{url}/sparql?query={quote('ASK {}')}")[0] == 200
        port = url.rsplit(":", 1)[1]
        main = int(subprocess.run(["pgrep", "-o", "-f", f"serve --build-dir {build_dir.parent} --port {port}"],
                                  capture_output=True, text=True, check=True).stdout.split()[0])
        family = descendants(main)
        assert len(family) >= 3, family  # workers, zygote, query processes
        os.kill(main, signal.SIGKILL)
        for _ in range(200):
            alive = [pid for pid in family if Path(f"/proc/{pid}").exists() and not zombie(pid)]
            if not alive:
                break
            time.sleep(0.05)
        assert alive == []


def descendants(pid: int) -> list[int]:
    children = [int(c) for c in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                                               text=True).stdout.split()]
    return [d for c in children for d in (c, *descendants(c))]


def zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except OSError:
        return False
