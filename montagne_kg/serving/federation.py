r"""SERVICE guard: the allow-list is decided on the parsed query, failing closed.

Only a query whose text contains the word "service" (any case, anywhere, in the text as written or with its ``\u``
and ``\U`` escapes expanded as SPARQL 1.1 §19.2 says: a sound, cheap test) is parsed a second time, by rdflib's
SPARQL 1.1 parser; every SERVICE of the parsed algebra (sub-queries and EXISTS included), with its prefixes and BASE
resolved, must be on the allow-list. A query that parser cannot read is refused with its message: never guessed at.
Such a query may hold no ``\u`` or ``\U`` at all: parsers disagree on where an escape is expanded (rdflib anywhere,
as §19.2 says, Oxigraph only in IRIs and strings), so no reading of the text decides where one stands.

Ordinary queries are parsed once, by Oxigraph, in a process that cannot reach the network (``sandbox``). Allowed
SERVICE IRIs are rewritten to the relay's address (``relay``), and a federated query process can reach that address
and nothing else: the kernel, not a parser, confines it, so a disagreement between the two parsers cannot become a
request to another host.

rdflib 7.6 re-scans the whole text for the SERVICE clause it has just parsed, to keep its source text for its own
evaluator; that scan reads a ``#`` inside an earlier IRI on the same line as a comment and fails, refusing valid
queries. We never evaluate with rdflib, so its SERVICE node is built from the parsed tokens alone (the tree is
the same; only ``service_string`` is not kept).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from rdflib import Variable
from rdflib.plugins.sparql import parser as sparql_parser
from rdflib.plugins.sparql.algebra import translateQuery, traverse
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue, ParamValue

SERVICE_WORD = re.compile(r"service", re.IGNORECASE)
ANY_ESCAPE = re.compile(r"\\[uU]")
ESCAPES = (  # the readings of \u and \U escapes a SPARQL parser may have: §19.2's, and rdflib's 8 digits after \u
    re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})"),
    re.compile(r"\\u([0-9A-Fa-f]{8})|\\[uU]([0-9A-Fa-f]{4})"),
)
ESCAPE_PASSES = 3


def _service_pattern(instring: str, loc: int, tokens: list) -> CompValue:
    """rdflib's ServiceGraphPattern node from its parameters (term, graph), without re-scanning the query text."""
    pattern = CompValue("ServiceGraphPattern")
    for token in tokens:
        if isinstance(token, ParamValue):
            pattern[token.name] = token.tokenList
    return pattern


sparql_parser.ServiceGraphPattern.postParse = _service_pattern


class FederationRefused(Exception):
    """A query whose SERVICE clauses cannot be allowed; the message says why."""


def _expand(text: str, escapes: re.Pattern) -> str:
    """``text`` with every escape expanded once (an escape naming no character is left as written)."""
    def character(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)
    return escapes.sub(character, text)


def may_use_service(query: str) -> bool:
    r"""Cheap, sound check: could this query contain a SERVICE clause at all, in any reading of its escapes?

    Each reading expands the text again while that changes it (an escape can spell another: ``\u005Cu0053`` reads
    as ``\u0053``, then ``S``), up to ``ESCAPE_PASSES`` times; a text that would still change after that counts as
    one that may (it is then refused for its escapes).
    """
    if SERVICE_WORD.search(query):
        return True
    if not ANY_ESCAPE.search(query):
        return False
    for escapes in ESCAPES:
        text = query
        for _ in range(ESCAPE_PASSES):
            expanded = _expand(text, escapes)
            if expanded == text:
                break
            if SERVICE_WORD.search(expanded):
                return True
            text = expanded
        else:
            return True
    return False


def check_no_escapes(query: str) -> None:
    """FederationRefused if a query that may call a SERVICE holds a \\u or \\U anywhere."""
    if ANY_ESCAPE.search(query):
        raise FederationRefused(
            "this query mentions SERVICE and holds a \\u or \\U escape: SPARQL parsers disagree on where such "
            "escapes are read, so a query that may call a SERVICE must write the characters themselves "
            "(anywhere: in strings, IRIs and comments too, and after a backslash)")


