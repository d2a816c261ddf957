"""Remote engine mode: the front in front of Oxigraph server and Virtuoso, answering as the embedded store does.

The engines are real (Oxigraph server from PyPI, Virtuoso from Debian, both installed by `make test`), loaded by
`montagne-kg publish` from a copy of the session's build; the failure cases use a loopback stand-in.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, quote

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph
from rdflib.compare import isomorphic

from montagne_kg import publication
from montagne_kg.building.build import Assembled, write_build
from montagne_kg.layout import current_build, published_engine
from montagne_kg.publication import publish, retire
from montagne_kg.serving import create_app
from montagne_kg.serving.query_errors import tokens
from montagne_kg.serving.remote import query_form, standard_json, substituted
from montagne_kg.serving.settings import Settings
from tests.conftest import (
    ROOT,
    SERVER_LOGS,
    VIRTUOSO_LOADER_PASSWORD,
    StandIn,
    free_port,
    live_server,
    sparql_stand_in,
    until,
)
from tests.helpers import fetch, health, serve_master, serves_only

QUERIES = sorted((ROOT / "queries").glob("*.rq"))
FEDERATED = {p.stem for p in QUERIES if "SERVICE" in p.read_text(encoding="utf-8")}
# where Virtuoso's answer differs from Oxigraph's, and why (README, "Running at scale")
VIRTUOSO_DIFFERS = {
    "agreements": "2 of 13 rows: GRAPH ?release with rdfs:subClassOf* (Virtuoso's property paths inside GRAPH)",
    "jobs-created": "GROUP_CONCAT: Virtuoso returns a plain string, Oxigraph keeps the common language tag",
}
CARD = "SELECT ?p ?o WHERE { <https://w3id.org/montagne-kg/id/chambery> ?p ?o }"


def answer_of(client: FlaskClient, query: str, accept: str) -> tuple[int, object]:
    """Status and a comparable answer: a bag of JSON rows, a boolean, or an rdflib graph."""
    response = client.post("/sparql", data={"query": query}, headers={"Accept": accept})
    if response.status_code != 200:
        return response.status_code, None
    if response.mimetype == "text/turtle":
        return 200, Graph().parse(data=response.data, format="turtle")
    document = json.loads(response.data)
    if "boolean" in document:
        return 200, document["boolean"]
    return 200, sorted(json.dumps(row, sort_keys=True) for row in document["results"]["bindings"])


def both_answers(path: Path, client: FlaskClient, remote: Flask) -> tuple[tuple[int, object], tuple[int, object]]:
    """An example query's answer in embedded mode and through ``remote``."""
    query = path.read_text(encoding="utf-8")
    accept = "application/sparql-results+json, text/turtle;q=0.9"
    return answer_of(client, query, accept), answer_of(remote.test_client(), query, accept)


def same_answer(embedded: tuple[int, object], remote: tuple[int, object]) -> bool:
    if isinstance(embedded[1], Graph) and isinstance(remote[1], Graph):
        return embedded[0] == remote[0] and isomorphic(embedded[1], remote[1])
    return embedded == remote


@pytest.fixture(scope="module")
def oxigraph_app(oxigraph_out: Path) -> Iterator[Flask]:
    application = create_app({"SETTINGS": Settings(build_dir=oxigraph_out, engine="published")})
    yield application
    application.extensions["kg"].close()


@pytest.fixture(scope="module")
def virtuoso_app(virtuoso_out: Path) -> Iterator[Flask]:
    application = create_app({"SETTINGS": Settings(build_dir=virtuoso_out, engine="published")})
    yield application
    application.extensions["kg"].close()


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_every_example_query_answers_through_oxigraph_server_as_embedded(
        path: Path, client: FlaskClient, oxigraph_app: Flask) -> None:
    embedded, remote = both_answers(path, client, oxigraph_app)
    assert same_answer(embedded, remote), f"{path.stem}: embedded {embedded[0]}, remote {remote[0]}"
    assert remote[0] == (502 if path.stem in FEDERATED else 200)  # no network here: Wikidata is out of reach


