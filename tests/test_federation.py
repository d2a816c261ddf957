"""The SERVICE guard decides on the parsed query, and a query it clears cannot reach the network anyway.

Every escape trick below is sent to the real endpoint (real query processes) while a loopback listener counts the
requests that reach it: 0, always. A positive control shows the listener does count an allowed SERVICE.
"""

from __future__ import annotations

import json
import multiprocessing
import signal
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from montagne_kg.serving import create_app, querypool, sandbox
from montagne_kg.serving.answers import QueryJob
from montagne_kg.serving.federation import FederationRefused, TooDeep, check_nesting, guard, service_iris
from montagne_kg.serving.settings import Settings
from tests.conftest import StandIn, sparql_stand_in

BASE = "http://localhost/sparql"
WD = "https://query.wikidata.org/sparql"
ALLOWED = "https://allowed.example/sparql"
EMPTY_RESULTS = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": []}}).encode()


@pytest.mark.parametrize("query,expected", [
    (f"SELECT * WHERE {{ SERVICE <{WD}> {{ ?s ?p ?o }} }}", [WD]),
    (f"select * where {{ service silent <{WD}> {{ ?s ?p ?o }} }}", [WD]),
    ("PREFIX w: <https://query.wikidata.org/> SELECT * { SERVICE w:sparql { ?s ?p ?o } }", [WD]),
    ("BASE <https://query.wikidata.org/> SELECT * { SERVICE <sparql> { ?s ?p ?o } }", [WD]),
    ("SELECT * { SERVICE <other> { ?s ?p ?o } }", ["http://localhost/other"]),
    ("SELECT * { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(lang(?l) = 'fr') "
     f"SERVICE <{WD}> {{ ?s ?p ?o }} }}", [WD]),
    ("# SERVICE <http://evil.example/>\nSELECT ('SERVICE <http://evil.example/>' AS ?x) {}", []),
    ('SELECT ("""a\nSERVICE <http://evil.example/>""" AS ?x) {}', []),
    ("PREFIX ex: <http://example.org/> SELECT * { ?s <http://example.org/SERVICE> ?o . ?s ex:service ?x }", []),
    (f"SELECT * {{ SERVICE <{WD}> {{ SERVICE <http://b.example/> {{ ?s ?p ?o }} }} }}", [WD, "http://b.example/"]),
    ("SELECT * { FILTER EXISTS { SERVICE <http://b.example/> { ?s ?p ?o } } }", ["http://b.example/"]),
    ("SELECT * { { SELECT ?s { SERVICE <http://b.example/> { ?s ?p ?o } } } }", ["http://b.example/"]),
    ("PREFIX ex: <http://e/> SELECT * WHERE { VALUES ?v { ex:a\\#b } SERVICE <http://b.example/> { ?x ?p ?o } }",
     ["http://b.example/"]),
])
def test_service_iris_come_from_the_parsed_query(query: str, expected: list[str]) -> None:
    assert service_iris(query, BASE) == expected


@pytest.mark.parametrize("query,reason", [
    ("SELECT * { SERVICE ?endpoint { ?s ?p ?o } }", "variable"),
    ("SELECT * { SERVICE SILENT $e { ?s ?p ?o } }", "variable"),
    ("SELECT * { SERVICE nope:x { ?s ?p ?o } }", "cannot read it"),
    ("SELECT * { SERVICE", "cannot read it"),
])
def test_unreadable_or_variable_service_is_refused(query: str, reason: str) -> None:
    with pytest.raises(FederationRefused, match=reason):
        service_iris(query, BASE)


def test_guard_rewrites_only_allowed_iris() -> None:
    query = f"SELECT * {{ SERVICE <{WD}> {{ ?s ?p ?o }} }}"
    cleared = guard(query, BASE, [WD], {WD: "http://127.0.0.1:9999/sparql"})
    assert cleared.query == "SELECT * { SERVICE <http://127.0.0.1:9999/sparql> { ?s ?p ?o } }" and cleared.federated
    with pytest.raises(FederationRefused, match="not allowed"):
        guard("SELECT * { SERVICE <http://evil.example/> { ?s ?p ?o } }", BASE, [WD], {})
    with pytest.raises(FederationRefused, match="disabled"):
        guard(query, BASE, [], {})
    plain = guard("SELECT * { ?s ?p ?o }", BASE, [], {})
    assert plain.query == "SELECT * { ?s ?p ?o }" and not plain.federated


