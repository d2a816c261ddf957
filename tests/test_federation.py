"""The SERVICE guard decides on the parsed query, and a query it clears cannot reach the network anyway.

Every escape trick below is sent to the real endpoint (real query processes) while a loopback listener counts the
requests that reach it: 0, always. A positive control shows the listener does count an allowed SERVICE. Federated
query processes are confined by the kernel: handed a query the guard never saw, they still reach only the relay.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from montagne_kg.serving import create_app, querypool, sandbox
from montagne_kg.serving.answers import QueryJob
from montagne_kg.serving.federation import FederationRefused, ServiceGuard, may_use_service, service_iris
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


RELAY = "http://127.0.0.1:4242"


def test_the_guard_sends_allowed_iris_to_the_relay() -> None:
    guard = ServiceGuard((ALLOWED, WD), relay=RELAY, confinement="namespace")
    query = f"SELECT * {{ SERVICE <{WD}> {{ ?s ?p ?o }} OPTIONAL {{ SERVICE <{ALLOWED}> {{ ?s ?q ?r }} }} }}"
    cleared = guard.check(query, BASE)
    assert cleared.federated
    assert cleared.query == ("SELECT * { SERVICE <http://127.0.0.1:4242/1> { ?s ?p ?o } "
                             "OPTIONAL { SERVICE <http://127.0.0.1:4242/0> { ?s ?q ?r } } }")
    with pytest.raises(FederationRefused, match="not allowed"):
        guard.check("SELECT * { SERVICE <http://evil.example/> { ?s ?p ?o } }", BASE)
    with pytest.raises(FederationRefused, match="disabled"):
        ServiceGuard((), relay=RELAY, confinement="namespace").check(query, BASE)
    plain = guard.check("SELECT * { ?s ?p ?o }", BASE)
    assert plain.query == "SELECT * { ?s ?p ?o }" and not plain.federated


def test_an_allowed_endpoint_not_written_as_a_full_iri_is_refused() -> None:
    """Only ``<IRI>`` is rewritten to the relay: a prefixed or relative endpoint would be called as written."""
    guard = ServiceGuard((WD,), relay=RELAY, confinement="namespace")
    for query in ("PREFIX w: <https://query.wikidata.org/> SELECT * { SERVICE w:sparql { ?s ?p ?o } }",
                  "BASE <https://query.wikidata.org/> SELECT * { SERVICE <sparql> { ?s ?p ?o } }"):
        with pytest.raises(FederationRefused, match="full IRI in angle brackets"):
            guard.check(query, BASE)


def test_without_a_relay_allowed_iris_go_out_as_written_or_overridden() -> None:
    """A remote engine calls the endpoints itself: the guard only checks the allow-list and applies overrides."""
    query = f"SELECT * {{ SERVICE <{WD}> {{ ?s ?p ?o }} }}"
    assert ServiceGuard((WD,)).check(query, BASE).query == query
    overridden = ServiceGuard((WD,), overrides={WD: "http://127.0.0.1:9999/sparql"}).check(query, BASE)
    assert overridden.query == "SELECT * { SERVICE <http://127.0.0.1:9999/sparql> { ?s ?p ?o } }"


@pytest.mark.parametrize("query", [
    "SELECT * { \\u0053ERVICE <http://e/> { ?s ?p ?o } }",
    "SELECT * { SER\\u0056ICE <http://e/> { ?s ?p ?o } }",
    "SELECT * { \\U00000053ERVICE <http://e/> { ?s ?p ?o } }",
    "SELECT * { \\u00000053ERVICE <http://e/> { ?s ?p ?o } }",  # rdflib reads 8 digits after a lowercase \\u
    "SELECT * { \\u005Cu0053ERVICE <http://e/> { ?s ?p ?o } }",  # an escape that spells an escape
    "SELECT * { " + "\\u005C" * 5 + "u0053ERVICE <http://e/> { ?s ?p ?o } }",  # more readings than are tried
])
def test_the_service_word_is_also_looked_for_with_escapes_expanded(query: str) -> None:
    assert may_use_service(query)
    with pytest.raises(FederationRefused, match="write the characters themselves"):
        ServiceGuard((WD,), relay=RELAY, confinement="namespace").check(query, BASE)


def test_escapes_are_harmless_where_no_reading_spells_service() -> None:
    query = "SELECT * { ?s ?p \"caf\\u00e9 \\U0001F600\" }"
    assert not may_use_service(query)
    assert ServiceGuard((WD,), relay=RELAY, confinement="namespace").check(query, BASE).query == query


@pytest.mark.parametrize("escape", ["\\u0022", "\\u0027", "\\\\u000A", "\\u0000000A", "# \\u000A \"\"\"\n"])
def test_a_query_that_may_call_a_service_holds_no_escape_anywhere(escape: str) -> None:
    """The reproducers of the walk-around: an escape in a string, after a backslash, in a comment."""
    query = (f"SELECT * WHERE {{ VALUES ?h {{ <urn:x> \"{escape}\" }} SERVICE <http://127.0.0.1:1/x> {{ ?x ?y ?z }} "
             f"SERVICE SILENT <{WD}> {{ ?a ?b ?c }} }}")
    with pytest.raises(FederationRefused, match="holds a \\\\u or \\\\U escape"):
        ServiceGuard((WD,), relay=RELAY, confinement="namespace").check(query, BASE)


def test_a_federated_query_is_refused_where_it_cannot_be_confined() -> None:
    query = f"SELECT * {{ SERVICE <{WD}> {{ ?s ?p ?o }} }}"
    with pytest.raises(FederationRefused, match=r"allow_unconfined_federation \(--allow-unconfined-federation true\)"):
        ServiceGuard((WD,), relay=RELAY, confinement="none").check(query, BASE)
    unconfined = ServiceGuard((WD,), relay=RELAY, confinement="none", allow_unconfined=True).check(query, BASE)
    assert unconfined.query == "SELECT * { SERVICE <http://127.0.0.1:4242/0> { ?s ?p ?o } }"


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
        *(f"SELECT * WHERE {{ VALUES ?h {{ <urn:x> \"{escape}\" }} SERVICE <{loop}> {{ ?x ?y ?z }} "
          f"VALUES ?k {{ \"{escape}\" }} SERVICE SILENT <{ALLOWED}> {{ ?a ?b ?c }} }}"
          for escape in ("\\u0022", "\\\\u000A", "\\u0000000A")),
        f"SELECT * WHERE {{ VALUES ?h {{ <urn:x> '\\u0027' }} SERVICE <{loop}> {{ ?x ?y ?z }} "
        f"VALUES ?k {{ '\\u0027' }} SERVICE SILENT <{ALLOWED}> {{ ?a ?b ?c }} }}",
        f"SELECT * WHERE {{ # \\u000A \"\"\"\n SERVICE <{loop}> {{ ?x ?y ?z }} # \\u000A \"\"\"\n"
        f" SERVICE SILENT <{ALLOWED}> {{ ?a ?b ?c }} }}",
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


def confinement_here() -> str:
    """The mechanism this machine gives; where it gives none, say that the confinement itself goes untested."""
    mechanism = sandbox.confinement_in_force("namespace")
    if mechanism == "none":
        print("this system gives no user and network namespace: the confinement of federated query processes was "
              "NOT tested here, only their refusal")
    return mechanism


def test_a_federated_query_process_reaches_the_relay_and_nothing_else(
        guarded_app: Flask, listener: StandIn, allowed_remote: StandIn) -> None:
    """Handed directly (not through the guard) a SERVICE to a loopback listener beside the allowed one: the kernel
    keeps it from the listener, and the allowed call reaches the stand-in through the relay."""
    kg = guarded_app.extensions["kg"]
    relayed = f"{kg.service_guard.relay}/0"
    job = QueryJob(query=f"SELECT * WHERE {{ SERVICE SILENT <{listener.url}> {{ ?x ?p ?o }} "
                         f"SERVICE <{relayed}> {{ ?a ?b ?c }} }}", format="json", federated=True)
    before = len(allowed_remote.requests)
    if confinement_here() == "none":
        assert kg.service_guard.confinement == "none"
        response = guarded_app.test_client().get(
            f"/sparql?query={quote(f'SELECT * WHERE {{ SERVICE <{ALLOWED}> {{ ?x ?p ?o }} }}')}")
        assert response.status_code == 400 and b"allow_unconfined_federation" in response.data
        return
    answer = kg.engine.run(job)
    assert answer.status == 200, answer.body
    assert listener.requests == []
    assert len(allowed_remote.requests) == before + 1
    unreachable = QueryJob(query=f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?x ?p ?o }} }}", format="json",
                           federated=True)
    assert kg.engine.run(unreachable).status == 502
    assert listener.requests == []


def test_query_processes_are_filtered_and_federated_ones_live_in_a_network_of_their_own(guarded_app: Flask) -> None:
    """As the kernel reports it: every query process has a seccomp filter; a federated one has its own network
    namespace (and user namespace), where the only interface is loopback."""
    pool = guarded_app.extensions["kg"].engine
    local, federated = pool.call(pool.spawn, querypool.LOCAL), pool.call(pool.spawn, querypool.FEDERATED)
    try:
        assert seccomp_mode(local.pid) == 2
        assert namespace(local.pid, "net") == namespace(os.getpid(), "net")
        if confinement_here() == "namespace":
            assert seccomp_mode(federated.pid) == 2
            assert namespace(federated.pid, "net") != namespace(os.getpid(), "net")
            assert namespace(federated.pid, "user") != namespace(os.getpid(), "user")
            devices = Path(f"/proc/{federated.pid}/net/dev").read_text().splitlines()[2:]
            assert [line.split(":")[0].strip() for line in devices] == ["lo"]
    finally:
        pool.loop.call_soon_threadsafe(local.kill)
        pool.loop.call_soon_threadsafe(federated.kill)


def namespace(pid: int, kind: str) -> str:
    return os.readlink(f"/proc/{pid}/ns/{kind}")


def test_switching_the_confinement_off_refuses_federated_queries(build_dir: Path, allowed_remote: StandIn) -> None:
    """service_confinement none: a federated query is refused with a 400 naming the setting that would run it
    unconfined, and /-/settings shows the mechanism in force; with that setting it runs, unconfined."""
    query = quote(f"SELECT * WHERE {{ SERVICE <{ALLOWED}> {{ ?x ?p ?o }} }}")
    for unconfined, status in ((False, 400), (True, 200)):
        settings = Settings(build_dir=build_dir.parent, service_allow=(ALLOWED,), service_confinement="none",
                            service_override={ALLOWED: allowed_remote.url}, allow_unconfined_federation=unconfined)
        app = create_app({"SETTINGS": settings})
        try:
            client = app.test_client()
            assert client.get("/-/settings").get_json()["service_confinement"] == "none"
            response = client.get(f"/sparql?query={query}")
            assert response.status_code == status, response.data
            if status == 400:
                assert b"allow_unconfined_federation (--allow-unconfined-federation true)" in response.data
            else:
                pool = app.extensions["kg"].engine
                federated = pool.call(pool.spawn, querypool.FEDERATED)
                assert namespace(federated.pid, "net") == namespace(os.getpid(), "net")
                pool.loop.call_soon_threadsafe(federated.kill)
        finally:
            app.extensions["kg"].close()


def test_settings_show_the_confinement_in_force(guarded_app: Flask) -> None:
    assert guarded_app.test_client().get("/-/settings").get_json()["service_confinement"] == confinement_here()


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
    querypool.zygote_main(str(build_dir / "unused.sock"), str(build_dir), "memory", True, querypool.Federation(),
                          theirs)
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


ONE_ROW = json.dumps({"head": {"vars": ["x"]},
                      "results": {"bindings": [{"x": {"type": "literal", "value": "1"}}]}}).encode()
# Each query names up to three endpoints ({a}, {b}, {c}, each a loopback listener of its own) and is written so that
# the engine reaches every SERVICE it reads (each listener answers one row). True: the guard must clear it.
DIFFERENTIAL_CORPUS: list[tuple[str, bool]] = [
    ("SELECT * {{ SERVICE <{a}> {{ ?x ?p ?o }} }}", True),
    ("SELECT * {{ SERVICE <{a}> {{ ?x ?p ?o }} OPTIONAL {{ SERVICE <{b}> {{ ?x ?q ?r }} }} }}", True),
    ("SELECT * {{ SERVICE <{a}> {{ ?x ?p ?o }} MINUS {{ SERVICE <{b}> {{ ?x ?q ?r }} }} }}", True),
    ("SELECT * {{ {{ SERVICE <{a}> {{ ?x ?p ?o }} }} UNION {{ SERVICE <{b}> {{ ?x ?q ?r }} }} }}", True),
    ("SELECT * {{ SERVICE <{a}> {{ ?x ?p ?o }} FILTER EXISTS {{ SERVICE <{b}> {{ ?x ?q ?r }} }} }}", True),
    ("SELECT * {{ SERVICE <{a}> {{ ?x ?p ?o }} FILTER NOT EXISTS {{ SERVICE <{b}> {{ ?y ?q ?r }} }} }}", True),
    ("SELECT * {{ {{ SELECT ?x {{ SERVICE <{a}> {{ ?x ?p ?o }} }} }} }}", True),
    ("ASK {{ SERVICE <{a}> {{ ?x ?p ?o }} }}", True),
    ("CONSTRUCT {{ ?x ?x ?x }} WHERE {{ SERVICE <{a}> {{ ?x ?p ?o }} }}", True),
    ("SELECT * {{ BIND(1 AS ?one) SERVICE SILENT <{a}> {{ ?x ?p ?o }} }}", True),
    # comments, and line ends of every kind before what follows them
    ("SELECT * {{ # SERVICE <{b}> {{ }}\n SERVICE <{a}> {{ ?x ?p ?o }} }}", True),
    ("SELECT * {{ # a comment\rSERVICE <{a}> {{ ?x ?p ?o }} }}", True),
    ("SELECT * {{ # a comment\r\nSERVICE <{a}> {{ ?x ?p ?o }} }}", True),
    ("SELECT * {{ BIND(\"#\" AS ?h) # \" SERVICE <{b}> {{ }}\n SERVICE <{a}> {{ ?x ?p ?o }} }}", True),
    ("SELECT * {{ SERVICE <{a}> {{ ?x ?p ?o }} }} # }} SERVICE <{b}> {{ ?y ?p ?o }}", True),
    # strings that hold what looks like a SERVICE, with quotes of every kind inside
    ("SELECT * {{ BIND(\"\"\"a \" SERVICE <{b}> {{ }} \"\"\" AS ?s) SERVICE <{a}> {{ ?x ?p ?o }} }}", True),
    ("SELECT * {{ BIND('''it's \n SERVICE <{b}> {{ }}''' AS ?s) SERVICE <{a}> {{ ?x ?p ?o }} }}", True),
    ("SELECT * {{ BIND('it\\'s # SERVICE <{b}>' AS ?s) SERVICE <{a}> {{ ?x ?p ?o }} }}", True),
    ("SELECT * {{ BIND(\"a\\\" SERVICE <{b}> {{ }}\" AS ?s) SERVICE <{a}> {{ ?x ?p ?o }} }}", True),
    ("SELECT * {{ BIND(\"\"\"\r\nSERVICE <{b}> {{ }}\r\"\"\" AS ?s) SERVICE <{a}> {{ ?x ?p ?o }} }}", True),
    # IRIs holding # and > look-alikes
    ("SELECT * {{ VALUES ?v {{ <http://e/a#b> }} SERVICE <{a}> {{ ?x ?p ?o }} }}", True),
    ("PREFIX ex: <http://e/> SELECT * {{ VALUES ?v {{ ex:a\\#b }} SERVICE <{a}> {{ ?x ?p ?o }} }}", True),
    # every SERVICE reached, in one query
    ("SELECT * {{ SERVICE <{a}> {{ ?x ?p ?o }} OPTIONAL {{ SERVICE <{b}> {{ ?x ?q ?r }} }} "
     "{{ SERVICE <{c}> {{ ?x ?s ?t }} }} UNION {{ BIND(2 AS ?two) }} }}", True),
    # what the guard refuses: escapes beside a SERVICE, variables, unreadable text
    ("SELECT * {{ VALUES ?h {{ \"\\u0022\" }} SERVICE <{a}> {{ ?x ?p ?o }} VALUES ?k {{ \"\\u0022\" }} }}", False),
    ("SELECT * {{ \\u0053ERVICE <{a}> {{ ?x ?p ?o }} }}", False),
    ("SELECT * {{ BIND(<{a}> AS ?e) SERVICE ?e {{ ?x ?p ?o }} }}", False),
    ("SELECT * {{ SERVICE <{a}> {{ ?x ?p ?o }}", False),
]


def test_every_endpoint_the_engine_calls_is_one_the_guard_found_and_allowed() -> None:
    """Differential: the same text read by the guard (rdflib) and run by the engine (Oxigraph, here with the network):
    the listeners the engine called must be among the SERVICE IRIs the guard cleared."""
    import pyoxigraph as ox

    with sparql_stand_in() as a, sparql_stand_in() as b, sparql_stand_in() as c:
        listeners = {"a": a, "b": b, "c": c}
        for stand_in in listeners.values():
            stand_in.body = ONE_ROW
        urls = {name: stand_in.url for name, stand_in in listeners.items()}
        guard = ServiceGuard(tuple(urls.values()))
        for template, cleared in DIFFERENTIAL_CORPUS:
            query = template.format(**urls)
            for stand_in in listeners.values():
                stand_in.requests.clear()
            try:
                found = set(service_iris(query, BASE)) if guard.check(query, BASE).federated else set()
            except FederationRefused:
                assert not cleared, f"the guard refused {query!r}"
                continue
            assert cleared, f"the guard cleared {query!r}"
            result = ox.Store().query(query)
            if not isinstance(result, ox.QueryBoolean):
                list(result)
            called = {stand_in.url for stand_in in listeners.values() if stand_in.requests}
            assert called, f"the engine called no listener for {query!r}: the pattern is unreachable"
            assert called <= found, f"{query!r}: the engine called {called - found}, the guard found {found}"