@pytest.mark.parametrize("engine", ["oxigraph_app", "virtuoso_app"])
def test_an_unknown_function_is_the_same_400_through_either_engine(client: FlaskClient, engine: str,
                                                                    request: pytest.FixtureRequest) -> None:
    """Both engines answer a function they do not have with a 500; the front recognises their words and gives the
    400 of embedded mode, word for word."""
    query = quote("SELECT ?x WHERE { BIND(<http://example.org/f>(1) AS ?x) }")
    embedded = client.get(f"/sparql?query={query}")
    remote = request.getfixturevalue(engine).test_client().get(f"/sparql?query={query}")
    assert embedded.status_code == remote.status_code == 400
    assert remote.get_data(as_text=True) == embedded.get_data(as_text=True)
    assert "The custom function <http://example.org/f> is not supported" in remote.get_data(as_text=True)


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_every_example_query_answers_through_virtuoso_as_embedded_but_documented_differences(
        path: Path, client: FlaskClient, virtuoso_app: Flask) -> None:
    embedded, remote = both_answers(path, client, virtuoso_app)
    if path.stem in VIRTUOSO_DIFFERS:
        assert remote[0] == 200 and not same_answer(embedded, remote), f"{path.stem} now agrees: update the docs"
    else:
        assert same_answer(embedded, remote), f"{path.stem}: embedded {embedded[0]}, remote {remote[0]}"


@pytest.mark.parametrize("accept", ["application/sparql-results+xml", "text/csv", "text/tab-separated-values",
                                    "application/sparql-results+json"])
def test_result_formats_are_byte_for_byte_the_embedded_ones(accept: str, client: FlaskClient,
                                                            oxigraph_app: Flask, virtuoso_app: Flask) -> None:
    """The front writes every answer: a client cannot tell the backends apart by the terms' forms (Virtuoso's
    JSON says "lang" and "typed-literal"; ours says "xml:lang" and "literal")."""
    query = f"{CARD} ORDER BY ?p ?o"
    expected = client.get(f"/sparql?query={quote(query)}", headers={"Accept": accept})
    assert expected.status_code == 200
    for app in (oxigraph_app, virtuoso_app):
        got = app.test_client().get(f"/sparql?query={quote(query)}", headers={"Accept": accept})
        assert (got.status_code, got.content_type, got.data) == (200, expected.content_type, expected.data)


def test_pages_search_and_dumps_are_the_same_through_oxigraph_server(client: FlaskClient,
                                                                    oxigraph_app: Flask) -> None:
    """Every kind of page, byte for byte (page queries are bound by substitution, their rows put in one order)."""
    paths = ["/page/chambery", "/class/Firm?format=json", "/data/chambery.ttl", "/search?q=chambery",
             "/class/Firm", "/", "/page/release/000", "/dumps/montagne-kg.ttl", "/link/chambery",
             "/link/chambery?format=ttl", "/graph/release/000", "/dataset"]
    for path in paths:
        expected, got = client.get(path), oxigraph_app.test_client().get(path)
        assert expected.status_code in (200, 303), path
        assert (got.status_code, got.location, got.data) == (expected.status_code, expected.location,
                                                             expected.data), path


def test_pages_through_virtuoso_differ_only_where_virtuoso_changes_values(virtuoso_app: Flask) -> None:
    """Virtuoso stores xsd:boolean as an integer and xsd:duration as a number (README: documented differences):
    the release page shows them changed; everything else about it is there."""
    page = virtuoso_app.test_client().get("/page/release/000").get_data(as_text=True)
    assert "<tr><td>duration</td><td>120</td></tr>" in page  # P10Y, as months
    assert "<tr><td>counterpart not stated</td><td>no</td></tr>" in page  # true, as 1
    for path in ("/page/chambery", "/search?q=chambery", "/class/Firm", "/", "/link/chambery"):
        assert virtuoso_app.test_client().get(path).status_code == 200, path


@pytest.mark.parametrize("engine", ["oxigraph", "virtuoso"])
def test_health_names_the_engine_the_build_and_the_triples_it_counts(engine: str, request: pytest.FixtureRequest,
                                                                     ) -> None:
    out: Path = request.getfixturevalue(f"{engine}_out")
    app: Flask = request.getfixturevalue(f"{engine}_app")
    body = app.test_client().get("/-/health").get_json()
    record = published_engine(current_build(out))
    assert body["engine"] == record["url"] and body["build"] == current_build(out).name
    assert body["triples"] == body["build_triples"] == record["triples"] > 4000
    assert body["ready"] is True


