"""One SPARQL request answered from a pyoxigraph store or an engine's parsed answer: cap, negotiate, serialize."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice

import pyoxigraph as ox
from rdflib import Graph

from montagne_kg.formats import FORMATS, Format
from montagne_kg.namespaces import PREFIXES
from montagne_kg.serving import negotiation, results
from montagne_kg.serving.query_errors import explain

READ_ONLY = "this endpoint is read-only; SPARQL Update is not accepted"
READABLE_TRIPLES = 5000  # documents up to this many triples are written by rdflib (~14 ms at 150, ~80 at 1 000)
# IRIs Turtle writes without a prefix when they stand where they usually do: `a`, and the datatypes of bare literals
WRITTEN_WITHOUT_PREFIX = frozenset({"http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
                                    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
                                    *(f"http://www.w3.org/2001/XMLSchema#{name}"
                                      for name in ("string", "integer", "decimal", "double", "boolean"))})
PLAIN_LOCAL_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")  # a Turtle local name without escapes
BOOLEAN_FORMATS = tuple(f for f in FORMATS if f.name in ("json", "xml"))  # what an ASK result is served as
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")
# the fewest bytes pyoxigraph writes for one solution in each format (an empty row: "{}", "<result></result>", CRLF,
# LF): a body shorter than this times the row cap cannot hold more rows than the cap, so it needs no counting
ROW_BYTES_AT_LEAST = {"json": 2, "xml": 17, "csv": 2, "tsv": 1}
Result = ox.QuerySolutions | ox.QueryBoolean | Iterable[ox.Triple]
Evaluation = Callable[[], Result]  # a query's result, each call a fresh one (the store's, or the engine's re-read)


class BodyTooLarge(Exception):
    """pyoxigraph's writer went past the bytes the fast path holds."""


class BoundedBody:
    """A write target for pyoxigraph's results writer that stops it past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()

    def write(self, chunk: bytes) -> int:
        self.data += chunk
        if len(self.data) > self.limit:
            raise BodyTooLarge
        return len(chunk)

    def flush(self) -> None:
        pass


@dataclass(frozen=True)
class QueryJob:
    """Everything needed to answer one query, picklable for the worker process."""

    query: str
    base_iri: str | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    accept: str | None = None
    format: str | None = None
    max_rows: int = 10_000
    max_bytes: int = 50_000_000
    federated: bool = False
    bindings: tuple[tuple[str, str], ...] = ()  # (variable, IRI) pairs bound before evaluation (pages' constants)
    readable: bool = False  # a page's machine twin: graphs written for people (graph_body)


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: status, content type, body and extra headers."""

    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = field(default=())
    held: int = 0  # bytes counted against the server's answer bytes until the gate releases it

    @property
    def message(self) -> str:
        """The description of an error answer (its body)."""
        return self.body.decode("utf-8", "replace").strip()


def text_answer(status: int, message: str, headers: tuple[tuple[str, str], ...] = ()) -> Answer:
    """An error answer: its body is the description a person reads."""
    return Answer(status, "text/plain; charset=utf-8", (message.rstrip("\n") + "\n").encode("utf-8"), headers)


def first_keyword(query: str) -> str:
    """The query's first word after its PREFIX and BASE lines, upper-cased (read by words: a prologue written
    without spaces, or a comment first, gives some other word, and callers then decide nothing from it)."""
    words = query.replace("{", " { ").split()
    i = 0
    while i < len(words) and words[i].upper() in ("PREFIX", "BASE"):
        i += 3 if words[i].upper() == "PREFIX" else 2
    return words[i].upper() if i < len(words) else ""


def looks_like_update(query: str) -> bool:
    """Whether text that failed to parse as a query reads as a SPARQL Update (after its prologue)."""
    return first_keyword(query) in UPDATE_KEYWORDS


def _dataset(job: QueryJob) -> dict:
    kwargs: dict = {}
    if job.default_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    if job.named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    if job.bindings:
        kwargs["substitutions"] = {ox.Variable(name): ox.NamedNode(iri) for name, iri in job.bindings}
    return kwargs


def _evaluate(store: ox.Store, job: QueryJob) -> Result:
    return store.query(job.query, base_iri=job.base_iri, **_dataset(job))


def _not_acceptable(kinds: tuple[str, ...], only: tuple[Format, ...] = (), why: str = "") -> Answer:
    return text_answer(406, _not_acceptable_message(kinds, only, why))


