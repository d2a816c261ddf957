"""Linked Data pages: /id 303s, /page HTML, /data documents, /ontology, the home page and search."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Response, jsonify, redirect, render_template, request
from flask.typing import ResponseReturnValue
from markupsafe import Markup, escape

from montagne_kg.formats import FORMATS, Format
from montagne_kg.layout import SPAN_IRI
from montagne_kg.namespaces import PREFIXES
from montagne_kg.serving import negotiation
from montagne_kg.serving.browse import class_index
from montagne_kg.serving.catalogue import RELEASE_ID, Catalogue, Term, Value, get_catalogue
from montagne_kg.serving.clients import counted_as_page
from montagne_kg.serving.diagram import Edge, narrow_layout, wide_layout
from montagne_kg.serving.errors import refuse
from montagne_kg.serving.interface import interface_language, translate
from montagne_kg.serving.knowledge_graph import get_kg
from montagne_kg.serving.querypage import example_queries
from montagne_kg.serving.release_text import Mark, release_html

bp = Blueprint("pages", __name__)

XSD = "http://www.w3.org/2001/XMLSchema#"
DATA_FORMATS: tuple[Format, ...] = tuple(f for f in FORMATS if f.name in ("turtle", "jsonld", "ntriples", "rdfxml"))
MONTHS = {"en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                 "November", "December"),
          "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                 "novembre", "décembre")}
NESTED_ORDER = ("numericValue", "currency", "unit", "qualifier", "quantityLocation")


@bp.after_request
def vary_on_accept(response: Response) -> Response:
    response.vary.add("Accept")
    return response


def is_web_iri(value: str) -> bool:
    return urlsplit(value).scheme in ("http", "https")


def short_iri(iri: str) -> str:
    """A prefixed name for IRIs of the vocabularies we know, the IRI itself otherwise."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def span_text(iri: str) -> str | None:
    """'release 000, characters 10–18' for a text-span IRI, else None."""
    match = SPAN_IRI.match(iri)
    if not match:
        return None
    begin, end = match.group("fragment").removeprefix("char=").split(",", 1)
    return f"release {match.group('id')}, characters {begin}–{end}"


def link(iri: str, text: str | None = None) -> Markup:
    """An escaped link: our IRIs to our pages, other http(s) IRIs to themselves, anything else as plain text; a
    passage of a release is shown as its quoted words, linked to its place in the release."""
    cat = get_catalogue()
    quote = cat.quotes.get(iri) if not text else None
    if quote is not None:
        return Markup(f'<a class="evidence" href="{escape(cat.page_path(iri))}" title="{escape(span_text(iri))}">'
                      f"« {escape(quote)} »</a>")
    shown = escape(text or span_text(iri) or short_iri(iri))
    if not is_web_iri(iri):
        return Markup(f'<span class="iri">{shown}</span>')
    href = cat.page_path(iri) or iri
    return Markup(f'<a href="{escape(href)}" title="{escape(iri)}">{shown}</a>')


def number(text: str) -> str:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    return f"{value:,}".replace(",", "\u202f")


def literal(term: Term) -> Markup:
    """A literal formatted for people: dates, numbers, durations, partial dates; the language as a badge."""
    value, datatype = term.value, term.datatype
    if datatype == XSD + "date":
        shown = Markup(f'<time datetime="{escape(value)}">{escape(value)}</time>')
    elif datatype in (XSD + "integer", XSD + "decimal", XSD + "double", XSD + "nonNegativeInteger"):
        shown = escape(number(value))
    elif datatype == XSD + "gYearMonth" and len(value) == 7 and value[5:].isdigit() and 1 <= int(value[5:]) <= 12:
        shown = escape(f"{MONTHS[interface_language()][int(value[5:]) - 1]} {value[:4]}")
    elif datatype == XSD + "gMonthDay" and len(value) == 7 and value[2:4].isdigit() and 1 <= int(value[2:4]) <= 12:
        month = MONTHS[interface_language()][int(value[2:4]) - 1]
        shown = escape(f"{int(value[5:])} {month} ({translate('year not stated')})")
    elif datatype == XSD + "duration" and value.startswith("P") and value.endswith("Y") and value[1:-1].isdigit():
        shown = escape(f"{value[1:-1]} {translate('years')}")
    elif datatype == XSD + "boolean":
        shown = escape(translate("yes") if value == "true" else translate("no"))
    else:
        shown = escape(value)
    if term.lang:
        shown = Markup(f'<span lang="{escape(term.lang)}">{shown}</span> <span class="lang">{escape(term.lang)}</span>')
    return Markup(shown)


