"""Linked Data pages: /id 303s, /page HTML, /data documents, /ontology, the home page and search."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, redirect, render_template, request
from flask.typing import ResponseReturnValue
from markupsafe import Markup, escape

from montagne_kg.formats import FORMATS, Format
from montagne_kg.layout import SPAN_IRI
from montagne_kg.namespaces import PREFIXES
from montagne_kg.serving import negotiation
from montagne_kg.serving.browse import class_index
from montagne_kg.serving.catalogue import RELEASE_ID, Catalogue, Term, Value, get_catalogue
from montagne_kg.serving.diagram import Edge, neighbourhood_svg
from montagne_kg.serving.errors import refuse
from montagne_kg.serving.knowledge_graph import get_kg
from montagne_kg.serving.querypage import example_queries

bp = Blueprint("pages", __name__)

XSD = "http://www.w3.org/2001/XMLSchema#"
DATA_FORMATS: tuple[Format, ...] = tuple(f for f in FORMATS if f.name in ("turtle", "jsonld", "ntriples"))
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
NESTED_ORDER = ("numericValue", "currency", "unit", "qualifier", "quantityLocation")


@bp.after_request
def vary(response: Response) -> Response:
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
        shown = escape(f"{MONTHS[int(value[5:]) - 1]} {value[:4]}")
    elif datatype == XSD + "gMonthDay" and len(value) == 7 and value[2:4].isdigit() and 1 <= int(value[2:4]) <= 12:
        shown = escape(f"{int(value[5:])} {MONTHS[int(value[2:4]) - 1]} (year not stated)")
    elif datatype == XSD + "duration" and value.startswith("P") and value.endswith("Y") and value[1:-1].isdigit():
        shown = escape(f"{value[1:-1]} years")
    elif datatype == XSD + "boolean":
        shown = escape("yes" if value == "true" else "no")
    else:
        shown = escape(value)
    if term.lang:
        shown = Markup(f'{shown} <span class="lang">{escape(term.lang)}</span>')
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
        extras.append("in " + ", ".join(str(render_value(v)) for v in parts["quantityLocation"]))
    sources = [v for v in parts.get("wasDerivedFrom", []) if v.term.is_iri]
    if sources:
        extras.append(", ".join(str(link(s.term.value, "source")) for s in sources))
    return Markup(f'<span class="figure">{text}</span>' + (f' <span class="muted">({" · ".join(extras)})</span>'
                                                            if extras else ""))


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
}


def property_label(iri: str) -> str:
    """The ontology's English label, a reader's name for an external property, or the local name."""
    return get_catalogue().label(iri, "en") or EXTERNAL_PROPERTY_LABELS.get(iri) or local_name(iri)


def release_label(rid: str) -> str:
    return f"release {rid}"


@bp.app_context_processor
def helpers() -> dict:
    return {"render_value": render_value, "property_label": property_label, "link": link,
            "release_label": release_label}


def data_path(path_stem: str, fmt: Format) -> str:
    """Our path of a data document: ``chambery`` or ``release/000`` in ``fmt``."""
    return f"/data/{path_stem}{fmt.suffix}"


def data_format(ext: str) -> Format | None:
    """The data-document format of a file extension (ttl, jsonld, nt), if it is one we serve."""
    return next((f for f in DATA_FORMATS if f.suffix == f".{ext}"), None)


def alternates(path_stem: str) -> list[tuple[str, str, str]]:
    """(href, media type, name) of the machine twins of a page."""
    return [(data_path(path_stem, f), f.media_type, f.name) for f in DATA_FORMATS]


def see_other(slug_path: str) -> Response:
    """303 to the page for browsers, to a data document for RDF clients, by Accept (406 if nothing fits)."""
    accept = request.headers.get("Accept")
    if negotiation.accepts_html(accept):
        response = redirect(f"/page/{slug_path}", code=303)
    else:
        choice = negotiation.choose(("graph",), accept, only=DATA_FORMATS)
        if choice is None:
            offered = ", ".join(["text/html", *(f.media_type for f in DATA_FORMATS)])
            response = Response(f"Not Acceptable: {offered}\n", 406, content_type="text/plain; charset=utf-8")
        else:
            response = redirect(data_path(slug_path, choice.format), code=303)
    response.vary.add("Accept")
    return response


@bp.route("/id/<slug>")
def entity_iri(slug: str) -> Response:
    """The entity IRI: 303 to its page or data (or 301/410 when deprecated, 404 when unknown)."""
    cat = get_catalogue()
    iri = cat.entity_iri(slug)
    if iri is None:
        abort(404)
    deprecated, replacement = cat.deprecation(iri)
    if deprecated:
        if replacement and (target := cat.slug_of(replacement)):
            return redirect(f"/id/{target}", code=301)
        return Response(render_template("error.html", title="Gone", message=f"{iri} was withdrawn."), 410)
    if not cat.exists(iri):
        abort(404)
    return see_other(slug)


@bp.route("/id/release/<rid>")
def release_iri(rid: str) -> Response:
    if not RELEASE_ID.match(rid) or not get_catalogue().exists(f"{get_catalogue().base}id/release/{rid}"):
        abort(404)
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
    return neighbourhood_svg(entity.label, edges)


@bp.route("/page/<slug>")
def entity_page(slug: str) -> ResponseReturnValue:
    """An entity's page: labels, types, facts, incoming links, Wikidata, the sentences that name it, a diagram."""
    entity = get_catalogue().entity(slug)
    if entity is None:
        return render_template("error.html", title="Not found", message=f"There is no entity “{slug}”."), 404
    facts = sorted(entity.facts.items(), key=lambda kv: property_label(kv[0]))
    incoming = sorted(entity.incoming.items(), key=lambda kv: property_label(kv[0]))
    releases: dict[str, list] = {}
    for mention in entity.mentions:
        releases.setdefault(mention.release, []).append(mention)
    return render_template("entity.html", entity=entity, facts=facts, incoming=incoming, releases=releases,
                           diagram=Markup(neighbourhood(entity)), alternates=alternates(slug))


