"""The W3C SPARQL 1.1 Protocol and Service Description manifests, run over HTTP against the real server (its embedded
store, and Oxigraph server behind it)."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

from montagne_kg.building.build import Assembled, write_build
from montagne_kg.namespaces import DEFAULT_BASE, SD
from montagne_kg.publication import publish, retire
from montagne_kg.serving.settings import Settings
from tests.conftest import ROOT, free_port, live_server

W3C = ROOT / "tests" / "w3c"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
RESULT_TYPES = {"boolean": ("application/sparql-results+json", "application/sparql-results+xml"),
                "tabular": ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                            "text/tab-separated-values"),
                "RDF": ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json")}


@pytest.fixture(scope="module", params=["embedded", "oxigraph"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A build holding the manifest's data1-3 as named graphs, served as the README serves ours: from the embedded
    store, and through remote mode from Oxigraph server (`montagne-kg publish`, then `serve --engine published`)."""
    graphs = {URIRef(f"http://kasei.us/2009/09/sparql/data/data{i}.rdf"): Graph().parse(W3C / f"data{i}.nt")
              for i in (1, 2, 3)}
    out = tmp_path_factory.mktemp("w3c-build")
    build = write_build(Assembled(DEFAULT_BASE, graphs), out)
    if request.param == "embedded":
        with live_server(out, "--workers", "2") as url:
            yield url
        return
    publish(build, Settings(build_dir=out, publish_port=free_port()))
    try:
        with live_server(out, "--workers", "2", "--engine", "published") as url:
            yield url
    finally:
        retire(build)


def entries(manifest: Graph) -> list[URIRef]:
    root = next(manifest.subjects(RDF.type, MF.Manifest))
    return list(Collection(manifest, manifest.value(root, MF.entries)))


def send(base: str, manifest: Graph, request: URIRef) -> tuple[int, str, bytes]:
    path = str(manifest.value(request, HT.absolutePath)).replace("/sparql/", "/sparql", 1)
    headers = {}
    if manifest.value(request, HT.headers) is not None:
        for header in Collection(manifest, manifest.value(request, HT.headers)):
            headers[str(manifest.value(header, HT.fieldName))] = str(manifest.value(header, HT.fieldValue))
    body = None
    if (node := manifest.value(request, HT.body)) is not None:
        encoding = str(manifest.value(node, CNT.characterEncoding) or "UTF-8")
        body = str(manifest.value(node, CNT.chars)).encode(encoding.lower())
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(str(manifest.value(request, HT.methodName)), path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


def boolean_of(content_type: str, body: bytes) -> bool:
    if content_type.startswith(("application/sparql-results+json", "application/json")):
        return json.loads(body)["boolean"]
    assert content_type.startswith(("application/sparql-results+xml", "application/xml")), content_type
    return b"<boolean>true</boolean>" in body


def test_every_protocol_manifest_entry(server: str) -> None:
    manifest = Graph().parse(W3C / "manifest.ttl")
    tests = entries(manifest)
    ran = []
    for test in tests:
        name = str(test).split("#")[1]
        is_update = name.startswith("update_")
        requests = list(Collection(manifest, manifest.value(manifest.value(test, MF.action), HT.requests)))
        for index, request in enumerate(requests):
            status, content_type, body = send(server, manifest, request)
            expected = manifest.value(request, HT.resp)
            statuses = set(manifest.objects(expected, MF.expectedStatus))
            if is_update and index == 0:
                assert status == 403, f"{name}: update answered {status}, not 403"
                assert b"read-only" in body
                continue
            if HTS.StatusCode4xx in statuses:
                assert 400 <= status < 500, f"{name}: {status} {body[:200]!r}"
                continue
            assert 200 <= status < 400, f"{name}: {status} {body[:300]!r}"
            fmt = manifest.value(expected, MF.expectedFormat)
            if fmt is not None:
                assert content_type.startswith(RESULT_TYPES[str(fmt)]), f"{name}: {content_type}"
            if (want := manifest.value(expected, MF.expectedBoolean)) is not None:
                # Updates were refused, so the ASKs that check their effect must now be false.
                assert boolean_of(content_type, body) is (False if is_update else want.toPython()), name
        ran.append(name)
    assert len(tests) == 34
    assert ran == [str(t).split("#")[1] for t in tests], "every entry ran, none skipped"


def test_service_description_manifest(server: str) -> None:
    manifest = Graph().parse(W3C / "service-description-manifest.ttl")
    names = sorted(str(t).split("#")[1] for t in entries(manifest))
    assert names == ["conforms-to-schema", "has-endpoint-triple", "returns-rdf"]
    status, content_type, body = send_get(server + "/sparql")
    assert status == 200 and content_type.startswith("text/turtle")  # returns-rdf
    sd = Graph().parse(data=body, format="turtle")
    endpoint = URIRef(server + "/sparql")
    assert (None, SD.endpoint, endpoint) in sd  # has-endpoint-triple
    # conforms-to-schema: the sd: terms used are typed as the schema says
    service = sd.value(None, SD.endpoint)
    assert (service, RDF.type, SD.Service) in sd
    for language in sd.objects(service, SD.supportedLanguage):
        assert language in (SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update)
    dataset = sd.value(service, SD.defaultDataset)
    assert (dataset, RDF.type, SD.Dataset) in sd
    for named in sd.objects(dataset, SD.namedGraph):
        assert (named, RDF.type, SD.NamedGraph) in sd and sd.value(named, SD.name) is not None


def send_get(url: str) -> tuple[int, str, bytes]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", parts.path)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


def test_the_copied_manifest_is_the_w3c_one() -> None:
    notice = (W3C / "README.md").read_text(encoding="utf-8")
    assert "W3C Test Suite License" in notice and "ad541a5f0479f0798608c4801369d97b8e08b36f" in notice
    assert Path(W3C / "manifest.ttl").stat().st_size > 40_000
