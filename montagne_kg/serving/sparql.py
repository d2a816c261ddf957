"""The SPARQL 1.1 Protocol endpoint at /sparql (read-only), with its service description."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pyoxigraph as ox
from flask import Blueprint, Response, request
from werkzeug.wrappers import Request

from montagne_kg.serving import negotiation
from montagne_kg.serving.answers import READ_ONLY, Answer, QueryJob, refused_before_evaluation
from montagne_kg.serving.clients import client_address
from montagne_kg.serving.errors import refuse
from montagne_kg.serving.federation import FederationRefused
from montagne_kg.serving.knowledge_graph import KnowledgeGraph, get_kg
from montagne_kg.serving.query_bounds import QueryTooLarge, check_nesting, check_terms
from montagne_kg.serving.querypage import query_page
from montagne_kg.serving.service_description import service_description

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
ALLOWED_METHODS = ("GET", "HEAD", "POST", "OPTIONS")
CROSS_ORIGIN = {"Vary": "Accept", "Access-Control-Allow-Origin": "*",
                "Access-Control-Expose-Headers": "X-SPARQL-MaxRows, Content-Length, Retry-After"}


@dataclass(frozen=True)
class PendingQuery:
    """A query request that passed every check of the front: its job, and the client it counts against."""

    job: QueryJob
    client: str


def respond(answer: Answer) -> Response:
    """A 200 answer as a response; any other status through the one error mechanism."""
    if answer.status != 200:
        refuse(answer.status, answer.message, answer.headers)
    return Response(answer.body, status=answer.status, headers=answer.headers, content_type=answer.content_type)


@bp.before_request
def bounded_body() -> None:
    """Refuse a body over the cap with 413 naming it, chunked bodies included (read here, never silently cut)."""
    limit = get_kg().settings.max_body
    environ = request.environ
    declared = environ.get("CONTENT_LENGTH")
    if declared:
        if declared.isdigit() and int(declared) > limit:
            refuse(413, f"the request body is {declared} bytes, over {limit} (the body size limit); "
                        "send a shorter query")
        return
    if "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return
    body = environ["wsgi.input"].read(limit + 1)
    if len(body) > limit:
        refuse(413, f"the request body is over {limit} bytes (the body size limit); send a shorter query")
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))


@bp.after_request
def protocol_headers(response: Response) -> Response:
    """Every /sparql answer varies by Accept (and nothing else) and may be read cross-origin."""
    response.headers.update(CROSS_ORIGIN)  # set, not merged through response.vary: 60 µs less per answer
    return response


def _utf8_body(request: Request) -> str:
    charset = request.mimetype_params.get("charset")
    if charset and charset.lower().replace("-", "") != "utf8":
        refuse(415, f"charset {charset} is not accepted; send UTF-8")
    try:
        return request.get_data().decode("utf-8")
    except UnicodeDecodeError as err:
        refuse(400, f"the body is not UTF-8 ({err})")


def _one_query(queries: list[str], updates: list[str]) -> str | None:
    if updates:
        refuse(403, READ_ONLY)
    if len(queries) > 1:
        refuse(400, "more than one query parameter")
    return queries[0] if queries else None


def read_request(request: Request) -> tuple[str | None, list[str], list[str]]:
    """The query text and protocol dataset of a GET or POST (a Refusal for what the protocol rejects)."""
    default_graphs = request.args.getlist("default-graph-uri")
    named_graphs = request.args.getlist("named-graph-uri")
    if request.args.getlist("using-graph-uri") or request.args.getlist("using-named-graph-uri"):
        refuse(403, READ_ONLY)
    if request.method in ("GET", "HEAD"):
        return _one_query(request.args.getlist("query"), request.args.getlist("update")), default_graphs, named_graphs
    mimetype = request.mimetype
    if mimetype == FORM:
        _utf8_body(request)
        form = request.form
        query = _one_query(form.getlist("query"), form.getlist("update"))
        if query is None:
            refuse(400, "a form POST needs a 'query' field")
        return query, default_graphs + form.getlist("default-graph-uri"), named_graphs + form.getlist(
            "named-graph-uri")
    if mimetype == UPDATE:
        refuse(403, READ_ONLY)
    if mimetype == QUERY:
        return _utf8_body(request), default_graphs, named_graphs
    refuse(415, f"POST a query as {QUERY} or as {FORM} (got {mimetype or 'no Content-Type'})")


def checked_graphs(parameter: str, values: list[str]) -> tuple[str, ...]:
    """Protocol dataset IRIs, each an absolute IRI (a 400 naming the parameter otherwise)."""
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError:
            refuse(400, f"{parameter} must be an absolute IRI, not {value!r}")
    return tuple(values)


def describe_service(endpoint_url: str) -> Response:
    kg = get_kg()
    choice = negotiation.for_request(request, negotiation.GRAPH_KINDS, what="the service description")
    graph = service_description(endpoint_url, kg.manifest, kg.settings)
    body = graph.serialize(format=choice.format.rdflib, encoding="utf-8")
    return respond(Answer(200, choice.content_type, body))


def wants_query_page(request: Request) -> bool:
    """A browser's plain GET (or HEAD) of /sparql, or ``format=html``: it gets the query page rather than results."""
    if request.method not in ("GET", "HEAD") or request.args.getlist("update"):
        return False
    if fmt := request.args.get("format"):
        return negotiation.PAGE.accepts(fmt)
    return negotiation.accepts_html(request.headers.get("Accept"))