def _not_acceptable_message(kinds: tuple[str, ...], only: tuple[Format, ...] = (), why: str = "") -> str:
    return f"{negotiation.NotAcceptable('this result', kinds, only, page=False).description}{why}"


NOT_CSV = " (the SPARQL 1.1 CSV and TSV formats are defined for SELECT results only)"


def refused_before_evaluation(query: str, accept: str | None, fmt: str | None) -> str | None:
    """The 406 message for a query whose form its first word after the prologue gives (SELECT, ASK, CONSTRUCT,
    DESCRIBE) when nothing the client accepts can carry that form's result — decided before any evaluation; None
    otherwise (then ``serialize`` decides, as it always can)."""
    form = first_keyword(query)
    if form == "ASK" and negotiation.choose(negotiation.RESULT_KINDS, accept, fmt, BOOLEAN_FORMATS) is None:
        return _not_acceptable_message(negotiation.RESULT_KINDS, BOOLEAN_FORMATS, NOT_CSV)
    if form == "SELECT" and negotiation.choose(negotiation.RESULT_KINDS, accept, fmt) is None:
        return _not_acceptable_message(negotiation.RESULT_KINDS)
    if form in ("CONSTRUCT", "DESCRIBE") and negotiation.choose(negotiation.GRAPH_KINDS, accept, fmt) is None:
        return _not_acceptable_message(negotiation.GRAPH_KINDS)
    return None


def execute(store: ox.Store, job: QueryJob) -> Answer:
    """Answer ``job`` from ``store``: 200 with the negotiated serialization, or 400/403/406/502/503 with a message."""
    try:
        answer = serialize(lambda: _evaluate(store, job), job)
    except SyntaxError as err:
        if looks_like_update(job.query):
            return text_answer(403, READ_ONLY)
        return text_answer(400, f"Query syntax error: {explain(job.query, str(err))}")
    except OSError as err:
        if job.federated:
            return text_answer(502, "a federated SERVICE call failed or timed out")
        return text_answer(400, f"Query evaluation error: {err}")
    except (ValueError, RuntimeError) as err:  # e.g. an unknown function, an invalid IRI built at run time
        return text_answer(400, f"Query evaluation error: {err}")
    return within_size(answer, job)


def within_size(answer: Answer, job: QueryJob) -> Answer:
    """``answer``, or a 503 when its body is over the response size limit."""
    if len(answer.body) > job.max_bytes:
        return text_answer(503, f"the result is larger than {job.max_bytes} bytes (the response size limit); "
                                "ask for fewer rows or columns")
    return answer


def serialize(evaluate: Evaluation, job: QueryJob) -> Answer:
    """The result of ``evaluate`` as ``job`` negotiates it (a 406 if it cannot be), capped at ``job.max_rows``."""
    result = evaluate()
    if isinstance(result, ox.QueryBoolean):
        choice = negotiation.choose(negotiation.RESULT_KINDS, job.accept, job.format, BOOLEAN_FORMATS)
        if choice is None:
            return _not_acceptable(negotiation.RESULT_KINDS, BOOLEAN_FORMATS, NOT_CSV)
        return Answer(200, choice.content_type, results.boolean(bool(result), choice.format.name))
    if isinstance(result, ox.QuerySolutions):
        choice = negotiation.choose(negotiation.RESULT_KINDS, job.accept, job.format)
        if choice is None:
            return _not_acceptable(negotiation.RESULT_KINDS)
        return _solutions(evaluate, job, result, choice)
    choice = negotiation.choose(negotiation.GRAPH_KINDS, job.accept, job.format)
    if choice is None:
        return _not_acceptable(negotiation.GRAPH_KINDS)
    return _capped(choice, *graph_body(list(islice(result, job.max_rows + 1)), choice.format, job.max_rows,
                                       job.readable), job.max_rows)


