"""The other IRIs we mint, resolving on our server: Wikidata link records (``/link/<slug>``), named graphs
(``/graph/<name>``) and the dataset (``/dataset``).

A link record is a document about a link: its page for browsers, its triples for RDF clients, at the same URL (by
``Accept`` or ``format=``). A named graph is served as its page or as its Turtle dump (303). The dataset is not a
document: 303 to the home page for browsers, to its VoID description for RDF clients (Cool URIs).
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request
from flask.typing import ResponseReturnValue

from montagne_kg.layout import graph_file_name
from montagne_kg.serving import negotiation
from montagne_kg.serving.catalogue import SLUG, Value, get_catalogue
from montagne_kg.serving.errors import refuse
from montagne_kg.serving.interface import translate
from montagne_kg.serving.knowledge_graph import get_kg
from montagne_kg.serving.pages import DATA_FORMATS, vary_on_accept

bp = Blueprint("resources", __name__)
bp.after_request(vary_on_accept)  # every answer here is negotiated, like the pages'

DESCRIPTION = """SELECT ?resource ?property ?value WHERE { ?resource ?property ?value }"""
REFERENCES = """SELECT ?resource ?subject ?property WHERE { ?subject ?property ?resource FILTER (isIRI(?subject)) }"""
TRIPLES = """CONSTRUCT { ?resource ?property ?value } WHERE { ?resource ?property ?value }"""
GRAPH_SAMPLE = ("SELECT ?subject ?predicate ?object WHERE {{\n  GRAPH <{graph}> {{ ?subject ?predicate ?object }}\n}}"
                "\nLIMIT 100")  # shown to people as a link to the query page, never run here


def described(iri: str) -> tuple[dict[str, list[Value]], dict[str, list[Value]]]:
    """A resource's properties and what links to it, each value labelled."""
    cat = get_catalogue()
    facts: dict[str, list[Value]] = {}
    for row in cat.select(DESCRIPTION, resource=iri):
        facts.setdefault(row["property"]["value"], []).append(cat.value_of(row["value"]))
    incoming: dict[str, list[Value]] = {}
    for row in cat.select(REFERENCES, resource=iri):
        incoming.setdefault(row["property"]["value"], []).append(cat.value_of(row["subject"]))
    return facts, incoming


@bp.route("/link/<slug>")
def link_record(slug: str) -> ResponseReturnValue:
    """A Wikidata link record: which entity, which item, the source that confirms it, when, by whom."""
    cat = get_catalogue()
    iri = f"{cat.base}link/{slug}"
    facts, incoming = described(iri) if SLUG.match(slug) else ({}, {})
    if not facts:
        refuse(404, f"there is no link record {slug!r}; the published links are in /dumps/graphs/links.ttl")
    choice = negotiation.for_request(request, only=DATA_FORMATS, page=True, what="a link record")
    if choice.format is not negotiation.PAGE:
        return Response(cat.construct(TRIPLES, choice.format.name, resource=iri), content_type=choice.content_type)
    return render_template("resource.html", iri=iri, title=f"{translate('Wikidata link record')} « {slug} »",
                           kind=translate("A Wikidata link record: the entity, the item, and the source that "
                                          "confirms it."),
                           facts=sorted(facts.items()), incoming=sorted(incoming.items()),
                           alternates=[(f"/link/{slug}?format={f.name}", f.media_type, f.name) for f in DATA_FORMATS])


@bp.route("/graph/<path:name>")
def named_graph(name: str) -> ResponseReturnValue:
    """A named graph: its page (what it holds, its size, its download), or 303 to its Turtle dump."""
    kg = get_kg()
    iri = f"{kg.base}graph/{name}"
    if iri not in kg.manifest["graphs"]:
        refuse(404, f"there is no named graph {name!r}; the graphs are listed at /dumps/")
    dump = f"/dumps/graphs/{graph_file_name(iri, kg.base)}"
    choice = negotiation.for_request(request, only=tuple(f for f in DATA_FORMATS if f.name == "turtle"), page=True,
                                     what="a named graph (its dump)")
    if choice.format is not negotiation.PAGE:
        return redirect(dump, code=303)
    release = name.removeprefix("release/") if name.startswith("release/") else None
    return render_template("graph.html", iri=iri, name=name, triples=kg.manifest["graphs"][iri], dump=dump,
                           release=release, sample=GRAPH_SAMPLE.format(graph=iri),
                           alternates=[(dump, "text/turtle", "Turtle")])


@bp.route("/dataset")
def dataset() -> Response:
    """The dataset IRI: 303 to the home page (browsers) or to the VoID/DCAT description (RDF clients)."""
    choice = negotiation.for_request(request, ("graph",), page=True, what="a dataset's description")
    if choice.format is negotiation.PAGE:
        return redirect("/", code=303)
    return redirect(f"/.well-known/void?format={choice.format.name}", code=303)


@bp.route("/dataset/<name>")
def described_dataset(name: str) -> ResponseReturnValue:
    """A dataset the VoID description names (the Wikidata linkset, Wikidata as we use it): its page, or 303 to the
    description for RDF clients."""
    cat = get_catalogue()
    iri = f"{cat.base}dataset/{name}"
    facts, incoming = described(iri) if SLUG.match(name) else ({}, {})
    if not facts:
        refuse(404, f"there is no dataset {name!r} in the VoID description (/.well-known/void)")
    choice = negotiation.for_request(request, ("graph",), page=True, what="a dataset's description")
    if choice.format is not negotiation.PAGE:
        return redirect(f"/.well-known/void?format={choice.format.name}", code=303)
    return render_template("resource.html", iri=iri, title=f"{translate('Dataset')} « {name} »",
                           kind=translate("A dataset of the VoID/DCAT description (/.well-known/void)."),
                           facts=sorted(facts.items()), incoming=sorted(incoming.items()),
                           alternates=[("/.well-known/void", "text/turtle", "VoID description (Turtle)")])