def endpoint_url(request: Request) -> str:
    """What ``request.base_url`` gives for this route, without its 45 µs of quoting and IRI decoding."""
    return f"{request.scheme}://{request.host}{request.root_path}{request.path}"


def query_job(request: Request, kg: KnowledgeGraph) -> PendingQuery | None:
    """The checked query job a /sparql request asks for, or None when it asks for no query (OPTIONS, the query page,
    the service description); a Refusal for what the protocol or a front-side rule rejects.

    A plain function of the request, so the front can run it on its loop without a Flask context.
    """
    if request.method not in ALLOWED_METHODS:
        refuse(405, f"{request.method} is not a SPARQL 1.1 Protocol query operation; send GET or POST",
               [("Allow", ", ".join(ALLOWED_METHODS))])
    if request.method == "OPTIONS" or wants_query_page(request):
        return None
    query, default_graphs, named_graphs = read_request(request)
    if query is None:
        return None
    if not query.strip():  # decided here: no process is woken for it (and a broken body reads as empty)
        refuse(400, "Query syntax error: the query is empty")
    settings = kg.settings
    base_iri = endpoint_url(request)
    fmt = request.values.get("format")
    try:
        if fmt:
            negotiation.negotiate(None, fmt, negotiation.RESULT_KINDS + negotiation.GRAPH_KINDS, page=True)
        check_nesting(query, settings.max_nesting)
        check_terms(query, settings.max_terms)
        guarded = kg.service_guard.check(query, base_iri)
    except (QueryTooLarge, FederationRefused) as err:
        refuse(400, str(err))
    job = QueryJob(
        query=guarded.query,
        base_iri=base_iri,
        default_graphs=checked_graphs("default-graph-uri", default_graphs),
        named_graphs=checked_graphs("named-graph-uri", named_graphs),
        accept=request.headers.get("Accept"),
        format=fmt,
        max_rows=settings.max_rows,
        max_bytes=settings.max_response_bytes,
        federated=guarded.federated,
    )
    if (unacceptable := refused_before_evaluation(query, job.accept, fmt)) is not None:
        refuse(406, unacceptable)  # a well-formed request, but no process is woken for an answer nobody can take
    return PendingQuery(job, client_address(request, settings.trusted_proxies))


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"], provide_automatic_options=False)
def endpoint() -> Response | PendingQuery:
    """SPARQL 1.1 Protocol: GET ?query=, POST form, POST application/sparql-query; bare GET: service description.

    The answer when no query is needed (OPTIONS, the query page, the service description), or the checked query
    job: the front (``front.Front``) awaits a pending query on its loop.
    """
    if request.method == "OPTIONS":
        response = Response(status=204)
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
        response.headers["Allow"] = ", ".join(ALLOWED_METHODS)
        return response
    if wants_query_page(request):
        return query_page()
    pending = query_job(request, get_kg())
    return describe_service(endpoint_url(request)) if pending is None else pending
