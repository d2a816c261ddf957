"""Blank nodes replaced by IRIs derived from their content, so dumps are stable across runs."""

from __future__ import annotations

import hashlib

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from montagne_kg.namespaces import DEFAULT_BASE


def _describe(graph: Graph, node: BNode, names: dict[BNode, str], trail: frozenset[BNode]) -> str:
    if node in names:
        return names[node]
    lines = []
    for p, o in graph.predicate_objects(node):
        if isinstance(o, BNode):
            obj = "[cycle]" if o in trail else _describe(graph, o, names, trail | {node})
        else:
            obj = o.n3()
        lines.append(f"{p.n3()} {obj}")
    digest = hashlib.sha256("\n".join(sorted(lines)).encode("utf-8")).hexdigest()[:24]
    names[node] = digest
    return digest


def skolemize(graph: Graph, base: str = DEFAULT_BASE) -> Graph:
    """A copy of ``graph`` whose blank nodes are ``{base}.well-known/genid/<hash of their description>``."""
    names: dict[BNode, str] = {}
    bnodes = {n for t in graph for n in (t[0], t[2]) if isinstance(n, BNode)}
    for node in sorted(bnodes):
        _describe(graph, node, names, frozenset())

    def name(term: Node) -> Node:
        return URIRef(f"{base}.well-known/genid/{names[term]}") if isinstance(term, BNode) else term

    out = Graph()
    for s, p, o in graph:
        out.add((name(s), p, name(o)))
    return out
