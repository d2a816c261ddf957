"""Downloads behave as data users expect: listing, ETag/304, Last-Modified, HEAD, Range, gzip as a file; VoID."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pyoxigraph as ox
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, VOID

from montagne_kg.namespaces import CC_BY_4, DEFAULT_BASE


def test_listing_names_every_dump_with_size_triples_and_checksum(client: FlaskClient, build_dir: Path) -> None:
    rows = {r["name"]: r for r in client.get("/dumps/?format=json").get_json()["files"]}
    for name in ("montagne-kg.ttl", "montagne-kg.ttl.gz", "montagne-kg.nt", "montagne-kg.jsonld", "montagne-kg.trig",
                 "montagne-kg.nq.gz", "graphs/release-000.ttl", "graphs/inferred.ttl"):
        assert name in rows, name
        data = (build_dir / name).read_bytes()
        assert rows[name]["bytes"] == len(data) and rows[name]["sha256"] == hashlib.sha256(data).hexdigest()
    manifest = json.loads((build_dir / "manifest.json").read_text())
    assert rows["montagne-kg.ttl"]["triples"] == manifest["merged_triples"]
    assert rows["montagne-kg.nq"]["triples"] == manifest["triples"]
    assert rows["graphs/release-003.ttl"]["triples"] == manifest["graphs"][f"{DEFAULT_BASE}graph/release/003"]
    html = client.get("/dumps/").get_data(as_text=True)
    assert 'href="/dumps/montagne-kg.ttl.gz"' in html and rows["montagne-kg.ttl"]["sha256"] in html


def test_download_has_etag_last_modified_length_and_answers_304(client: FlaskClient, build_dir: Path) -> None:
    data = (build_dir / "montagne-kg.ttl").read_bytes()
    with client.get("/dumps/montagne-kg.ttl") as r:
        assert r.status_code == 200 and r.data == data and r.mimetype == "text/turtle"
        assert r.headers["ETag"] == f'"{hashlib.sha256(data).hexdigest()}"'
        assert r.headers["Content-Length"] == str(len(data)) and "Last-Modified" in r.headers
        etag = r.headers["ETag"]
    with client.get("/dumps/montagne-kg.ttl", headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304 and again.data == b""
    with client.head("/dumps/montagne-kg.ttl") as head:
        assert head.status_code == 200 and head.data == b"" and head.headers["Content-Length"] == str(len(data))


def test_range_requests_get_206(client: FlaskClient, build_dir: Path) -> None:
    data = (build_dir / "montagne-kg.nt").read_bytes()
    with client.get("/dumps/montagne-kg.nt", headers={"Range": "bytes=100-199"}) as r:
        assert r.status_code == 206 and r.data == data[100:200]
        assert r.headers["Content-Range"] == f"bytes 100-199/{len(data)}"


def test_gzip_files_are_served_as_files_not_encodings(client: FlaskClient, build_dir: Path) -> None:
    with client.get("/dumps/montagne-kg.nq.gz") as r:
        assert r.mimetype == "application/gzip" and "Content-Encoding" not in r.headers
        assert gzip.decompress(r.data) == (build_dir / "montagne-kg.nq").read_bytes()


def test_per_graph_download(client: FlaskClient) -> None:
    with client.get("/dumps/graphs/release-003.ttl") as r:
        g = Graph().parse(data=r.data, format="turtle")
    assert (URIRef(DEFAULT_BASE + "id/almaty"), None, None) in g
    assert (URIRef(DEFAULT_BASE + "id/chambery"), None, None) not in g


def test_only_listed_files_are_served(client: FlaskClient) -> None:
    for path in ("/dumps/manifest.json", "/dumps/../manifest.json", "/dumps/releases/000.txt", "/dumps/nope.ttl",
                 "/dumps/graphs/../../etc/passwd"):
        with client.get(path) as r:
            assert r.status_code == 404, path


def test_void_is_turtle_by_default_and_negotiable(client: FlaskClient) -> None:
    r = client.get("/.well-known/void")
    assert r.mimetype == "text/turtle" and "Accept" in r.vary
    g = Graph().parse(data=r.data, format="turtle")
    dataset = URIRef(DEFAULT_BASE + "dataset")
    assert (dataset, RDF.type, VOID.Dataset) in g
    assert (dataset, URIRef("http://purl.org/dc/terms/license"), URIRef(CC_BY_4)) in g
    assert (dataset, VOID.sparqlEndpoint, URIRef(DEFAULT_BASE + "sparql")) in g
    assert len(set(g.objects(dataset, VOID.dataDump))) == 10
    jsonld = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert jsonld.mimetype == "application/ld+json"
    assert any(q.object.value == str(VOID.Dataset) for q in ox.parse(jsonld.data, format=ox.RdfFormat.JSON_LD))