def highlighted_text(text: str, marks: list[tuple[int, int, str, str]],
                     passage: tuple[int, int] | None = None) -> Markup:
    """The release text, escaped, with each mention (begin, end, href, title) as a link (overlaps keep the first),
    and ``passage`` (a search hit) marked as ``#passage``; a mention across the passage's edges stays plain text."""
    if passage is not None:
        start, end = passage
        before = [m for m in marks if m[1] <= start]
        inside = [(b - start, e - start, h, t) for b, e, h, t in marks if start <= b and e <= end]
        after = [(b - end, e - end, h, t) for b, e, h, t in marks if end <= b]
        return Markup("").join([highlighted_text(text[:start], before), Markup('<mark id="passage">'),
                                highlighted_text(text[start:end], inside), Markup("</mark>"),
                                highlighted_text(text[end:], after)])
    out, position = [], 0
    for begin, end, href, title in sorted(marks, key=lambda m: (m[0], -m[1])):
        if begin < position:
            continue
        out.append(str(escape(text[position:begin])))
        out.append(f'<a class="mention" href="{escape(href)}" title="{escape(title)}">{escape(text[begin:end])}</a>')
        position = end
    out.append(str(escape(text[position:])))
    return Markup("".join(out))


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
    if not RELEASE_ID.match(rid):
        abort(404)
    path = get_kg().build / "releases" / f"{rid}.txt"
    if not path.exists():
        return render_template("error.html", title="Not found", message=f"There is no release {rid}."), 404
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
    marks = [(int(m["b"]["value"]), int(m["x"]["value"]), cat.page_path(m["e"]["value"]) or m["e"]["value"],
              cat.label(m["e"]["value"])) for m in mentions]
    facts = cat.select(f"SELECT DISTINCT ?f ?c WHERE {{ ?f <http://www.w3.org/ns/prov#wasDerivedFrom> ?s . "
                       f"?s <{cat.base}ontology#inRelease> <{iri}> . GRAPH <{cat.base}graph/release/{rid}> "
                       f"{{ ?f a ?c }} FILTER(!STRSTARTS(STR(?f), '{cat.genid}')) }}")
    fact_rows = sorted({(cat.label(f["c"]["value"], "en"), f["f"]["value"], cat.label(f["f"]["value"]))
                        for f in facts})
    return render_template("release.html", rid=rid, iri=iri, meta=meta, notes=notes,
                           text=highlighted_text(text, marks, passage_of(text)),
                           facts=fact_rows, mention_count=len(marks), alternates=alternates(f"release/{rid}"))


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


@bp.route("/data/<slug>.<ext>")
def entity_data(slug: str, ext: str) -> Response:
    """The machine twin of an entity page (Turtle, JSON-LD, N-Triples)."""
    cat = get_catalogue()
    fmt = data_format(ext)
    iri = cat.entity_iri(slug)
    if fmt is None or iri is None or not cat.exists(iri):
        abort(404)
    body = cat.construct(entity_document_query(iri, f"{cat.base}data/{slug}.{ext}", cat), fmt.name)
    return Response(body, content_type=fmt.content_type)


@bp.route("/data/release/<rid>.<ext>")
def release_data(rid: str, ext: str) -> Response:
    cat = get_catalogue()
    fmt = data_format(ext)
    iri = f"{cat.base}id/release/{rid}"
    if fmt is None or not RELEASE_ID.match(rid) or not cat.exists(iri):
        abort(404)
    query = (f"CONSTRUCT {{ <{iri}> ?p ?o . ?s ?sp ?so . ?st ?stp ?sto }} WHERE {{ {{ <{iri}> ?p ?o }} UNION "
             f"{{ ?s <{cat.base}ontology#inRelease> <{iri}> ; ?sp ?so }} UNION "
             f"{{ ?st <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> <{iri}> ; ?stp ?sto }} }}")
    return Response(cat.construct(query, fmt.name), content_type=fmt.content_type)


@bp.route("/ontology")
def ontology() -> ResponseReturnValue:
    """The ontology: HTML documentation for browsers, Turtle (or another RDF format) for RDF clients."""
    accept = request.headers.get("Accept")
    if not negotiation.accepts_html(accept):
        choice = negotiation.choose(("graph",), accept, request.args.get("format"))
        if choice is None:
            abort(406)
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
def home() -> ResponseReturnValue:
    """What the dataset is, its licence, counts by class, search, example queries, downloads."""
    cat = get_catalogue()
    index = class_index()
    classes = [(name, cat.label(f"{index.ontology}{name}", "en") or name, n)
               for name, n in sorted(index.counts.items(), key=lambda item: (-item[1], item[0]))]
    return render_template("home.html", classes=classes, examples=example_queries(), manifest=get_kg().manifest,
                           alternates=[("/.well-known/void", "text/turtle", "VoID description (Turtle)")])