def service_iris(query: str, base_iri: str) -> list[str]:
    """Every SERVICE endpoint of the parsed query, resolved; FederationRefused if unreadable or a variable."""
    try:  # a lone CR ends a comment (SPARQL's EOL is LF or CR, as Oxigraph reads it); rdflib's comments end at LF
        algebra = translateQuery(parseQuery(query.replace("\r", "\n")), base=base_iri).algebra
    # Fail closed: whatever stops the second parser (syntax, an unknown prefix, recursion) refuses the query.
    except Exception as err:  # noqa: BLE001
        detail = " ".join(str(err).split())[:300] or type(err).__name__
        raise FederationRefused(
            "this query mentions SERVICE, so it is checked by a second SPARQL parser (rdflib's), which cannot "
            f"read it: {detail}") from None
    endpoints: list[str] = []

    def visit(node: object) -> None:
        if isinstance(node, CompValue) and node.name == "ServiceGraphPattern":
            term = node.term
            if isinstance(term, Variable):
                raise FederationRefused(f"SERVICE with a variable (?{term}) is not allowed: name the endpoint")
            endpoints.append(str(term))

    traverse(algebra, visitPre=visit)
    return endpoints


@dataclass(frozen=True)
class Guarded:
    """A query cleared by the guard: the text to execute and whether it calls a SERVICE (then it runs confined)."""

    query: str
    federated: bool


@dataclass(frozen=True)
class ServiceGuard:
    """The allow-list and where allowed SERVICE calls go.

    ``relay`` is the relay's base address (embedded engine): each allowed IRI is rewritten to its address there, and
    a federated query runs only where ``confinement`` is in force (namespace) or ``allow_unconfined`` says so.
    Without a relay (a remote engine, which confines its own queries) allowed IRIs go out as written, or to their
    ``overrides`` URL.
    """

    allowed: tuple[str, ...]
    overrides: Mapping[str, str] = field(default_factory=dict)
    relay: str | None = None
    confinement: str = "none"
    allow_unconfined: bool = False

    def check(self, query: str, base_iri: str) -> Guarded:
        """The query to execute; FederationRefused unless every SERVICE IRI is allowed and can be reached as allowed."""
        if not may_use_service(query):
            return Guarded(query, federated=False)
        check_no_escapes(query)
        iris = service_iris(query, base_iri)
        for iri in iris:
            if iri not in self.allowed:
                listed = ", ".join(f"<{a}>" for a in self.allowed) or "none (federation is disabled)"
                raise FederationRefused(f"SERVICE <{iri}> is not allowed; allowed endpoints: {listed}")
        if not iris:
            return Guarded(query, federated=False)
        if self.relay is None:
            for iri in set(iris):
                if iri in self.overrides:
                    query = query.replace(f"<{iri}>", f"<{self.overrides[iri]}>")
            return Guarded(query, federated=True)
        if self.confinement != "namespace" and not self.allow_unconfined:
            raise FederationRefused(
                "federated queries are refused here: this system gives query processes no user and network "
                "namespace to confine them to the SERVICE relay (service_confinement in force: none); set "
                "allow_unconfined_federation (--allow-unconfined-federation true) to run them unconfined, only where "
                "every user is trusted")
        addresses = {iri: f"{self.relay}/{self.allowed.index(iri)}" for iri in set(iris)}
        for iri, address in addresses.items():
            query = query.replace(f"<{iri}>", f"<{address}>")
        if set(service_iris(query, base_iri)) - set(addresses.values()):
            raise FederationRefused("write each SERVICE endpoint as a full IRI in angle brackets (<https://…>), "
                                    "not with a prefix or relative to BASE")
        return Guarded(query, federated=True)