def test_the_row_cap_and_its_header_apply_to_engine_answers(oxigraph_out: Path) -> None:
    app = create_app({"SETTINGS": Settings(build_dir=oxigraph_out, engine="published", max_rows=5)})
    try:
        response = app.test_client().get(f"/sparql?query={quote(CARD)}")
        assert response.status_code == 200 and response.headers["X-SPARQL-MaxRows"] == "5"
        assert len(response.get_json()["results"]["bindings"]) == 5
    finally:
        app.extensions["kg"].close()


def test_an_engine_answer_over_the_size_cap_is_503_and_not_read_on(oxigraph_out: Path) -> None:
    app = create_app({"SETTINGS": Settings(build_dir=oxigraph_out, engine="published", max_response_bytes=2000)})
    try:
        response = app.test_client().get(f"/sparql?query={quote('SELECT * WHERE { ?s ?p ?o }')}")
        assert response.status_code == 503 and b"larger than 2000 bytes" in response.data
    finally:
        app.extensions["kg"].close()


def test_a_syntax_error_is_a_400_with_the_message_people_read(client: FlaskClient, oxigraph_app: Flask,
                                                              virtuoso_app: Flask) -> None:
    """The engine decides that the query is wrong; the front says where and why, as in embedded mode."""
    query = quote("PREFIX ex: <http://e/>\nSELECT * WHERE { ?x foo:bar ?y }")
    expected = client.get(f"/sparql?query={query}").get_data(as_text=True)
    explained = expected.split("Query syntax error: ", 1)[1]
    assert explained.startswith("line 2, column 21: prefix foo: is not declared")
    for app in (oxigraph_app, virtuoso_app):
        got = app.test_client().get(f"/sparql?query={query}")
        assert got.status_code == 400
        assert got.get_data(as_text=True) == expected


def test_updates_are_refused_as_in_embedded_mode(oxigraph_app: Flask) -> None:
    response = oxigraph_app.test_client().post("/sparql", data={"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"})
    assert response.status_code == 403


def test_virtuoso_refuses_graph_store_writes_without_credentials(virtuoso_out: Path) -> None:
    url = published_engine(current_build(virtuoso_out))["url"].removesuffix("/sparql")
    response = httpx.put(f"{url}/sparql-graph-crud-auth", params={"graph-uri": "urn:x"}, content=b"",
                         headers={"Content-Type": "text/turtle"}, trust_env=False)
    assert response.status_code == 401


def test_digest_authentication_reaches_virtuosos_authenticated_endpoint(virtuoso_out: Path) -> None:
    """Virtuoso's /sparql-auth answers only after a digest challenge: the front answers through it with the
    loader account, and is refused (502 saying 401) with a wrong password."""
    record = published_engine(current_build(virtuoso_out))
    url = record["url"].replace("/sparql", "/sparql-auth")
    for password, status in ((VIRTUOSO_LOADER_PASSWORD, 200), ("wrong", 502)):
        app = create_app({"SETTINGS": Settings(
            build_dir=virtuoso_out, engine=url, engine_default_graph=record["default_graph"], engine_auth="digest",
            engine_user="montagne_loader", engine_password=password)})
        try:
            response = app.test_client().get(f"/sparql?query={quote(CARD)}")
            assert response.status_code == status, response.data
            if status == 200:
                assert len(response.get_json()["results"]["bindings"]) > 5
            else:
                assert b"answered HTTP 401" in response.data
        finally:
            app.extensions["kg"].close()


# failures, with a loopback stand-in for the engine


@pytest.fixture
def engine_stand_in() -> Iterator[StandIn]:
    with sparql_stand_in() as stand_in:
        stand_in.body = b'{"head": {}, "boolean": true}'
        yield stand_in


@contextmanager
def front_of(build_dir: Path, stand_in: StandIn, **settings: object) -> Iterator[Flask]:
    """The app in front of ``stand_in`` as its engine."""
    app = create_app({"SETTINGS": Settings(build_dir=build_dir.parent, engine=stand_in.url, **settings)})
    try:
        yield app
    finally:
        app.extensions["kg"].close()


