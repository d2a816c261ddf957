"""A remote SPARQL 1.1 engine behind the front (Oxigraph server, Virtuoso, …): queries sent over HTTP with aiohttp.

Every front-side rule has run before a job gets here (protocol, SERVICE allow-list, nesting, per-client and queue
bounds). The engine's answer is read back into pyoxigraph terms and written by the same code as embedded answers
(``answers.serialize``): the row cap, ``X-SPARQL-MaxRows``, negotiation and the JSON term forms are the front's, so a
client cannot tell the backends apart. What only the engine can bound (a query's time and memory) is the engine's.

aiohttp, not httpx: measured on one keep-alive connection to Oxigraph server, an entity card took 1.1 ms through
aiohttp, 3.5 ms through httpx's async client, 1.0–1.6 ms through http.client (the engine alone answers in 0.4 ms).

Failures: the engine cannot be reached → 502; no answer within the read timeout → 504; the engine's 5xx, an
authentication refusal or an unreadable answer → 502; the engine's 400 → 400 with the engine's message, reworded as
in embedded mode (``query_errors.explain``); a function the engine does not have, which both engines answer with a
500, → the 400 of embedded mode, recognised from the engine's own words (never by parsing every query here);
Virtuoso's partial "anytime" answer (``X-SQL-State``) → 503.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import aiohttp
import pyoxigraph as ox

from montagne_kg.serving.admission import ServerCounts
from montagne_kg.serving.answers import (
    READ_ONLY,
    Answer,
    Evaluation,
    QueryJob,
    looks_like_update,
    serialize,
    text_answer,
    within_size,
)
from montagne_kg.serving.gate import QueryGate
from montagne_kg.serving.query_errors import Token, after_prologue, explain, tokens

# what the front asks the engine for, by query form: results as JSON, graphs as N-Triples (read back without loss;
# Virtuoso answers in the first type of Accept it can write, even a results table for a CONSTRUCT)
RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"
ENGINE_ACCEPT = {"SELECT": RESULTS_ACCEPT, "ASK": RESULTS_ACCEPT, "CONSTRUCT": GRAPH_ACCEPT, "DESCRIBE": GRAPH_ACCEPT}
RESULT_TYPES = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
                "application/sparql-results+xml": ox.QueryResultsFormat.XML}
GRAPH_TYPES = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
               "text/turtle": ox.RdfFormat.TURTLE}
RELATIVE_IRI = re.compile(r"<(?![A-Za-z][A-Za-z0-9+.-]*:)[^<>\"{}|^`\\\s]*>")  # may be one: declare our base
ENGINE_MESSAGE_CHARS = 2000  # of an engine's error body, quoted in ours


class EngineFailed(Exception):
    """The engine gave no usable answer; ``status`` and the message are the front's answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class EngineConnection:
    """How to reach the engine: its query endpoint, the dataset sent by default, and the HTTP client's settings."""

    url: str
    default_graph: str = ""
    named_graphs: tuple[str, ...] = ()
    method: str = "post"
    auth: str = "none"
    user: str = ""
    password: str = ""
    token: str = ""
    connect_timeout: float = 2.0
    read_timeout: float = 15.0

    def session(self, connections: int) -> aiohttp.ClientSession:
        """An HTTP client with a keep-alive pool of ``connections`` (one per query that may run at once); made on the
        loop that uses it."""
        headers = {"User-Agent": "montagne-kg front"}
        middlewares = ()
        if self.auth == "basic":
            headers["Authorization"] = aiohttp.encode_basic_auth(self.user, self.password)
        elif self.auth == "digest":
            middlewares = (aiohttp.DigestAuthMiddleware(self.user, self.password),)
        elif self.auth == "bearer":
            headers["Authorization"] = f"Bearer {self.token}"
        return aiohttp.ClientSession(
            middlewares=middlewares, headers=headers, trust_env=False,
            connector=aiohttp.TCPConnector(limit=connections, ttl_dns_cache=60),
            timeout=aiohttp.ClientTimeout(sock_connect=self.connect_timeout, sock_read=self.read_timeout))


def query_text(job: QueryJob) -> str:
    """The query as the engine gets it: the pages' bound variables substituted, and the endpoint's base IRI declared
    when the query may hold a relative IRI (on the first line, so the engine's line numbers stay ours)."""
    text = substituted(job.query, job.bindings) if job.bindings else job.query
    if job.base_iri and RELATIVE_IRI.search(text):
        text = f"BASE {ox.NamedNode(job.base_iri)} {text}"
    return text


