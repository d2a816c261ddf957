"""Class pages: every instance of an ontology class with its label — sortable, paginated, faceted — and their JSON
twin (``/class/<local name>?format=json``).

The page's data comes from three constant queries over the whole build, read once per worker (the build never
changes under a worker); filtering, facets, sorting and paging are Python over that index.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlencode

from flask import Blueprint, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from montagne_kg.serving import negotiation
from montagne_kg.serving.catalogue import Catalogue, fold, get_catalogue
from montagne_kg.serving.clients import counted_as_page
from montagne_kg.serving.errors import refuse
from montagne_kg.serving.interface import interface_language

bp = Blueprint("browse", __name__)

MEMBERS = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?entity ?class ?graph ?label WHERE {
  GRAPH ?graph { ?entity rdf:type ?class }
  OPTIONAL { ?entity rdfs:label ?label FILTER (LANG(?label) = "fr") }
}"""
TEXT_LINKS = """SELECT DISTINCT ?entity ?property ?span WHERE {
  ?entity ?property ?span FILTER (isIRI(?span) && CONTAINS(STR(?span), "#char="))
}"""
WIKIDATA_LINKS = """PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?entity WHERE {
  { ?entity owl:sameAs ?item } UNION { ?entity skos:exactMatch ?item }
  FILTER (STRSTARTS(STR(?item), "http://www.wikidata.org/entity/Q"))
}"""
INTERNAL = frozenset({"TextSpan", "Curation", "PressRelease"})  # the text and its curation, not the world
SORTS = ("label", "class", "releases", "wikidata")
PAGE_SIZE, MAX_PAGE_SIZE = 50, 500


@dataclass
class Member:
    slug: str
    label: str
    classes: set[str] = field(default_factory=set)  # every class, inferred superclasses included
    asserted: set[str] = field(default_factory=set)  # what the releases say it is
    releases: set[str] = field(default_factory=set)  # releases that name it
    wikidata: bool = False

    @property
    def kind(self) -> str:
        """Its most specific class as the releases state it (alphabetical first when they state several)."""
        return min(self.asserted) if self.asserted else ""


