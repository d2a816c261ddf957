"""SERVICE guard: the allow-list is decided on the parsed query, failing closed.

Only a query whose text contains the word "service" (any case, anywhere: a sound, cheap test) is parsed a second
time, by rdflib's SPARQL 1.1 parser; every SERVICE of the parsed algebra (sub-queries and EXISTS included), with its
prefixes and BASE resolved, must be on the allow-list. A query that parser cannot read is refused with its message:
never guessed at. Ordinary queries are parsed once, by Oxigraph, in a process that cannot reach the network
(``sandbox``), so a disagreement between the two parsers cannot become a request to another host.

rdflib 7.6 re-scans the whole text for the SERVICE clause it has just parsed, to keep its source text for its own
evaluator; that scan reads a ``#`` inside an earlier IRI on the same line as a comment and fails, refusing valid
queries. We never evaluate with rdflib, so its SERVICE node is built from the parsed tokens alone (the tree is
the same; only ``service_string`` is not kept).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rdflib import Variable
from rdflib.plugins.sparql import parser as sparql_parser
from rdflib.plugins.sparql.algebra import translateQuery, traverse
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue, ParamValue

SERVICE_WORD = re.compile(r"service", re.IGNORECASE)
OPENING = frozenset("({[")
CLOSING = frozenset(")}]")


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


class TooDeep(Exception):
    """A query nested deeper than the limit (checked on the raw text, before any parser sees it)."""


def may_use_service(query: str) -> bool:
    """Cheap, sound check: could this query contain a SERVICE clause at all?"""
    return SERVICE_WORD.search(query) is not None


def check_nesting(query: str, limit: int) -> None:
    """TooDeep if brackets nest deeper than ``limit``, counting every bracket (even in strings: a safe overcount)."""
    depth = 0
    for char in query:
        if char in OPENING:
            depth += 1
            if depth > limit:
                raise TooDeep(f"the query nests brackets more than {limit} deep (the nesting limit)")
        elif char in CLOSING:
            depth -= 1


def service_iris(query: str, base_iri: str) -> list[str]:
    """Every SERVICE endpoint of the parsed query, resolved; FederationRefused if unreadable or a variable."""
    try:
        algebra = translateQuery(parseQuery(query), base=base_iri).algebra
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
    """A query cleared by the guard: the text to execute and whether it calls a SERVICE (then it needs the network)."""

    query: str
    federated: bool


def guard(query: str, base_iri: str, allowed: Sequence[str], overrides: Mapping[str, str]) -> Guarded:
    """The query to execute: refused unless every SERVICE IRI is allowed; allowed IRIs rewritten per ``overrides``."""
    if not may_use_service(query):
        return Guarded(query, federated=False)
    iris = service_iris(query, base_iri)
    for iri in iris:
        if iri not in allowed:
            listed = ", ".join(f"<{a}>" for a in allowed) or "none (federation is disabled)"
            raise FederationRefused(f"SERVICE <{iri}> is not allowed; allowed endpoints: {listed}")
    for iri in set(iris):
        if iri in overrides:
            query = query.replace(f"<{iri}>", f"<{overrides[iri]}>")
    return Guarded(query, federated=bool(iris))
