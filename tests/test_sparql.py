"""The SPARQL 1.1 Protocol at /sparql through the app: requests parsed back, formats, errors, safety."""

from __future__ import annotations

import io
import json
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import VOID
from rdflib.query import Result

from montagne_kg.namespaces import SD, WIKIDATA_QUERY_SERVICE
from montagne_kg.serving import create_app, sparql
from montagne_kg.serving.settings import Settings
from tests.conftest import sparql_stand_in
from tests.helpers import CHAMBERY, LABEL, slow_query

FIRMS = ("SELECT ?f WHERE { <https://w3id.org/montagne-kg/id/delegation-montagne-auvergne-rhone-alpes-2017> "
         "<https://w3id.org/montagne-kg/ontology#participant> ?f }")


def get(client: FlaskClient, query: str, **headers: str):
    return client.get(f"/sparql?query={quote(query)}", headers=headers)


def test_get_query_returns_sparql_json(client: FlaskClient) -> None:
    r = get(client, LABEL)
    assert r.status_code == 200
    assert r.mimetype == "application/sparql-results+json"
    assert "Accept" in r.vary
    result = Result.parse(io.BytesIO(r.data), format="json")
    assert [row.l for row in result] == [Literal("Chambéry", lang="fr")]


def test_post_form_and_post_direct_give_the_same_answer(client: FlaskClient) -> None:
    form = client.post("/sparql", data={"query": LABEL})
    direct = client.post("/sparql", data=LABEL.encode(), content_type="application/sparql-query")
    assert form.status_code == direct.status_code == 200
    assert json.loads(form.data) == json.loads(direct.data) == json.loads(get(client, LABEL).data)


@pytest.mark.parametrize("accept,mimetype,parser", [
    ("application/sparql-results+xml", "application/sparql-results+xml", "xml"),
    ("application/xml", "application/xml", "xml"),
    ("text/csv", "text/csv", "csv"),
    ("text/tab-separated-values", "text/tab-separated-values", "tsv"),
    ("application/json", "application/json", "json"),
])
def test_select_in_every_results_format(client: FlaskClient, accept: str, mimetype: str, parser: str) -> None:
    r = get(client, FIRMS, Accept=accept)
    assert r.status_code == 200 and r.mimetype == mimetype
    rows = Result.parse(io.BytesIO(r.data), format=parser)
    assert len(rows) == 13
    assert {str(row[0]) for row in rows} >= {"https://w3id.org/montagne-kg/id/poma"}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_ask_in_every_results_format(client: FlaskClient, fmt: str) -> None:
    r = client.get(f"/sparql?query={quote(f'ASK {{ <{CHAMBERY}> ?p ?o }}')}&format={fmt}")
    assert r.status_code == 200
    assert Result.parse(io.BytesIO(r.data), format=fmt).askAnswer is True  # CSV/TSV: 406 (test_http_details)


@pytest.mark.parametrize("accept,mimetype,rdflib_format", [
    (None, "text/turtle", "turtle"), ("text/plain", "text/plain", "nt"),
    ("application/n-triples", "application/n-triples", "nt"), ("application/ld+json", "application/ld+json", None),
    ("application/rdf+xml", "application/rdf+xml", "xml"), ("application/trig", "application/trig", "trig"),
    ("application/n-quads", "application/n-quads", "nquads"),
])
def test_construct_in_every_graph_format(client: FlaskClient, accept: str | None, mimetype: str,
                                         rdflib_format: str | None) -> None:
    query = f"CONSTRUCT {{ <{CHAMBERY}> ?p ?o }} WHERE {{ <{CHAMBERY}> ?p ?o }}"
    r = get(client, query, **({"Accept": accept} if accept else {}))
    assert r.status_code == 200 and r.mimetype == mimetype
    if rdflib_format is None:
        assert [node["@id"] for node in json.loads(r.data)] == [CHAMBERY]  # one node object per subject
        triples = list(ox.parse(r.data, format=ox.RdfFormat.JSON_LD))
        assert triples and all(t.subject.value == CHAMBERY for t in triples)
        return
    if rdflib_format in ("trig", "nquads"):
        quads = list(ox.parse(r.data, format=ox.RdfFormat.TRIG if rdflib_format == "trig" else ox.RdfFormat.N_QUADS))
        assert quads and all(q.subject.value == CHAMBERY for q in quads)
        return
    g = Graph().parse(data=r.data, format=rdflib_format)
    assert (URIRef(CHAMBERY), URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("Chambéry", lang="fr")) in g


def test_describe_returns_turtle(client: FlaskClient) -> None:
    r = get(client, f"DESCRIBE <{CHAMBERY}>")
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    assert len(Graph().parse(data=r.data, format="turtle")) > 3


