"""SERVICE guard: only allow-listed endpoints, checked without parsing ordinary queries twice.

A query that mentions "service" at all is tokenized (strings, comments and IRIs skipped, PREFIX and BASE
resolved) and every ``SERVICE [SILENT] VarOrIri`` is checked. rdflib's parser was the first choice but rejects
some valid queries (a '#' inside an IRI followed later by SERVICE), which would refuse good federated queries.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from urllib.parse import urljoin

SERVICE_KEYWORD = re.compile(r"service", re.IGNORECASE)
TOKEN = re.compile(r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][^\s(){}\[\],;.<>"'=!|&*/+^-]+)
  | (?P<word>[^\s(){}\[\],;<>"'=!|&*/+^#?$]+)
  | (?P<space>\s+)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


class FederationRefused(Exception):
    """A query whose SERVICE clauses cannot be allowed; the message says why."""


def may_use_service(query: str) -> bool:
    """Cheap check: could this query contain a SERVICE clause at all?"""
    return SERVICE_KEYWORD.search(query) is not None


def _tokens(query: str) -> Iterator[tuple[str, str]]:
    for match in TOKEN.finditer(query):
        kind = match.lastgroup
        if kind not in ("comment", "space"):
            yield kind, match.group()


def service_iris(query: str, base_iri: str) -> list[str]:
    """The SERVICE IRIs of a query, resolved; FederationRefused if one is a variable or cannot be resolved."""
    prefixes: dict[str, str] = {}
    base = base_iri
    tokens = list(_tokens(query))
    iris = []
    i = 0
    while i < len(tokens):
        kind, text = tokens[i]
        keyword = text.upper() if kind == "word" else ""
        if keyword == "PREFIX" and i + 2 < len(tokens) and tokens[i + 2][0] == "iri":
            prefixes[tokens[i + 1][1].rstrip(":")] = urljoin(base, tokens[i + 2][1][1:-1])
            i += 3
            continue
        if keyword == "BASE" and i + 1 < len(tokens) and tokens[i + 1][0] == "iri":
            base = urljoin(base, tokens[i + 1][1][1:-1])
            i += 2
            continue
        if keyword == "SERVICE":
            j = i + 1
            if j < len(tokens) and tokens[j][0] == "word" and tokens[j][1].upper() == "SILENT":
                j += 1
            if j >= len(tokens):
                raise FederationRefused("SERVICE without an endpoint")
            target_kind, target = tokens[j]
            if target_kind == "var":
                raise FederationRefused(f"SERVICE with a variable ({target}) is not allowed: name the endpoint")
            if target_kind == "iri":
                iris.append(urljoin(base, target[1:-1]))
            elif target_kind == "word" and ":" in target:
                prefix, _, local = target.partition(":")
                if prefix not in prefixes:
                    raise FederationRefused(f"SERVICE {target}: unknown prefix {prefix}:")
                iris.append(prefixes[prefix] + local)
            else:
                raise FederationRefused(f"SERVICE {target}: the endpoint must be an IRI")
            i = j + 1
            continue
        i += 1
    return iris


def guard(query: str, base_iri: str, allowed: Sequence[str], overrides: Mapping[str, str]) -> str:
    """The query to execute: refused unless every SERVICE IRI is allowed; allowed IRIs rewritten per ``overrides``."""
    if not may_use_service(query):
        return query
    iris = service_iris(query, base_iri)
    for iri in iris:
        if iri not in allowed:
            listed = ", ".join(f"<{a}>" for a in allowed) or "none (federation is disabled)"
            raise FederationRefused(f"SERVICE <{iri}> is not allowed; allowed endpoints: {listed}")
    for iri in set(iris):
        if iri in overrides:
            query = query.replace(f"<{iri}>", f"<{overrides[iri]}>")
    return query
