"""The SPARQL 1.1 Protocol endpoint at /sparql (read-only), with its service description."""

from __future__ import annotations

from flask import Blueprint, Response, request

from montagne_kg import negotiation
from montagne_kg.answers import Answer, QueryJob, text_answer
from montagne_kg.federation import FederationRefused, guard, may_use_service
from montagne_kg.querypage import query_page
from montagne_kg.service_description import service_description
from montagne_kg.store import get_kg

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
READ_ONLY = "Forbidden: this endpoint is read-only; SPARQL Update is not accepted"


class ProtocolError(Exception):
    """A request the protocol rejects; carries the answer to send."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.body.decode())
        self.answer = answer


def respond(answer: Answer) -> Response:
    response = Response(answer.body, status=answer.status, content_type=answer.content_type)
    for name, value in answer.headers:
        response.headers[name] = value
    return response


@bp.after_request
def protocol_headers(response: Response) -> Response:
    """Every /sparql answer varies by Accept and may be read cross-origin."""
    response.vary.add("Accept")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "X-SPARQL-MaxRows, Content-Length"
    return response


def _utf8_body() -> str:
    charset = request.mimetype_params.get("charset")
    if charset and charset.lower().replace("-", "") != "utf8":
        raise ProtocolError(text_answer(415, f"Unsupported Media Type: charset {charset}; send UTF-8"))
    try:
        return request.get_data().decode("utf-8")
    except UnicodeDecodeError as err:
        raise ProtocolError(text_answer(400, f"Bad Request: the body is not UTF-8 ({err})")) from err


def _one_query(queries: list[str], updates: list[str]) -> str | None:
    if updates:
        raise ProtocolError(text_answer(403, READ_ONLY))
    if len(queries) > 1:
        raise ProtocolError(text_answer(400, "Bad Request: more than one query parameter"))
    return queries[0] if queries else None


def read_request() -> tuple[str | None, list[str], list[str]]:
    """The query text and protocol dataset of a GET or POST, or ProtocolError."""
    default_graphs = request.args.getlist("default-graph-uri")
    named_graphs = request.args.getlist("named-graph-uri")
    if request.args.getlist("using-graph-uri") or request.args.getlist("using-named-graph-uri"):
        raise ProtocolError(text_answer(403, READ_ONLY))
    if request.method in ("GET", "HEAD"):
        return _one_query(request.args.getlist("query"), request.args.getlist("update")), default_graphs, named_graphs
    mimetype = request.mimetype
    if mimetype == FORM:
        _utf8_body()
        form = request.form
        query = _one_query(form.getlist("query"), form.getlist("update"))
        if query is None:
            raise ProtocolError(text_answer(400, "Bad Request: a form POST needs a 'query' field"))
        return query, default_graphs + form.getlist("default-graph-uri"), named_graphs + form.getlist(
            "named-graph-uri")
    if mimetype == UPDATE:
        raise ProtocolError(text_answer(403, READ_ONLY))
    if mimetype == QUERY:
        return _utf8_body(), default_graphs, named_graphs
    raise ProtocolError(text_answer(
        415, f"Unsupported Media Type: POST a query as {QUERY} or as {FORM} (got {mimetype or 'no Content-Type'})"))


def describe_service(endpoint_url: str) -> Response:
    kg = get_kg()
    choice = negotiation.choose(negotiation.GRAPH_KINDS, request.headers.get("Accept"), request.args.get("format"))
    if choice is None:
        return respond(text_answer(406, "Not Acceptable: the service description is served as RDF"))
    graph = service_description(endpoint_url, kg.manifest, kg.settings)
    body = graph.serialize(format=choice.format.rdflib, encoding="utf-8")
    return respond(Answer(200, choice.content_type, body))


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"], provide_automatic_options=False)
def endpoint() -> Response:
    """SPARQL 1.1 Protocol: GET ?query=, POST form, POST application/sparql-query; bare GET: service description."""
    if request.method == "OPTIONS":
        response = Response(status=204)
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
        response.headers["Allow"] = "GET, HEAD, POST, OPTIONS"
        return response
    if request.method in ("GET", "HEAD") and not request.args.get("format") and not request.args.getlist("update") \
            and negotiation.accepts_html(request.headers.get("Accept")):
        return query_page()
    try:
        query, default_graphs, named_graphs = read_request()
    except ProtocolError as err:
        return respond(err.answer)
    endpoint_url = request.base_url  # werkzeug rebuilds it on every access: once per request
    if query is None:
        return describe_service(endpoint_url)
    kg = get_kg()
    settings = kg.settings
    try:
        executable = guard(query, endpoint_url, settings.service_allow, settings.service_overrides)
    except FederationRefused as err:
        return respond(text_answer(400, f"Bad Request: {err}"))
    job = QueryJob(
        query=executable,
        base_iri=endpoint_url,
        default_graphs=tuple(default_graphs),
        named_graphs=tuple(named_graphs),
        accept=request.headers.get("Accept"),
        format=request.values.get("format"),
        max_rows=settings.max_rows,
        federated=may_use_service(executable),
    )
    return respond(kg.runner.run(job))