def _solutions(evaluate: Evaluation, job: QueryJob, result: ox.QuerySolutions, choice: negotiation.Choice) -> Answer:
    """SELECT solutions, at most ``max_rows`` of them.

    pyoxigraph's own writer is 2-5x faster than ours, but it writes every row: its body is kept when it is under
    ``max_bytes`` and holds at most ``max_rows`` rows (counted by reading it back only when it is long enough to hold
    more: the rows are read back from that body, or, for CSV, which cannot be read back, from a second evaluation).
    Past ``max_rows``, or when the writer was stopped at ``max_bytes`` (then from a second evaluation), the first
    ``max_rows`` rows are written by ``results.solutions``.
    """
    fmt = choice.format
    bounded = BoundedBody(job.max_bytes)
    body = None
    try:
        result.serialize(bounded, format=fmt.oxigraph_results)
    except BodyTooLarge:
        result = evaluate()
    else:
        body = bytes(bounded.data)
        if len(body) < ROW_BYTES_AT_LEAST[fmt.name] * (job.max_rows + 1):
            return Answer(200, choice.content_type, body)
        if fmt.name == "csv":  # lossy: pyoxigraph cannot read it back
            result = evaluate()
        else:
            result = ox.parse_query_results(body, format=fmt.oxigraph_results)
    solutions = list(islice(result, job.max_rows + 1))
    if body is not None and len(solutions) <= job.max_rows:
        return Answer(200, choice.content_type, body)
    rows = [tuple(solution) for solution in solutions[: job.max_rows]]  # values in variable order
    variables = [v.value for v in result.variables]
    return _capped(choice, results.solutions(variables, rows, fmt.name), len(solutions), job.max_rows)


def readable_graph(triples: list[ox.Triple], fmt: Format) -> bytes:
    """Triples as people read them: grouped by subject, only the prefixes they use declared, JSON-LD compacted with
    those prefixes as its ``@context`` (one node object per resource)."""
    lines = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    used = {prefix: namespace for prefix, namespace in PREFIXES.items() if f"<{namespace}" in lines}
    graph = Graph(bind_namespaces="none").parse(data=lines, format="nt")
    for prefix, namespace in used.items():
        graph.bind(prefix, namespace)
    if fmt.name == "jsonld":
        return graph.serialize(format="json-ld", context=used, auto_compact=True, encoding="utf-8")
    text = graph.serialize(format=fmt.rdflib)
    if fmt.name == "turtle":  # rdflib declares every bound prefix: keep those the triples are written with
        head, _, body = text.partition("\n\n")
        kept = [line for line in head.splitlines() if not line.startswith("@prefix ") or line.split()[1] in body]
        text = "".join(f"{line}\n" for line in kept) + "\n" + body
    return text.encode("utf-8")


def plain_prefixes(triples: list[ox.Triple]) -> dict[str, str]:
    """The prefixes these triples use, leaving out a namespace any of whose IRIs would need escapes as a prefixed
    name (with a release passage, ``…/id/release/000#char=2,17``, ``mkgid:`` is not declared: no escaped names)."""
    terms = (term for t in triples for term in (t.subject, t.predicate, t.object))
    iris = {term.value for term in terms if isinstance(term, ox.NamedNode)}
    iris |= {t.object.datatype.value for t in triples if isinstance(t.object, ox.Literal)}
    iris -= WRITTEN_WITHOUT_PREFIX
    used = {}
    for prefix, namespace in PREFIXES.items():
        names = [iri[len(namespace):] for iri in iris if iri.startswith(namespace)]
        if names and all(PLAIN_LOCAL_NAME.fullmatch(name) for name in names):
            used[prefix] = namespace
    return used


def graph_body(triples: list[ox.Triple], fmt: Format, max_rows: int, readable: bool = False) -> tuple[bytes, int]:
    """At most ``max_rows`` triples serialized in ``fmt`` (dataset formats put them in the default graph), each
    subject's triples together. ``readable`` documents (the pages' machine twins, up to READABLE_TRIPLES) are
    written by rdflib: prefixed names wherever they need no escapes, JSON-LD compacted; endpoint answers by
    pyoxigraph, ~100× faster (only the prefixes that need no escapes; JSON-LD expanded, one node per subject)."""
    kept: list = sorted(triples[:max_rows], key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    if readable and fmt.name in ("turtle", "jsonld", "rdfxml") and 0 < len(kept) <= READABLE_TRIPLES:
        return readable_graph(kept, fmt), len(triples)
    if fmt.kind == "dataset":
        kept = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in kept]
    if fmt.name in ("turtle", "trig", "rdfxml"):
        return ox.serialize(kept, format=fmt.oxigraph, prefixes=plain_prefixes(kept)), len(triples)
    return ox.serialize(kept, format=fmt.oxigraph), len(triples)


def _capped(choice: negotiation.Choice, body: bytes, count: int, max_rows: int) -> Answer:
    headers = (("X-SPARQL-MaxRows", str(max_rows)),) if count > max_rows else ()
    return Answer(200, choice.content_type, body, headers)
