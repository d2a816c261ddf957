"""Downloads: /dumps/ (listing and files, with ETag, Last-Modified, Range) and /.well-known/void."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request, send_file
from flask.typing import ResponseReturnValue
from rdflib import Graph, URIRef

from montagne_kg import formats
from montagne_kg.layout import WIKIDATA_LINKS_CSV, graph_file_name
from montagne_kg.serving import negotiation
from montagne_kg.serving.errors import refuse
from montagne_kg.serving.knowledge_graph import get_kg

bp = Blueprint("dumps", __name__)



def media_type(name: str) -> tuple[str, str]:
    """(media type of the file as served, format short name) for a dump file name."""
    if name == WIKIDATA_LINKS_CSV:
        return "text/csv; charset=utf-8", "csv"
    plain = name.removesuffix(".gz")
    fmt = next((f for f in formats.FORMATS if plain.endswith(f.suffix) and f.kind in ("graph", "dataset")), None)
    short = fmt.name if fmt else "text"
    if name.endswith(".gz"):
        return formats.GZIP_MEDIA_TYPE, short
    return (fmt.content_type if fmt else "text/plain; charset=utf-8"), short


def downloadable(name: str) -> bool:
    """Dumps, per-graph files and the Wikidata links export; not the manifest, texts or stores."""
    return name.startswith(("montagne-kg.", "graphs/")) or name == WIKIDATA_LINKS_CSV


def listing() -> list[dict]:
    """Every downloadable file of the current build: name, format, size, triples, SHA-256."""
    manifest = get_kg().manifest
    graph_of_file = {f"graphs/{graph_file_name(URIRef(g), manifest['base'])}": g for g in manifest["graphs"]}
    rows = []
    for name, info in sorted(manifest["files"].items()):
        if not downloadable(name):
            continue
        _, short = media_type(name)
        if name in graph_of_file:
            triples = manifest["graphs"][graph_of_file[name]]
        elif name == WIKIDATA_LINKS_CSV:
            short, triples = "csv", None
        elif short in ("trig", "nquads"):
            triples = manifest["triples"]
        else:
            triples = manifest["merged_triples"]
        rows.append({"name": name, "url": f"/dumps/{name}", "format": short, "gzip": name.endswith(".gz"),
                     "bytes": info["bytes"], "sha256": info["sha256"], "triples": triples})
    return rows


@bp.route("/dumps/")
def index() -> ResponseReturnValue:
    """The dumps of the current build; ?format=json (or Accept: application/json) for the machine twin."""
    rows = listing()
    if negotiation.twin_wanted(request):
        response = jsonify(build=get_kg().build.name, files=rows)
    else:
        response = Response(render_template("dumps.html", rows=rows, build=get_kg().build.name,
                                            alternates=[("/dumps/?format=json", "application/json", "json")]),
                            mimetype="text/html")
    response.vary.add("Accept")  # the same URL answers HTML or JSON
    return response


@bp.route("/dumps/<path:name>")
def download(name: str) -> Response:
    """One dump file: ETag (SHA-256), Last-Modified, Content-Length, 304 on If-None-Match, 206 on Range."""
    kg = get_kg()
    info = kg.manifest["files"].get(name)
    if info is None or not downloadable(name):
        refuse(404, f"there is no dump {name!r} in this build; the list is at /dumps/")
    path = kg.build / name
    mimetype, _ = media_type(name)
    response = send_file(path, mimetype=mimetype, conditional=True, etag=info["sha256"],
                         last_modified=path.stat().st_mtime, max_age=3600)
    response.headers.pop("Content-Encoding", None)
    response.headers["Content-Type"] = mimetype  # as the format table says it (send_file would add a second charset)
    return response


@bp.route("/.well-known/void")
def void() -> Response:
    """The VoID + DCAT description of the build: Turtle by default, other RDF formats on request."""
    choice = negotiation.for_request(request, ("graph",), what="the VoID description")
    path = get_kg().build / "void.ttl"
    if choice.format.name == "turtle":
        body = path.read_bytes()
    else:
        body = Graph().parse(path, format="turtle").serialize(format=choice.format.rdflib,
                                                              encoding="utf-8")
    response = Response(body, content_type=choice.content_type)
    response.vary.add("Accept")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