def test_nothing_acceptable_is_406(client: FlaskClient) -> None:
    r = get(client, LABEL, Accept="image/png")
    assert r.status_code == 406 and "application/sparql-results+json" in r.get_data(as_text=True)
    assert "Accept" in r.vary


def test_bare_get_is_the_service_description(client: FlaskClient) -> None:
    r = client.get("/sparql")
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    g = Graph().parse(data=r.data, format="turtle")
    service = URIRef("http://localhost/sparql")
    assert (service, SD.endpoint, service) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (service, SD.feature, SD.UnionDefaultGraph) in g
    assert (service, SD.feature, SD.BasicFederatedQuery) in g
    assert len(set(g.objects(service, SD.resultFormat))) == 10
    names = {str(n) for n in g.objects(None, SD.name)}
    assert "https://w3id.org/montagne-kg/graph/release/000" in names and len(names) == 6
    default_graph = g.value(g.value(service, SD.defaultDataset), SD.defaultGraph)
    assert int(g.value(default_graph, VOID.triples)) == client.application.extensions["kg"].manifest["merged_triples"]


def test_service_description_endpoint_is_the_url_requested(client: FlaskClient) -> None:
    r = client.get("/sparql", base_url="https://kg.example.org", headers={"Accept": "application/ld+json"})
    assert r.mimetype == "application/ld+json"
    triples = {(str(q.subject), str(q.predicate), str(q.object)) for q in ox.parse(r.data, format=ox.RdfFormat.JSON_LD)}
    assert ("<https://kg.example.org/sparql>", f"<{SD.endpoint}>", "<https://kg.example.org/sparql>") in triples


def test_syntax_error_is_400_with_message_and_position(client: FlaskClient) -> None:
    r = get(client, "SELECT * WHERE { ?s ?p }")
    assert r.status_code == 400
    body = r.get_data(as_text=True)
    assert body.startswith("400 Bad Request: Query syntax error: line 1, column 24: the query cannot go on from « } »")


@pytest.mark.parametrize("request_kind", ["query-param", "update-param", "form-update", "direct-update", "using"])
def test_updates_are_403_in_every_form(client: FlaskClient, request_kind: str) -> None:
    update = "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"
    r = {
        "query-param": lambda: get(client, update),
        "update-param": lambda: client.get(f"/sparql?update={quote(update)}"),
        "form-update": lambda: client.post("/sparql", data={"update": update}),
        "direct-update": lambda: client.post("/sparql", data=update, content_type="application/sparql-update"),
        "using": lambda: client.post("/sparql?using-graph-uri=http://example.org/g", data=update,
                                     content_type="application/sparql-update"),
    }[request_kind]()
    assert r.status_code == 403
    assert "read-only" in r.get_data(as_text=True)
    assert get(client, "ASK { <http://example.org/a> ?p ?o }").get_json()["boolean"] is False


