"""Deterministic writers: the same graphs give the same bytes, whatever the hash seed."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Mapping

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, NamespaceManager
from rdflib.term import Node

from montagne_kg.namespaces import PREFIXES

Triple = tuple[Node, Node, Node]


def namespace_manager(prefixes: Mapping[str, str] = PREFIXES) -> NamespaceManager:
    """A namespace manager that knows exactly ``prefixes``."""
    nm = NamespaceManager(Graph(), bind_namespaces="none")
    for prefix, ns in prefixes.items():
        nm.bind(prefix, ns, override=True, replace=True)
    return nm


def _term(term: Node, nm: NamespaceManager) -> str:
    if isinstance(term, URIRef):
        return term.n3(nm)
    if isinstance(term, Literal):
        return term.n3(nm)
    raise ValueError(f"blank node {term!r} reached the serializer: skolemize first")


def _sort_key(term: Node) -> tuple[str, str]:
    return (type(term).__name__, term.n3())


def _subject_blocks(triples: Iterable[Triple], nm: NamespaceManager, indent: str) -> list[str]:
    by_subject: dict[Node, dict[Node, list[Node]]] = {}
    for s, p, o in triples:
        by_subject.setdefault(s, {}).setdefault(p, []).append(o)
    blocks = []
    for s in sorted(by_subject, key=_sort_key):
        preds = by_subject[s]
        ordered = sorted(preds, key=lambda p: (p != RDF.type, p.n3()))
        parts = []
        for p in ordered:
            verb = "a" if p == RDF.type else _term(p, nm)
            objects = sorted(set(preds[p]), key=_sort_key)
            sep = ",\n" + indent + "        "
            parts.append(f"{verb} " + sep.join(_term(o, nm) for o in objects))
        body = (" ;\n" + indent + "    ").join(parts)
        blocks.append(f"{indent}{_term(s, nm)}\n{indent}    {body} .\n")
    return blocks


def _prefix_header(prefixes: Mapping[str, str]) -> str:
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(prefixes.items())) + "\n"


def turtle(triples: Iterable[Triple], prefixes: Mapping[str, str] = PREFIXES) -> bytes:
    """Turtle with sorted prefixes, one block per subject, subjects/predicates/objects sorted."""
    nm = namespace_manager(prefixes)
    return (_prefix_header(prefixes) + "\n".join(_subject_blocks(triples, nm, ""))).encode("utf-8")


def trig(graphs: Mapping[URIRef, Iterable[Triple]], prefixes: Mapping[str, str] = PREFIXES) -> bytes:
    """TriG of named graphs, sorted by graph name, each as in :func:`turtle`."""
    nm = namespace_manager(prefixes)
    out = [_prefix_header(prefixes)]
    for name in sorted(graphs):
        blocks = _subject_blocks(graphs[name], nm, "    ")
        out.append(f"{_term(name, nm)} {{\n" + "\n".join(blocks) + "}\n\n")
    return "".join(out).encode("utf-8")


NT_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def nt_term(term: Node) -> str:
    """A term in N-Triples syntax (literals on one line, escaped)."""
    if isinstance(term, Literal):
        text = '"' + str(term).translate(NT_ESCAPES) + '"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype:
            return f"{text}^^<{term.datatype}>"
        return text
    if isinstance(term, URIRef):
        return f"<{term}>"
    raise ValueError(f"blank node {term!r} reached the serializer: skolemize first")


def ntriples(triples: Iterable[Triple]) -> bytes:
    """N-Triples, one line per triple, lines sorted."""
    lines = sorted({f"{nt_term(s)} {nt_term(p)} {nt_term(o)} .\n" for s, p, o in triples})
    return "".join(lines).encode("utf-8")


def nquads(graphs: Mapping[URIRef, Iterable[Triple]]) -> bytes:
    """N-Quads of named graphs, lines sorted."""
    lines = sorted({f"{nt_term(s)} {nt_term(p)} {nt_term(o)} {nt_term(g)} .\n"
                    for g, ts in graphs.items() for s, p, o in ts})
    return "".join(lines).encode("utf-8")


def _sorted_jsonld(value: object) -> object:
    if isinstance(value, list):
        items = [_sorted_jsonld(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    if isinstance(value, dict):
        return {k: _sorted_jsonld(v) for k, v in value.items()}
    return value


def jsonld(triples: Iterable[Triple], prefixes: Mapping[str, str] = PREFIXES) -> bytes:
    """Compact JSON-LD with our prefixes as context; nodes and values sorted."""
    g = Graph(bind_namespaces="none")
    for t in triples:
        g.add(t)
    context = dict(sorted(prefixes.items()))
    doc = json.loads(g.serialize(format="json-ld", context=context, auto_compact=True))
    nodes = doc.get("@graph", [doc] if "@id" in doc else [])
    nodes = [{k: v for k, v in n.items() if k != "@context"} for n in nodes]
    out = {"@context": context, "@graph": _sorted_jsonld(nodes)}
    return (json.dumps(out, sort_keys=True, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def gzipped(data: bytes) -> bytes:
    """Gzip with a zero timestamp and no file name, so equal input gives equal bytes."""
    return gzip.compress(data, compresslevel=9, mtime=0)