class ClassIndex:
    """Every entity of the build with its classes, releases and Wikidata flag; built from three queries."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.ontology = f"{catalogue.base}ontology#"

    @cached_property
    def members(self) -> dict[str, Member]:
        cat, ontology = self.catalogue, self.ontology
        members: dict[str, Member] = {}
        release_graphs, inferred = f"{cat.base}graph/release/", f"{cat.base}graph/inferred"
        for row in cat.select(MEMBERS):
            slug, cls, graph = cat.slug_of(row["entity"]["value"]), row["class"]["value"], row["graph"]["value"]
            if slug is None or not cls.startswith(ontology):
                continue
            if not graph.startswith(release_graphs) and graph != inferred:
                continue
            member = members.setdefault(slug, Member(slug, slug))
            if "label" in row:
                member.label = row["label"]["value"]
            member.classes.add(cls[len(ontology):])
            if graph.startswith(release_graphs):
                member.asserted.add(cls[len(ontology):])
        mention, implied = f"{ontology}mention", f"{ontology}impliedBy"
        for row in cat.select(TEXT_LINKS):
            slug = cat.slug_of(row["entity"]["value"])
            if slug in members and row["property"]["value"] in (mention, implied):
                members[slug].releases.add(row["span"]["value"].rsplit("/", 1)[1].split("#")[0])
        for row in cat.select(WIKIDATA_LINKS):
            slug = cat.slug_of(row["entity"]["value"])
            if slug in members:
                members[slug].wikidata = True
        return members

    @cached_property
    def counts(self) -> Counter[str]:
        """Instances per public class (internal classes left out)."""
        return Counter(c for m in self.members.values() for c in m.classes if c not in INTERNAL)


def class_index() -> ClassIndex:
    if "class_index" not in current_app.extensions:
        current_app.extensions["class_index"] = ClassIndex(get_catalogue())
    return current_app.extensions["class_index"]


def _choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    value = request.args.get(name, default)
    if value not in allowed:
        refuse(400, f"{name} must be one of {', '.join(allowed)} (got {value!r})")
    return value


def _positive(name: str, default: int, most: int) -> int:
    value = request.args.get(name, str(default))
    if not value.isdigit() or not 1 <= int(value) <= most:
        refuse(400, f"{name} must be a whole number from 1 to {most} (got {value!r})")
    return int(value)


def _sort_key(sort: str):
    if sort == "class":
        return lambda m: (m.kind, fold(m.label))
    if sort == "releases":
        return lambda m: (sorted(m.releases), fold(m.label))
    if sort == "wikidata":
        return lambda m: (not m.wikidata, fold(m.label))
    return lambda m: (fold(m.label), m.slug)


@bp.route("/class/<name>")
@counted_as_page
def class_page(name: str) -> ResponseReturnValue:
    """Instances of one class: ?release=, ?subclass=, ?wikidata=yes|no filter; ?sort=, ?order=, ?page=, ?size=."""
    index = class_index()
    if name not in index.counts:
        refuse(404, f"no class {name} with instances here; the classes are listed on the home page")
    sort = _choice("sort", SORTS, "label")
    order = _choice("order", ("asc", "desc"), "asc")
    size = _positive("size", PAGE_SIZE, MAX_PAGE_SIZE)
    wanted = {key: request.args.get(key) for key in ("release", "subclass", "wikidata") if request.args.get(key)}
    if wanted.get("wikidata") not in (None, "yes", "no"):
        refuse(400, f"wikidata must be yes or no (got {wanted['wikidata']!r})")
    members = [m for m in index.members.values() if name in m.classes]
    facets = {"release": Counter(r for m in members for r in m.releases),
              "subclass": Counter(m.kind for m in members if m.kind),
              "wikidata": Counter("yes" if m.wikidata else "no" for m in members)}
    chosen = [m for m in members
              if ("release" not in wanted or wanted["release"] in m.releases)
              and ("subclass" not in wanted or m.kind == wanted["subclass"])
              and ("wikidata" not in wanted or m.wikidata == (wanted["wikidata"] == "yes"))]
    chosen.sort(key=_sort_key(sort), reverse=order == "desc")
    pages = max(1, -(-len(chosen) // size))
    page = _positive("page", 1, pages)
    shown = chosen[(page - 1) * size: page * size]
    cat = index.catalogue
    label = cat.label(f"{index.ontology}{name}", interface_language()) or name
    if negotiation.twin_wanted(request):
        return jsonify(
            {"class": f"{index.ontology}{name}", "label": label, "total": len(chosen), "page": page, "pages": pages,
             "size": size, "sort": sort, "order": order, "filters": wanted,
             "facets": {k: dict(sorted(v.items())) for k, v in facets.items()},
             "results": [{"slug": m.slug, "label": m.label, "iri": f"{cat.base}id/{m.slug}", "page": f"/page/{m.slug}",
                          "class": m.kind, "releases": sorted(m.releases), "wikidata": m.wikidata} for m in shown]})
    params = {"sort": sort, "order": order, "size": size, **wanted}

    def url(**changes: object) -> str:
        merged = {k: v for k, v in {**params, **changes}.items() if v not in (None, "")}
        defaults = {"sort": "label", "order": "asc", "size": PAGE_SIZE, "page": 1}
        query = urlencode({k: v for k, v in merged.items() if defaults.get(k) != v})
        return f"/class/{name}" + (f"?{query}" if query else "")

    return render_template("class.html", name=name, label=label, total=len(chosen), all=len(members), shown=shown,
                           page=page, pages=pages, sort=sort, order=order, wanted=wanted, facets=facets, url=url,
                           class_label=lambda c: cat.label(f"{index.ontology}{c}", interface_language()) or c,
                           alternates=[(url(format="json"), "application/json", "json")])