@pytest.mark.parametrize(("make_request", "status"), [
    pytest.param(lambda c: c.post("/sparql", data="ASK {}", content_type="text/plain"), 415, id="wrong-type"),
    pytest.param(lambda c: c.post("/sparql", data="ASK {}"), 415, id="no-type"),
    pytest.param(lambda c: c.post("/sparql", data="ASK {}".encode("utf-16"),
                                  content_type="application/sparql-query; charset=UTF-16"), 415, id="utf16"),
    pytest.param(lambda c: c.post("/sparql", data=b"ASK { \xff }", content_type="application/sparql-query"), 400,
                 id="not-utf8"),
    pytest.param(lambda c: c.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D"), 400, id="two-queries"),
    pytest.param(lambda c: c.put("/sparql?query=ASK%7B%7D"), 405, id="put"),
    pytest.param(lambda c: c.post("/sparql", data={"nothing": "here"}), 400, id="no-query-field"),
    pytest.param(lambda c: c.get("/sparql?query="), 400, id="empty"),
    pytest.param(lambda c: c.get("/sparql?query=%00%01%02"), 400, id="binary"),
    pytest.param(lambda c: c.post("/sparql", data=b"x" * 2_000_000, content_type="application/sparql-query"), 413,
                 id="too-large"),
])
def test_bad_requests_get_the_status_the_readme_promises_with_a_message(client: FlaskClient, make_request,
                                                                        status: int) -> None:
    """README: an unsupported body type is a 415, a body over --max-body a 413, another method a 405, any other
    bad request a 400 — each with a message, never a 500."""
    r = make_request(client)
    assert r.status_code == status
    assert r.mimetype == "text/plain" and r.get_data(as_text=True).strip()
    assert "Traceback" not in r.get_data(as_text=True)


def test_protocol_dataset_selects_our_named_graphs(client: FlaskClient) -> None:
    ask = quote("ASK { ?x <http://www.w3.org/2000/01/rdf-schema#label> \"Almaty\"@fr }")
    release_003 = quote("https://w3id.org/montagne-kg/graph/release/003")
    release_000 = quote("https://w3id.org/montagne-kg/graph/release/000")
    assert client.get(f"/sparql?query={ask}&default-graph-uri={release_003}").get_json()["boolean"] is True
    assert client.get(f"/sparql?query={ask}&default-graph-uri={release_000}").get_json()["boolean"] is False
    unknown = quote("http://example.org/unknown-graph")
    assert client.get(f"/sparql?query={ask}&default-graph-uri={unknown}").get_json()["boolean"] is False
    named = quote("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    rows = client.get(f"/sparql?query={named}&named-graph-uri={release_003}").get_json()["results"]["bindings"]
    assert [b["g"]["value"] for b in rows] == ["https://w3id.org/montagne-kg/graph/release/003"]


def test_from_selects_local_graphs_and_fetches_nothing(client: FlaskClient) -> None:
    with sparql_stand_in() as remote:
        query = f"ASK FROM <{remote.url}> {{ ?s ?p ?o }}"
        assert get(client, query).get_json()["boolean"] is False
        assert remote.requests == []


def test_default_graph_is_the_union_and_release_graphs_stay_addressable(client: FlaskClient) -> None:
    both = "SELECT (COUNT(*) AS ?n) WHERE { ?x a <https://w3id.org/montagne-kg/ontology#Cluster> }"
    assert get(client, both).get_json()["results"]["bindings"][0]["n"]["value"] == "1"
    graphs = ("SELECT ?g WHERE { GRAPH ?g { <https://w3id.org/montagne-kg/id/cluster-montagne> a "
              "<https://w3id.org/montagne-kg/ontology#Cluster> } }")
    found = {b["g"]["value"] for b in get(client, graphs).get_json()["results"]["bindings"]}
    assert found == {"https://w3id.org/montagne-kg/graph/release/000", "https://w3id.org/montagne-kg/graph/release/003"}


def test_relative_iris_resolve_against_the_endpoint(client: FlaskClient) -> None:
    r = get(client, "SELECT ?x WHERE { BIND(<things/1> AS ?x) }")
    assert r.get_json()["results"]["bindings"][0]["x"]["value"] == "http://localhost/things/1"


def test_head_and_cors(client: FlaskClient) -> None:
    head = client.head(f"/sparql?query={quote(LABEL)}")
    assert head.status_code == 200 and head.data == b"" and head.mimetype == "application/sparql-results+json"
    assert get(client, LABEL).headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/sparql", headers={"Origin": "https://yasgui.example", "Access-Control-Request-Method":
                                                   "POST", "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"


@pytest.fixture
def capped_client(build_dir: Path):
    app = create_app({"SETTINGS": Settings(build_dir=build_dir.parent, max_rows=5)})
    yield app.test_client()
    app.extensions["kg"].close()


def test_row_cap_cuts_and_says_so(capped_client: FlaskClient) -> None:
    r = get(capped_client, FIRMS)
    assert r.headers["X-SPARQL-MaxRows"] == "5"
    assert len(r.get_json()["results"]["bindings"]) == 5
    small = get(capped_client, LABEL)
    assert "X-SPARQL-MaxRows" not in small.headers
    construct = get(capped_client, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert construct.headers["X-SPARQL-MaxRows"] == "5"
    assert len(Graph().parse(data=construct.data, format="turtle")) == 5


def test_service_not_on_the_allow_list_is_refused_before_anything_leaves(client: FlaskClient) -> None:
    with sparql_stand_in() as remote:
        r = get(client, f"SELECT * WHERE {{ SERVICE <{remote.url}> {{ ?s ?p ?o }} }}")
        assert r.status_code == 400
        assert "not allowed" in r.get_data(as_text=True) and remote.url in r.get_data(as_text=True)
        assert remote.requests == []


def test_service_with_a_variable_is_refused(client: FlaskClient) -> None:
    r = get(client, "SELECT * WHERE { VALUES ?e { <http://a.example/> } SERVICE ?e { ?s ?p ?o } }")
    assert r.status_code == 400 and "variable" in r.get_data(as_text=True)


def test_service_keyword_in_a_comment_or_string_is_not_refused(client: FlaskClient) -> None:
    r = get(client, '# SERVICE <http://evil.example/>\nSELECT ("SERVICE" AS ?x) WHERE {}')
    assert r.status_code == 200


@pytest.fixture
def federated(build_dir: Path):
    """An app whose allowed Wikidata SERVICE IRI is redirected to a loopback stand-in."""
    with sparql_stand_in() as remote:
        app = create_app({"SETTINGS": Settings(build_dir=build_dir.parent, time_limit=5,
                                               service_override={WIKIDATA_QUERY_SERVICE: remote.url})})
        yield app.test_client(), remote
        app.extensions["kg"].close()


def test_allowed_service_goes_to_the_override_and_joins(federated) -> None:
    client, remote = federated
    remote.body = json.dumps({"head": {"vars": ["city", "population"]}, "results": {"bindings": [
        {"city": {"type": "uri", "value": CHAMBERY},
         "population": {"type": "literal", "value": "12345", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}},
    ]}}).encode()
    query = (f"SELECT ?label ?population WHERE {{ BIND(<{CHAMBERY}> AS ?city) ?city "
             f"<http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER(lang(?label) = 'fr') "
             f"SERVICE <{WIKIDATA_QUERY_SERVICE}> {{ ?city <http://example.org/population> ?population }} }}")
    r = get(client, query)
    assert r.status_code == 200, r.data
    rows = r.get_json()["results"]["bindings"]
    assert [(b["label"]["value"], b["population"]["value"]) for b in rows] == [("Chambéry", "12345")]
    assert len(remote.requests) == 1
    assert "<http://example.org/population>" in remote.requests[0]["body"] + remote.requests[0]["path"]


def test_remote_failure_is_a_short_message_of_ours(federated) -> None:
    client, remote = federated
    remote.status, remote.body, remote.content_type = 500, b"secret remote stack trace", "text/plain"
    r = get(client, f"SELECT * WHERE {{ SERVICE <{WIKIDATA_QUERY_SERVICE}> {{ ?s ?p ?o }} }}")
    assert r.status_code == 502
    assert "secret" not in r.get_data(as_text=True) and "SERVICE" in r.get_data(as_text=True)
    assert len(remote.requests) == 1


def test_federation_can_be_disabled(build_dir: Path) -> None:
    app = create_app({"SETTINGS": Settings(build_dir=build_dir.parent, service_allow=())})
    try:
        client = app.test_client()
        r = get(client, f"SELECT * WHERE {{ SERVICE <{WIKIDATA_QUERY_SERVICE}> {{ ?s ?p ?o }} }}")
        assert r.status_code == 400 and "disabled" in r.get_data(as_text=True)
        sd = Graph().parse(data=client.get("/sparql").data, format="turtle")
        assert (None, SD.feature, SD.BasicFederatedQuery) not in sd
    finally:
        app.extensions["kg"].close()


def test_time_limit_kills_the_query_and_answers_503(build_dir: Path) -> None:
    app = create_app({"SETTINGS": Settings(build_dir=build_dir.parent, time_limit=1)})
    try:
        client = app.test_client()
        r = get(client, slow_query())
        assert r.status_code == 503
        assert "query exceeded 1 s" in r.get_data(as_text=True)
        assert get(client, "ASK {}").get_json()["boolean"] is True
    finally:
        app.extensions["kg"].close()


def test_health(client: FlaskClient) -> None:
    body = client.get("/-/health").get_json()
    assert body["status"] == "ok" and body["triples"] > 4000 and body["graphs"] == 6


def test_a_refused_request_is_checked_once(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The front checks a query once: a refusal is answered through Flask's hooks without checking it again (a
    refused SERVICE query was parsed twice by rdflib)."""
    calls = []
    checked = sparql.query_job
    monkeypatch.setattr(sparql, "query_job", lambda *args: calls.append(1) or checked(*args))
    refused = client.get("/sparql?query=" + quote("SELECT * WHERE { SERVICE <http://example.org/x> { ?s ?p ?o } }"))
    assert refused.status_code == 400 and len(calls) == 1
    calls.clear()
    assert client.get("/sparql?query=" + quote("ASK {}")).status_code == 200 and len(calls) == 1


@pytest.mark.parametrize(("query", "accept", "fmt"), [
    (LABEL, "image/png", None), ("ASK {}", "text/csv", None), ("PREFIX ex: <http://example.org/> ASK {}", None, "tsv"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "application/sparql-results+json", None)])
def test_a_406_is_decided_before_any_evaluation(client: FlaskClient, monkeypatch: pytest.MonkeyPatch, query: str,
                                                accept: str | None, fmt: str | None) -> None:
    """Nothing the client accepts can carry the query's result: refused before a query process is woken."""
    engine = client.application.extensions["kg"].engine
    monkeypatch.setattr(engine, "answer", lambda *args, **kwargs: pytest.fail("the query was evaluated"))
    r = client.get(f"/sparql?query={quote(query)}" + (f"&format={fmt}" if fmt else ""),
                   headers={"Accept": accept} if accept else {})
    assert r.status_code == 406 and "Accept" in r.vary