def substituted(query: str, bindings: tuple[tuple[str, str], ...]) -> str:
    """``query`` with each bound variable (variable, IRI) replaced by its IRI, and projected as ``(<IRI> AS ?v)``:
    what pyoxigraph's ``substitutions=`` does, for engines that have nothing like it (a VALUES block would be
    joined, not substituted: Oxigraph server then evaluates the OPTIONALs of a page query over the whole graph).
    Variables are found by the query's tokens, never in strings, IRIs or comments; the pages' queries project
    their bound variables by name."""
    terms = {name: str(ox.NamedNode(iri)) for name, iri in bindings}
    found = tokens(query)
    select = next((i for i, token in enumerate(found) if token.text.upper() == "SELECT"), None)
    projection_end = next((i for i, token in enumerate(found) if select is not None and i > select
                           and (token.text == "{" or token.text.upper() in ("WHERE", "FROM"))), len(found))
    parts, copied = [], 0
    for i, token in enumerate(found):
        if token.kind != "variable" or token.text[1:] not in terms:
            continue
        term = terms[token.text[1:]]
        projected = select is not None and select < i < projection_end
        parts += [query[copied:token.offset], f"({term} AS {token.text})" if projected else term]
        copied = token.offset + len(token.text)
    return "".join(parts) + query[copied:]


def query_form(found: list[Token]) -> str | None:
    """SELECT, CONSTRUCT, ASK or DESCRIBE: the first word of the query's tokens after the prologue (None if there is
    none: the engine will refuse the query). It only chooses what the engine is asked to answer in; an answer the
    front cannot read is a 502."""
    i = after_prologue(found)
    return found[i].text.upper() if i < len(found) and found[i].text.upper() in ENGINE_ACCEPT else None


def names_its_dataset(found: list[Token]) -> bool:
    """Whether the query (its tokens) has a FROM (or FROM NAMED) clause: then its own dataset applies, and ours is
    not sent."""
    return any(token.kind == "word" and token.text.upper() == "FROM" for token in found)


def standard_json(body: bytes) -> bytes:
    """SPARQL JSON results with SPARQL 1.1's term keys: Virtuoso writes ``"lang"`` for ``"xml:lang"`` and the SPARQL
    1.0 ``"typed-literal"`` type, which pyoxigraph (rightly) refuses."""
    if b'"lang"' not in body and b'"typed-literal"' not in body:
        return body
    document = json.loads(body)
    for row in document.get("results", {}).get("bindings", []):
        for term in row.values():
            if "lang" in term:
                term["xml:lang"] = term.pop("lang")
            if term.get("type") == "typed-literal":
                term["type"] = "literal"
    return json.dumps(document).encode("utf-8")


def reader(content_type: str, body: bytes) -> Evaluation:
    """The engine's answer as a fresh pyoxigraph result at each call, read lazily (a broken answer raises
    SyntaxError or ValueError where it breaks); EngineFailed for a media type the front cannot read."""
    media_type = content_type.split(";")[0].strip().lower()
    if media_type == "application/sparql-results+json":
        body = standard_json(body)
    if media_type in RESULT_TYPES:
        def parse() -> ox.QuerySolutions | ox.QueryBoolean:
            return ox.parse_query_results(body, format=RESULT_TYPES[media_type])
        return parse
    if media_type in GRAPH_TYPES:
        def parse_graph() -> list[ox.Triple]:
            return [quad.triple for quad in ox.parse(body, format=GRAPH_TYPES[media_type])]
        return parse_graph
    raise EngineFailed(502, f"the SPARQL engine answered in {media_type or 'no media type'}, which the front cannot "
                            "read")


def serialized(evaluate: Evaluation, job: QueryJob) -> Answer:
    """``serialize`` on the loop's thread, never leaving a pyoxigraph result behind in an exception's frames: such a
    result may only be freed on the thread that made it (pyo3 « unsendable »), and frames kept by a failed task are
    freed later by the garbage collector, on whatever thread runs it."""
    try:
        return serialize(evaluate, job)
    except (SyntaxError, ValueError, OSError, RuntimeError) as err:  # what a broken or cut answer raises
        raise err.with_traceback(None) from err.__cause__