def ask(app: Flask) -> tuple[int, str]:
    response = app.test_client().get(f"/sparql?query={quote('ASK {}')}")
    return response.status_code, response.get_data(as_text=True)


def test_an_engine_that_refuses_connections_is_a_502(build_dir: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/sparql"
    app = create_app({"SETTINGS": Settings(build_dir=build_dir.parent, engine=url)})
    try:
        status, text = ask(app)
        assert status == 502 and "could not be reached" in text
        assert app.test_client().get("/-/health").status_code == 503
    finally:
        app.extensions["kg"].close()


def test_an_engine_that_does_not_answer_in_time_is_a_504(build_dir: Path, engine_stand_in: StandIn) -> None:
    engine_stand_in.delay = 1.0
    with front_of(build_dir, engine_stand_in, engine_read_timeout=0.3) as app:
        status, text = ask(app)
        assert status == 504 and "did not answer within 0.3 s" in text


@pytest.mark.parametrize(("engine_status", "status", "words"), [
    (500, 502, "answered HTTP 500: out of memory"), (503, 502, "answered HTTP 503"),
    (401, 502, "answered HTTP 401"), (400, 400, "Query syntax error: out of memory")])
def test_engine_errors_map_to_the_front_s_statuses(build_dir: Path, engine_stand_in: StandIn, engine_status: int,
                                                   status: int, words: str) -> None:
    engine_stand_in.status, engine_stand_in.body = engine_status, b"out of memory"
    engine_stand_in.content_type = "text/plain"
    with front_of(build_dir, engine_stand_in) as app:
        got, text = ask(app)
        assert got == status and words in text


def test_an_answer_the_front_cannot_read_is_a_502(build_dir: Path, engine_stand_in: StandIn) -> None:
    engine_stand_in.body = b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": '  # broke off
    with front_of(build_dir, engine_stand_in) as app:
        status, text = ask(app)
        assert status == 502 and "broke off" in text


def test_a_partial_virtuoso_answer_is_a_503_not_a_short_result(build_dir: Path, engine_stand_in: StandIn) -> None:
    """Virtuoso's "anytime" queries answer 200 with what they found by MaxQueryExecutionTime, saying so only in
    X-SQL-State: the front never passes a cut result on as whole."""
    engine_stand_in.headers = {"X-SQL-State": "S1TAT"}
    with front_of(build_dir, engine_stand_in) as app:
        status, text = ask(app)
        assert status == 503 and "partial answer (S1TAT)" in text


def test_queries_are_posted_with_the_dataset_and_credentials_of_the_settings(build_dir: Path,
                                                                             engine_stand_in: StandIn) -> None:
    with front_of(build_dir, engine_stand_in, engine_default_graph="urn:merge", engine_auth="bearer",
                  engine_token="t0ken") as app:
        assert ask(app)[0] == 200
        sent = engine_stand_in.requests[-1]
        fields = parse_qs(sent["body"])
        assert sent["method"] == "POST" and sent["headers"]["Authorization"] == "Bearer t0ken"
        assert fields["query"] == ["ASK {}"] and fields["default-graph-uri"] == ["urn:merge"]
        assert sorted(fields["named-graph-uri"]) == sorted(app.extensions["kg"].manifest["graphs"])
        assert sent["headers"]["Accept"].startswith("application/sparql-results+json")
        app.test_client().get(f"/sparql?query={quote('ASK FROM <urn:g> {}')}")
        assert "default-graph-uri" not in parse_qs(engine_stand_in.requests[-1]["body"])  # the query's own
        app.test_client().post("/sparql", data={"query": 'ASK { ?s ?p "from" }'})  # a word in a string: no FROM
        assert parse_qs(engine_stand_in.requests[-1]["body"])["default-graph-uri"] == ["urn:merge"]
        app.test_client().get(f"/sparql?query={quote('ASK {}')}&named-graph-uri=urn:n")
        assert parse_qs(engine_stand_in.requests[-1]["body"]) == {"query": ["ASK {}"], "named-graph-uri": ["urn:n"]}
        assert app.test_client().get("/-/settings").get_json()["engine_token"] == "********"


def test_get_and_basic_authentication(build_dir: Path, engine_stand_in: StandIn) -> None:
    with front_of(build_dir, engine_stand_in, engine_method="get", engine_auth="basic", engine_user="reader",
                  engine_password="pw") as app:
        assert ask(app)[0] == 200
        sent = engine_stand_in.requests[-1]
        assert sent["method"] == "GET" and parse_qs(sent["path"].split("?", 1)[1])["query"] == ["ASK {}"]
        assert sent["headers"]["Authorization"] == "Basic cmVhZGVyOnB3"  # reader:pw


def test_a_construct_asks_the_engine_for_a_graph(build_dir: Path, engine_stand_in: StandIn) -> None:
    engine_stand_in.body, engine_stand_in.content_type = b"<urn:a> <urn:b> <urn:c> .\n", "application/n-triples"
    with front_of(build_dir, engine_stand_in) as app:
        response = app.test_client().get(f"/sparql?query={quote('PREFIX x: <urn:> CONSTRUCT WHERE { ?s ?p ?o }')}",
                                         headers={"Accept": "text/turtle"})
        assert response.status_code == 200 and b"<urn:a> <urn:b> <urn:c>" in response.data
        assert engine_stand_in.requests[-1]["headers"]["Accept"].startswith("application/n-triples")


def test_service_is_checked_by_the_front_before_anything_is_sent(build_dir: Path, engine_stand_in: StandIn) -> None:
    with front_of(build_dir, engine_stand_in) as app:
        query = quote("SELECT * WHERE { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }")
        response = app.test_client().get(f"/sparql?query={query}")
        assert response.status_code == 400 and b"is not allowed" in response.data
        assert engine_stand_in.requests == []


def test_a_relative_iri_is_resolved_against_the_endpoint_as_embedded(client: FlaskClient,
                                                                     oxigraph_app: Flask) -> None:
    query = quote("SELECT ?x WHERE { BIND(<relative> AS ?x) }")
    expected = client.get(f"/sparql?query={query}").get_json()
    assert expected["results"]["bindings"][0]["x"]["value"] == "http://localhost/relative"
    assert oxigraph_app.test_client().get(f"/sparql?query={query}").get_json() == expected


def test_engine_published_without_a_published_build_says_so(build_dir: Path) -> None:
    with pytest.raises(RuntimeError, match="has not been published to an engine: run `montagne-kg publish`"):
        create_app({"SETTINGS": Settings(build_dir=build_dir.parent, engine="published")})


# `serve --engine published`: the build's engine, switched on SIGHUP


def test_serve_published_switches_to_the_new_builds_engine_on_hup_and_retires_the_old(assembled: Assembled,
                                                                                       tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = write_build(assembled, out)
    publish(first, Settings(build_dir=out, publish_port=free_port()))
    old = published_engine(first)
    try:
        with live_server(out, "--engine", "published", "--workers", "1", "--time-limit", "1") as url:
            assert health(url)["build"] == first.name and health(url)["engine"] == old["url"]
            smaller = Assembled(assembled.base, {n: g for n, g in assembled.graphs.items() if "release/003" not in n})
            second = write_build(smaller, out)
            os.kill(serve_master(out, url), signal.SIGHUP)  # not published yet: the server keeps the first build
            assert until(lambda: any(f"still serving {first.name}" in line for line in SERVER_LOGS[url]), 30)
            assert health(url)["build"] == first.name
            publish(second, Settings(build_dir=out, publish_port=free_port()))
            os.kill(serve_master(out, url), signal.SIGHUP)
            assert serves_only(url, second.name)
            body = health(url)
            assert body["engine"] == published_engine(second)["url"]
            assert body["triples"] == body["build_triples"] == published_engine(second)["triples"]
            ask = quote('ASK { ?x ?p "Almaty"@fr }')
            assert json.loads(fetch(f"{url}/sparql?query={ask}")[2])["boolean"] is False
            # the old engine is stopped once the old workers are gone, its store and record removed
            assert until(lambda: published_engine(first) is None, 30)
            engine_process = next(p for p in publication.STARTED if p.pid == old["pid"])  # started (so reaped) here
            assert not Path(old["store"]).exists() and until(lambda: engine_process.poll() is not None, 5)
        # a server that stops leaves the engine it served running and recorded: the next start serves it again
        assert published_engine(second) is not None and publication.running(published_engine(second)["pid"])
    finally:
        for build in (first, *(b for b in out.iterdir() if b.is_dir() and not b.is_symlink())):
            retire(build)


# what the front sends: pure functions


def test_bound_variables_are_substituted_and_projected_never_inside_strings_iris_or_comments() -> None:
    query = ('SELECT ?entity ?label WHERE { ?entity <urn:p> ?label FILTER(?label != "?entity") } # ?entity\n'
             'ORDER BY ?label')
    assert substituted(query, (("entity", "urn:e"),)) == (
        'SELECT (<urn:e> AS ?entity) ?label WHERE { <urn:e> <urn:p> ?label FILTER(?label != "?entity") } '
        '# ?entity\nORDER BY ?label')
    construct = "CONSTRUCT { ?r ?p ?v } WHERE { ?r ?p ?v }"
    assert substituted(construct, (("r", "urn:r"),)) == "CONSTRUCT { <urn:r> ?p ?v } WHERE { <urn:r> ?p ?v }"


@pytest.mark.parametrize(("query", "form"), [
    ("PREFIX a: <urn:a> BASE <urn:b> select * {}", "SELECT"), ("ASK {}", "ASK"),
    ("PREFIX c: <urn:c>\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"), ("describe <urn:x>", "DESCRIBE"),
    ("INSERT DATA {}", None), ("", None)])
def test_the_query_form_chooses_what_the_engine_is_asked_for(query: str, form: str | None) -> None:
    assert query_form(tokens(query)) == form


def test_virtuoso_json_terms_are_read_as_sparql_1_1_ones() -> None:
    body = (b'{"head": {"vars": ["x", "y"]}, "results": {"bindings": [{"x": {"type": "literal", "lang": "fr", '
            b'"value": "Chamb\\u00e9ry"}, "y": {"type": "typed-literal", "datatype": '
            b'"http://www.w3.org/2001/XMLSchema#integer", "value": "3"}}]}}')
    row = json.loads(standard_json(body))["results"]["bindings"][0]
    assert row == {"x": {"type": "literal", "xml:lang": "fr", "value": "Chambéry"},
                   "y": {"type": "literal", "datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "3"}}
    plain = b'{"head": {"vars": []}, "results": {"bindings": []}}'
    assert standard_json(plain) is plain


# `montagne-kg publish`


def test_publish_command_records_the_engine_and_refuses_to_publish_twice(build_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(build_dir.parent, out, symlinks=True)
    build = current_build(out)
    command = [sys.executable, "-m", "montagne_kg.cli", "publish", "--build-dir", str(out), "--publish-port",
               str(free_port())]
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
        record = published_engine(build)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(f"published {build.name}: {record['triples']} triples in oxigraph at "
                                      f"{record['url']}")
        assert Path(record["store"]) == build / "engine-oxigraph"
        again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert again.returncode == 1 and f"build {build.name} is already published" in again.stderr
    finally:
        retire(build)
    assert published_engine(build) is None and not (build / "engine-oxigraph").exists()


@pytest.mark.parametrize(("engine", "loaded"), [("embedded", False), ("oxigraph", True)])
def test_the_remote_engines_http_client_is_loaded_only_by_a_front_that_uses_it(
        build_dir: Path, oxigraph_out: Path, engine: str, loaded: bool) -> None:
    """aiohttp (the remote engine's client, and the relay's, in its own process) is never imported by an embedded
    front; a remote one imports it."""
    out = build_dir.parent if engine == "embedded" else oxigraph_out
    published = "" if engine == "embedded" else ", engine='published'"
    code = ("import sys; from pathlib import Path; from montagne_kg.serving import create_app; "
            "from montagne_kg.serving.settings import Settings; "
            f"app = create_app({{'SETTINGS': Settings(build_dir=Path({str(out)!r}){published})}}); "
            "assert app.test_client().get('/sparql?query=ASK%7B%7D').status_code == 200; "
            "print('aiohttp' in sys.modules); app.extensions['kg'].close()")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(loaded)]