def local_name(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def render_value(value: Value) -> Markup:
    """One value: a link with its label, a formatted literal, or a figure (number, unit, qualifiers, place)."""
    if value.nested:
        return render_figure(value)
    if value.term.is_iri:
        return link(value.term.value, value.label or None)
    if value.term.kind == "literal":
        return literal(value.term)
    return escape(value.term.value)


def render_figure(value: Value) -> Markup:
    parts: dict[str, list[Value]] = {}
    for prop, values in sorted(value.nested.items()):  # aligned properties (mkg:currency, schema:currency) once
        seen = {v.term.value for v in parts.get(local_name(prop), [])}
        parts.setdefault(local_name(prop), []).extend(v for v in values if v.term.value not in seen)
    pieces = []
    for key in ("numericValue", "currency", "unit"):
        pieces.extend(str(render_value(v)) for v in parts.get(key, []))
    text = " ".join(pieces)
    extras = []
    if parts.get("qualifier"):
        extras.append(", ".join(str(escape(q.label or local_name(q.term.value))) for q in parts["qualifier"]))
    if parts.get("quantityLocation"):
        extras.append(f"{translate('in')} " + ", ".join(str(render_value(v)) for v in parts["quantityLocation"]))
    sources = [v for v in parts.get("wasDerivedFrom", []) if v.term.is_iri]
    if sources:
        extras.append(", ".join(str(link(s.term.value, translate("source"))) for s in sources))
    return Markup(f'<span class="figure">{text}</span>' + (f' <span class="muted">({" · ".join(extras)})</span>'
                                                            if extras else ""))


WIKIDATA_LINKS = ("http://www.w3.org/2002/07/owl#sameAs", "http://www.w3.org/2004/02/skos/core#exactMatch")

# Properties of the vocabularies we use but never import: their labels, as a reader says them.
EXTERNAL_PROPERTY_LABELS = {
    "http://www.w3.org/ns/prov#wasDerivedFrom": "derived from",
    "http://www.w3.org/ns/prov#wasAttributedTo": "attributed to",
    "http://www.w3.org/2000/01/rdf-schema#label": "label",
    "http://www.w3.org/2000/01/rdf-schema#comment": "comment",
    "http://www.w3.org/2000/01/rdf-schema#seeAlso": "see also",
    "http://www.w3.org/2004/02/skos/core#altLabel": "also called",
    "http://www.w3.org/2004/02/skos/core#exactMatch": "exact match",
    "http://www.w3.org/2002/07/owl#sameAs": "same as",
    "http://purl.org/dc/terms/title": "title",
    "http://purl.org/dc/terms/publisher": "publisher",
    "http://purl.org/dc/terms/language": "language",
    "http://purl.org/dc/terms/description": "description",
    "http://purl.org/dc/terms/isReplacedBy": "replaced by",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": "type",
    "http://purl.org/dc/terms/source": "source",
    "http://purl.org/dc/terms/date": "date",
    "http://purl.org/dc/terms/license": "licence",
    "http://purl.org/dc/terms/isPartOf": "part of",
    "http://rdfs.org/ns/void#exampleResource": "example resource",
    "http://rdfs.org/ns/void#subjectsTarget": "subjects from",
    "http://rdfs.org/ns/void#objectsTarget": "objects from",
    "http://rdfs.org/ns/void#linkPredicate": "link property",
    "http://rdfs.org/ns/void#sparqlEndpoint": "SPARQL endpoint",
}


def property_label(iri: str) -> str:
    """The ontology's label in the interface's language, a reader's name for an external property, or the local
    name."""
    lang = interface_language()
    external = EXTERNAL_PROPERTY_LABELS.get(iri)
    return get_catalogue().label(iri, lang) or (external and translate(external)) or local_name(iri)


def class_name(iri: str) -> str:
    """A class's label in the interface's language ("" for none)."""
    return get_catalogue().label(iri, interface_language()) if iri else ""


def release_label(rid: str) -> str:
    return f"{translate('release')} {rid}"


@bp.app_context_processor
def helpers() -> dict:
    return {"render_value": render_value, "property_label": property_label, "link": link,
            "release_label": release_label, "class_name": class_name}


def data_path(path_stem: str, fmt: Format) -> str:
    """Our path of a data document: ``chambery`` or ``release/000`` in ``fmt``."""
    return f"/data/{path_stem}{fmt.suffix}"


def data_format(ext: str) -> Format | None:
    """The data-document format of a file extension (ttl, jsonld, nt, rdf), if it is one we serve."""
    return next((f for f in DATA_FORMATS if f.suffix == f".{ext}"), None)


def alternates(path_stem: str) -> list[tuple[str, str, str]]:
    """(href, media type, name) of the machine twins of a page."""
    return [(data_path(path_stem, f), f.media_type, f.name) for f in DATA_FORMATS]


def see_other(slug_path: str) -> Response:
    """303 to the page for browsers, to a data document for RDF clients, by Accept or format= (406 if nothing
    fits)."""
    choice = negotiation.for_request(request, only=DATA_FORMATS, page=True)
    if choice.format is negotiation.PAGE:
        response = redirect(f"/page/{slug_path}", code=303)
    else:
        response = redirect(data_path(slug_path, choice.format), code=303)
    response.vary.add("Accept")
    return response


def page_or_data(slug_path: str) -> Response | None:
    """None to render the page; ``format=`` naming a data format: 303 to that document (unknown: 400)."""
    if not request.args.get("format"):
        return None
    choice = negotiation.for_request(request, only=DATA_FORMATS, page=True)  # a format= always decides
    if choice.format is negotiation.PAGE:
        return None
    return redirect(data_path(slug_path, choice.format), code=303)


@bp.route("/id/<slug>")
def entity_iri(slug: str) -> Response:
    """The entity IRI: 303 to its page or data (or 301/410 when deprecated, 404 when unknown)."""
    cat = get_catalogue()
    iri = cat.entity_iri(slug)
    if iri is None or not cat.exists(iri):
        refuse(404, f"there is no entity {slug!r} in this dataset; search for it at /search")
    deprecated, replacement = cat.deprecation(iri)
    if deprecated:
        if replacement and (target := cat.slug_of(replacement)):
            return redirect(f"/id/{target}", code=301)
        refuse(410, f"{iri} was withdrawn and has no replacement")
    return see_other(slug)


@bp.route("/id/release/<rid>")
def release_iri(rid: str) -> Response:
    if not RELEASE_ID.match(rid) or not get_catalogue().exists(f"{get_catalogue().base}id/release/{rid}"):
        refuse(404, f"there is no release {rid!r} in this dataset")
    return see_other(f"release/{rid}")


def neighbourhood(entity) -> str:
    cat = get_catalogue()
    edges = []
    seen = set()
    for prop, values in entity.facts.items():
        for v in values:
            if v.term.is_iri and cat.slug_of(v.term.value) and (prop, v.term.value) not in seen and not v.inferred:
                seen.add((prop, v.term.value))
                edges.append(Edge(v.label or local_name(v.term.value), cat.page_path(v.term.value),
                                  property_label(prop), True))
    for prop, values in entity.incoming.items():
        for v in values:
            if cat.slug_of(v.term.value) and (prop, v.term.value) not in seen:
                seen.add((prop, v.term.value))
                edges.append(Edge(v.label or local_name(v.term.value), cat.page_path(v.term.value),
                                  property_label(prop), False))
    return render_template("diagram.svg", drawings=(wide_layout(entity.label, edges),
                                                    narrow_layout(entity.label, edges)))


@bp.route("/page/<slug>")
def entity_page(slug: str) -> ResponseReturnValue:
    """An entity's page: labels, types, facts, incoming links, Wikidata, the sentences that name it, a diagram."""
    entity = get_catalogue().entity(slug)
    if entity is None:
        refuse(404, f"there is no entity {slug!r} in this dataset; search for it at /search")
    if twin := page_or_data(slug):
        return twin
    items = {item for item, *_ in entity.wikidata}  # owl:sameAs and skos:exactMatch to them: the one Wikidata row
    facts = sorted(((prop, kept) for prop, values in entity.facts.items()
                    if (kept := [v for v in values if not (prop in WIKIDATA_LINKS and v.term.value in items)])),
                   key=lambda kv: property_label(kv[0]))
    incoming = sorted(entity.incoming.items(), key=lambda kv: property_label(kv[0]))
    releases: dict[str, list] = {}
    for mention in entity.mentions:
        releases.setdefault(mention.release, []).append(mention)
    return render_template("entity.html", entity=entity, facts=facts, incoming=incoming, releases=releases,
                           diagram=Markup(neighbourhood(entity)), alternates=alternates(slug))


def passage_of(text: str) -> tuple[int, int] | None:
    """The ?passage=start,end a search hit links to, checked against the text (a 400 saying why otherwise)."""
    value = request.args.get("passage")
    if value is None:
        return None
    match = re.fullmatch(r"(\d+),(\d+)", value)
    if not match or not int(match.group(1)) < int(match.group(2)) <= len(text):
        refuse(400, f"passage must be start,end within the text (0 to {len(text)} characters), not {value!r}")
    return int(match.group(1)), int(match.group(2))


@bp.route("/page/release/<rid>")
def release_page(rid: str) -> ResponseReturnValue:
    """A release: metadata, the text with every mention linked, and the facts drawn from it."""
    cat = get_catalogue()
    path = get_kg().build / "releases" / f"{rid}.txt"
    if not RELEASE_ID.match(rid) or not path.exists():
        refuse(404, f"there is no release {rid!r} in this dataset")
    if twin := page_or_data(f"release/{rid}"):
        return twin
    text = path.read_bytes().decode("utf-8")
    iri = f"{cat.base}id/release/{rid}"
    meta_rows = cat.select(f"SELECT DISTINCT ?p ?o WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} "
                           f"FILTER(?g != <{cat.base}graph/inferred>) }}")
    meta: dict[str, list[Value]] = {}
    for row in meta_rows:
        meta.setdefault(row["p"]["value"], []).append(Value(Term.of(row["o"]), cat.label(row["o"]["value"])
                                                            if row["o"]["type"] == "uri" else ""))
    notes = cat.select(f"SELECT ?pred ?obj ?comment WHERE {{ ?st <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> "
                       f"<{iri}> ; <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> ?pred ; "
                       f"<http://www.w3.org/1999/02/22-rdf-syntax-ns#object> ?obj ; "
                       f"<http://www.w3.org/2000/01/rdf-schema#comment> ?comment FILTER(lang(?comment) = 'en') }}")
    mentions = cat.select(f"SELECT ?e ?b ?x WHERE {{ {{ ?e <{cat.base}ontology#mention> ?s }} UNION "
                          f"{{ ?e <{cat.base}ontology#impliedBy> ?s }} ?s <{cat.base}ontology#inRelease> <{iri}> ; "
                          f"<{cat.base}ontology#beginIndex> ?b ; <{cat.base}ontology#endIndex> ?x }}")
    marks = [Mark(int(m["b"]["value"]), int(m["x"]["value"]), cat.page_path(m["e"]["value"]) or m["e"]["value"],
                  cat.label(m["e"]["value"])) for m in mentions]
    facts = cat.release_facts(rid)
    return render_template("release.html", rid=rid, iri=iri, meta=meta, notes=notes,
                           text=release_html(text, marks, passage_of(text)), facts=facts,
                           fact_count=sum(len(rows) for _, rows in facts), mention_count=len(marks),
                           alternates=alternates(f"release/{rid}"))


def entity_document_query(iri: str, doc: str, cat: Catalogue) -> str:
    """CONSTRUCT of an entity's data document: its triples, incoming links, labels, figures, mentions, sources."""
    return f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX mkg: <{cat.base}ontology#>
CONSTRUCT {{
  <{doc}> <http://xmlns.com/foaf/0.1/primaryTopic> <{iri}> ;
          <http://purl.org/dc/terms/license> <https://creativecommons.org/licenses/by/4.0/> .
  <{iri}> ?p ?o . ?o rdfs:label ?ol . ?s ?ip <{iri}> . ?s rdfs:label ?sl .
  ?q ?qp ?qo . ?span ?sp ?so . ?src ?srcp ?srco .
}} WHERE {{
  {{ <{iri}> ?p ?o OPTIONAL {{ ?o rdfs:label ?ol }} }}
  UNION {{ ?s ?ip <{iri}> FILTER(isIRI(?s)) OPTIONAL {{ ?s rdfs:label ?sl }} }}
  UNION {{ <{iri}> ?x ?q FILTER(STRSTARTS(STR(?q), "{cat.genid}")) ?q ?qp ?qo }}
  UNION {{ <{iri}> mkg:mention|mkg:impliedBy ?span . ?span ?sp ?so }}
  UNION {{ <{iri}> prov:wasDerivedFrom|(!prov:wasDerivedFrom/prov:wasDerivedFrom) ?src .
           ?src mkg:inRelease ?r . ?src ?srcp ?srco }}
}}"""


def document_format(path_stem: str, ext: str) -> Format | Response:
    """The format a data document's suffix names (404 otherwise); ``format=`` naming another one: 303 to it."""
    fmt = data_format(ext)
    if fmt is None:
        refuse(404, f"data documents are served as {', '.join(f.suffix for f in DATA_FORMATS)}, not .{ext}")
    if request.args.get("format"):
        choice = negotiation.for_request(request, only=DATA_FORMATS, page=True)  # a format= always decides
        if choice.format is negotiation.PAGE:
            return redirect(f"/page/{path_stem}", code=303)
        if choice.format is not fmt:
            return redirect(data_path(path_stem, choice.format), code=303)
    return fmt


@bp.route("/data/<slug>.<ext>")
def entity_data(slug: str, ext: str) -> Response:
    """The machine twin of an entity page (Turtle, JSON-LD, N-Triples, RDF/XML)."""
    cat = get_catalogue()
    iri = cat.entity_iri(slug)
    if iri is None or not cat.exists(iri):
        refuse(404, f"there is no entity {slug!r} in this dataset")
    fmt = document_format(slug, ext)
    if isinstance(fmt, Response):
        return fmt
    body = cat.construct(entity_document_query(iri, f"{cat.base}data/{slug}.{ext}", cat), fmt.name)
    return Response(body, content_type=fmt.content_type)


@bp.route("/data/release/<rid>.<ext>")
def release_data(rid: str, ext: str) -> Response:
    cat = get_catalogue()
    iri = f"{cat.base}id/release/{rid}"
    if not RELEASE_ID.match(rid) or not cat.exists(iri):
        refuse(404, f"there is no release {rid!r} in this dataset")
    fmt = document_format(f"release/{rid}", ext)
    if isinstance(fmt, Response):
        return fmt
    query = (f"CONSTRUCT {{ <{iri}> ?p ?o . ?s ?sp ?so . ?st ?stp ?sto }} WHERE {{ {{ <{iri}> ?p ?o }} UNION "
             f"{{ ?s <{cat.base}ontology#inRelease> <{iri}> ; ?sp ?so }} UNION "
             f"{{ ?st <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> <{iri}> ; ?stp ?sto }} }}")
    return Response(cat.construct(query, fmt.name), content_type=fmt.content_type)


@bp.route("/context.jsonld")
def jsonld_context() -> Response:
    """The JSON-LD context of our documents: every prefix we write (each document inlines those it uses)."""
    return jsonify({"@context": PREFIXES}), 200, {"Content-Type": "application/ld+json"}


@bp.route("/ontology")
def ontology() -> ResponseReturnValue:
    """The ontology: HTML documentation for browsers, Turtle (or another RDF format) for RDF clients."""
    choice = negotiation.for_request(request, ("graph",), page=True, what="the ontology")
    if choice.format is not negotiation.PAGE:
        graph_file = Path(get_kg().build) / "graphs" / "ontology.ttl"
        if choice.format.name == "turtle":
            return Response(graph_file.read_bytes(), content_type=choice.content_type)
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{get_catalogue().base}graph/ontology> {{ ?s ?p ?o }} }}"
        return Response(get_catalogue().construct(query, choice.format.name), content_type=choice.content_type)
    cat = get_catalogue()
    rows = cat.select(f"SELECT ?t ?p ?o WHERE {{ GRAPH <{cat.base}graph/ontology> {{ ?t ?p ?o "
                      f"FILTER(STRSTARTS(STR(?t), '{cat.base}ontology#')) }} }}")
    terms: dict[str, dict[str, list[Term]]] = {}
    for row in rows:
        terms.setdefault(row["t"]["value"], {}).setdefault(row["p"]["value"], []).append(Term.of(row["o"]))
    kinds = {"Classes": "http://www.w3.org/2002/07/owl#Class",
             "Object properties": "http://www.w3.org/2002/07/owl#ObjectProperty",
             "Datatype properties": "http://www.w3.org/2002/07/owl#DatatypeProperty",
             "Cooperation domains (SKOS)": f"{cat.base}ontology#CooperationDomain",
             "Units and qualifiers": None}
    grouped: dict[str, list] = {k: [] for k in kinds}
    for iri, props in sorted(terms.items()):
        types = {t.value for t in props.get("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", [])}
        kind = next((k for k, t in kinds.items() if t in types), "Units and qualifiers")
        grouped[kind].append((local_name(iri), iri, props))
    return render_template("ontology.html", grouped=grouped, alternates=[])


@bp.route("/")
@counted_as_page
def home() -> ResponseReturnValue:
    """What the dataset is, its licence, counts by class, search, example queries, downloads."""
    cat = get_catalogue()
    index = class_index()
    classes = [(name, class_name(f"{index.ontology}{name}") or name, n)
               for name, n in sorted(index.counts.items(), key=lambda item: (-item[1], item[0]))]
    if negotiation.twin_wanted(request):
        return jsonify({"base": cat.base, "build": get_kg().build.name,
                        "triples": get_kg().manifest["merged_triples"],
                        "classes": {name: {"label": label, "count": n, "page": f"/class/{name}"}
                                    for name, label, n in classes},
                        "releases": [{"id": r.id, "title": r.title, "publisher": r.publisher, "dated": r.dated,
                                      "page": f"/page/release/{r.id}"} for r in cat.releases],
                        "examples": [{"name": ex.stem, "summary": ex.summary, "query": ex.text}
                                     for ex in example_queries()]})
    return render_template("home.html", classes=classes, releases=cat.releases, examples=example_queries(),
                           manifest=get_kg().manifest,
                           alternates=[("/?format=json", "application/json", "JSON"),
                                       ("/.well-known/void", "text/turtle", "VoID description (Turtle)")])