def test_nesting_is_bounded_before_any_parser() -> None:
    check_nesting("(" * 10 + ")" * 10, 10)
    with pytest.raises(TooDeep, match="more than 10 deep"):
        check_nesting("SELECT * { " + "(" * 11, 10)


@pytest.fixture(scope="module")
def listener() -> Iterator[StandIn]:
    """A loopback HTTP server that is not on the allow-list; every request it gets is a guard failure."""
    with sparql_stand_in() as stand_in:
        stand_in.body = EMPTY_RESULTS
        yield stand_in


@pytest.fixture(scope="module")
def allowed_remote() -> Iterator[StandIn]:
    with sparql_stand_in() as stand_in:
        stand_in.body = EMPTY_RESULTS
        yield stand_in


@pytest.fixture(scope="module")
def guarded_app(build_dir: Path, allowed_remote: StandIn) -> Iterator[Flask]:
    settings = Settings(build_dir=build_dir.parent, time_limit=5, service_allow=(ALLOWED,),
                        service_override={ALLOWED: allowed_remote.url})
    app = create_app({"SETTINGS": settings})
    yield app
    app.extensions["kg"].close()


def tricks(loop: str) -> list[str]:
    """Queries that try to reach ``loop`` (a loopback URL ending in /sparql) past the guard."""
    host = loop.removesuffix("/sparql")
    escaped_host = host.replace("127.0.0.1", "\\u0031\\u0032\\u0037.0.0.1")
    return [
        f"PREFIX ex: <http://e/> SELECT * WHERE {{ VALUES ?v {{ ex:a\\#b }} SERVICE <{loop}> {{ ?x ?p ?o }} }}",
        f"SELECT * WHERE {{ VALUES ?v {{ <http://e/\\u0023x> }} SERVICE <{loop}> {{ ?x ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p 'it\\'s' SERVICE <{loop}> {{ ?x ?p ?o }} }}",
        f'SELECT * WHERE {{ ?s ?p """a "#" b""" SERVICE <{loop}> {{ ?x ?p ?o }} }}',
        f"SELECT * WHERE {{ ?s ?p '''it's # here''' . SERVICE <{loop}> {{ ?x ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p \"#\" . # a comment with > and \" in it\n SERVICE <{loop}> {{ ?x ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s <http://e/a#b> ?o . SERVICE <{loop}> {{ ?x ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{loop}> {{ ?x ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <{escaped_host}/sparql> {{ ?x ?p ?o }} }}",
        f"select * where {{ sErViCe SiLeNt <{loop}> {{ ?x ?p ?o }} }}",
        f"PREFIX l: <{host}/> SELECT * WHERE {{ SERVICE l:sparql {{ ?x ?p ?o }} }}",
        f"BASE <{host}/> SELECT * WHERE {{ SERVICE <sparql> {{ ?x ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{loop}> AS ?e) SERVICE ?e {{ ?x ?p ?o }} }}",
        f"SELECT * WHERE {{ FILTER EXISTS {{ SERVICE <{loop}> {{ ?x ?p ?o }} }} }}",
        f"SELECT * WHERE {{ {{ SELECT * {{ SERVICE <{loop}> {{ ?x ?p ?o }} }} }} }}",
        f"SELECT * WHERE {{ OPTIONAL {{ SERVICE <{loop}> {{ ?x ?p ?o }} }} }}",
        f"SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE <{loop}> {{ ?x ?p ?o }} }} }}",
        f"SELECT * WHERE {{ SERVICE <{ALLOWED}> {{ SERVICE <{loop}> {{ ?x ?p ?o }} }} }}",
        f"ASK {{ SERVICE <{loop}> {{ ?x ?p ?o }} }}",
        f"CONSTRUCT {{ ?x ?p ?o }} WHERE {{ SERVICE <{loop}> {{ ?x ?p ?o }} }}",
        f"DESCRIBE ?x WHERE {{ SERVICE <{loop}> {{ ?x ?p ?o }} }}",
        f"SELECT * FROM <{loop}> WHERE {{ ?s ?p ?o }}",
    ]