class RemoteEngine(QueryGate):
    """One worker's way to a remote engine: aiohttp on the worker's loop, bounded like the query processes."""

    def __init__(self, connection: EngineConnection, max_queries: int, per_client: int, queue_wait: float,
                 counts: ServerCounts | None = None, client_share: float = 1.0, max_answer_bytes: int = 2**62) -> None:
        super().__init__(max_queries, per_client, queue_wait, counts, client_share, max_answer_bytes)
        self.connection = connection
        self.description = connection.url
        self._http: aiohttp.ClientSession | None = None

    @property
    def http(self) -> aiohttp.ClientSession:
        """The keep-alive client, made on the loop that uses it."""
        if self._http is None:
            self._http = self.connection.session(self.max_queries)
        return self._http

    async def answer(self, job: QueryJob, client: str | None = None) -> Answer:
        await self.admit(client)
        try:
            content_type, body = await self.fetch(job)
            try:
                answer = serialized(reader(content_type, body), job)
            except (SyntaxError, ValueError) as err:  # e.g. a SERVICE call that failed after the engine began
                what = "a federated SERVICE call failed or timed out" if job.federated else \
                    "the SPARQL engine's answer broke off"
                raise EngineFailed(502, f"{what} (the engine's answer could not be read: {err})") from None
            return self.hold(within_size(answer, job))
        except EngineFailed as failed:
            return text_answer(failed.status, str(failed))
        finally:
            self.leave(client)

    async def check_ready(self) -> bool:
        """Whether the engine answers ``ASK {}`` now."""
        try:
            await self.fetch(QueryJob(query="ASK {}"))
        except EngineFailed:
            return False
        return True

    async def wind_down(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    def dataset(self, job: QueryJob, found: list[Token]) -> list[tuple[str, str]]:
        """The protocol dataset sent: the request's own, else the configured default graph with the build's named
        graphs (unless the query, ``found`` its tokens, may name its own with FROM)."""
        if job.default_graphs or job.named_graphs:
            return ([("default-graph-uri", g) for g in job.default_graphs] +
                    [("named-graph-uri", g) for g in job.named_graphs])
        if self.connection.default_graph and not names_its_dataset(found):
            return ([("default-graph-uri", self.connection.default_graph)] +
                    [("named-graph-uri", g) for g in self.connection.named_graphs])
        return []

    async def fetch(self, job: QueryJob) -> tuple[str, bytes]:
        """The engine's 200 answer to ``job``: its content type and body (at most ``job.max_bytes``)."""
        url = self.connection.url
        text = query_text(job)
        found = tokens(job.query)  # read once: the query form and whether it names its dataset
        parameters = [("query", text), *self.dataset(job, found)]
        form_ = query_form(found)
        headers = {"Accept": ENGINE_ACCEPT[form_] if form_ else f"{RESULTS_ACCEPT}, {GRAPH_ACCEPT}"}
        if self.connection.method == "post":
            sending = self.http.post(url, data=parameters, headers=headers)
        else:
            sending = self.http.get(url, params=parameters, headers=headers)
        try:
            async with sending as response:
                body = await read_at_most(response, job.max_bytes)
                status, response_headers = response.status, response.headers
        except (aiohttp.SocketTimeoutError, aiohttp.ServerTimeoutError, TimeoutError):
            raise EngineFailed(504, f"the SPARQL engine did not answer within {self.connection.read_timeout:g} s "
                                    "(the engine read timeout)") from None
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as err:
            raise EngineFailed(502, f"the SPARQL engine at {url} could not be reached ({err})"
                                    "; try again shortly") from None
        except aiohttp.ClientError as err:
            raise EngineFailed(502, f"the connection to the SPARQL engine failed ({err or type(err).__name__})"
                                    ) from None
        if body is None:
            raise EngineFailed(503, f"the result is larger than {job.max_bytes} bytes (the response size limit); "
                                    "ask for fewer rows or columns")
        if status == 200 and "X-SQL-State" in response_headers:  # Virtuoso's "anytime" partial answer
            raise EngineFailed(503, "the SPARQL engine stopped the query at its time limit and sent a partial "
                                    f"answer ({response_headers['X-SQL-State']}), which is not passed on")
        if status == 200:
            return response_headers.get("Content-Type", ""), body
        message = body[:ENGINE_MESSAGE_CHARS].decode("utf-8", "replace").strip()
        if status == 400:
            if looks_like_update(job.query):
                raise EngineFailed(403, READ_ONLY)
            raise EngineFailed(400, f"Query syntax error: {explain(text, message)}")  # worded as embedded
        if status == 500 and (function := unknown_function(message)) is not None:
            raise EngineFailed(400, f"Query evaluation error: The custom function <{function}> is not supported")
        raise EngineFailed(502, f"the SPARQL engine answered HTTP {status}"
                                f"{': ' + message if message else ''}")


# a function the engine does not have, in its own words (it answers 500): Oxigraph server's, Virtuoso 7's
UNKNOWN_FUNCTION = (
    re.compile(r"^The custom function <(?P<iri>[^>\s]+)> is not supported"),
    re.compile(r"\bError SR185: Undefined procedure DB\.DBA\.(?P<iri>[a-zA-Z][\w+.-]*:\S+?)\.?(?:\s|$)"),
)


def unknown_function(message: str) -> str | None:
    """The IRI of the function an engine's error message says it does not have, if it says so."""
    for pattern in UNKNOWN_FUNCTION:
        if (found := pattern.search(message)) is not None:
            return found.group("iri")
    return None


async def read_at_most(response: aiohttp.ClientResponse, limit: int) -> bytes | None:
    """The body of ``response``, or None once it runs past ``limit`` bytes (the rest is never read)."""
    chunks, size = [], 0
    async for chunk in response.content.iter_any():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