def test_no_escape_trick_reaches_a_loopback_service(guarded_app: Flask, listener: StandIn) -> None:
    client = guarded_app.test_client()
    for query in tricks(listener.url):
        for send in (lambda q: client.get(f"/sparql?query={quote(q)}"),
                     lambda q: client.post("/sparql", data=q.encode(),
                                           content_type="application/sparql-query")):
            response = send(query)
            assert response.status_code in (200, 400), (query, response.status_code, response.data)
            assert listener.requests == [], f"the loopback service was called by {query!r}"


def test_the_listener_does_count_an_allowed_service(guarded_app: Flask, allowed_remote: StandIn) -> None:
    """Positive control: the allowed SERVICE (overridden to a loopback stand-in) is called once."""
    before = len(allowed_remote.requests)
    response = guarded_app.test_client().get(
        f"/sparql?query={quote(f'SELECT * WHERE {{ SERVICE <{ALLOWED}> {{ ?x ?p ?o }} }}')}")
    assert response.status_code == 200, response.data
    assert len(allowed_remote.requests) == before + 1


def test_a_query_the_guard_missed_still_cannot_reach_the_network(guarded_app: Flask, listener: StandIn) -> None:
    """Defence in depth: a SERVICE call sent to a local (sandboxed) query process, as if the guard had a bug."""
    pool = guarded_app.extensions["kg"].engine
    job = QueryJob(query=f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?x ?p ?o }} }}", format="json")
    answer = pool.run(job)
    assert answer.status == 400 and b"Query evaluation error" in answer.body, answer.body
    assert listener.requests == []
    silent = QueryJob(query=f"SELECT * WHERE {{ SERVICE SILENT <{listener.url}> {{ ?x ?p ?o }} }}", format="json")
    assert pool.run(silent).status == 200
    assert listener.requests == []


def test_a_local_query_process_has_no_internet_sockets(guarded_app: Flask) -> None:
    """The filter itself, as the kernel reports it: local query processes have it, federated ones do not."""
    pool = guarded_app.extensions["kg"].engine
    local, federated = pool.call(pool.spawn, querypool.LOCAL), pool.call(pool.spawn, querypool.FEDERATED)
    try:
        assert seccomp_mode(local.pid) == 2
        assert seccomp_mode(federated.pid) == 0
    finally:
        pool.loop.call_soon_threadsafe(local.kill)
        pool.loop.call_soon_threadsafe(federated.kill)


def seccomp_mode(pid: int) -> int:
    """0: no filter, 2: a seccomp filter (from /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Seccomp:"):
            return int(line.split()[1])
    raise AssertionError("no Seccomp line in /proc status")


def test_the_sandbox_check_fails_where_the_filter_cannot_load(monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable() -> None:
        raise sandbox.SandboxUnavailable("no seccomp here")

    sandbox.check_available()
    monkeypatch.setattr(sandbox, "forbid_network", unavailable)
    with pytest.raises(sandbox.SandboxUnavailable, match="cannot keep query processes off the network"):
        sandbox.check_available()


def test_the_zygote_refuses_to_serve_without_a_sandbox(build_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No query process is ever started unfiltered unless allow_unsandboxed says so; the reason names the setting."""
    def unavailable() -> None:
        raise sandbox.SandboxUnavailable("no seccomp here")

    monkeypatch.setattr(sandbox, "check_available", unavailable)
    handlers = {  # zygote_main sets these for its own process: restore pytest's afterwards
        signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGHUP)}
    ours, theirs = multiprocessing.Pipe()
    querypool.zygote_main(str(build_dir / "unused.sock"), str(build_dir), "memory", True, theirs)
    for signum, handler in handlers.items():
        signal.signal(signum, handler)
    status, message = ours.recv()
    assert status == "failed" and "allow_unsandboxed" in message and "no seccomp here" in message
    assert not (build_dir / "unused.sock").exists()


def test_allow_unsandboxed_serves_with_unfiltered_processes_and_says_so(build_dir: Path) -> None:
    app = create_app({"SETTINGS": Settings(build_dir=build_dir.parent, allow_unsandboxed=True)})
    try:
        client: FlaskClient = app.test_client()
        assert client.get("/-/settings").get_json()["allow_unsandboxed"] is True
        assert client.get(f"/sparql?query={quote('ASK {}')}").status_code == 200
        pool = app.extensions["kg"].engine
        local = pool.call(pool.spawn, querypool.LOCAL)
        assert seccomp_mode(local.pid) == 0
        pool.loop.call_soon_threadsafe(local.kill)
    finally:
        app.extensions["kg"].close()
