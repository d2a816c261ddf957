"""OWL 2 RL reasoning with owlrl, and the cleaning of its output into graph/inferred."""

from __future__ import annotations

from collections.abc import Iterable

import owlrl
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from montagne_kg.namespaces import EXTERNAL_VOCABULARIES

REFLEXIVE_NOISE = (OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty)
TRIVIAL_TYPES = (OWL.Thing, RDFS.Resource, RDFS.Datatype, RDFS.Literal, OWL.NamedIndividual)
OWLRL_ERRORS = "http://www.daml.org/2002/03/agents/agent-ont#"


def is_noise(triple: tuple[Node, Node, Node]) -> bool:
    """Whether an inferred triple is one DESIGN.md says never to publish."""
    s, p, o = triple
    if isinstance(s, Literal):
        return True
    if p in REFLEXIVE_NOISE and s == o:
        return True
    if p == RDF.type and o in TRIVIAL_TYPES:
        return True
    if p in (RDFS.subClassOf, OWL.equivalentClass, RDFS.domain, RDFS.range) and o in (OWL.Thing, RDFS.Resource):
        return True
    if isinstance(s, URIRef) and str(s).startswith(EXTERNAL_VOCABULARIES):
        return True
    if isinstance(o, Literal) and p == RDF.type:
        return True
    return str(p).startswith(OWLRL_ERRORS) or (isinstance(o, URIRef) and str(o).startswith(OWLRL_ERRORS))


def closure(graphs: Iterable[Graph]) -> Graph:
    """The OWL 2 RL closure of the union of ``graphs`` (a new graph; the inputs are untouched)."""
    work = Graph()
    for g in graphs:
        for t in g:
            work.add(t)
    # improved_datatypes=False: owlrl's own lexical converters reject valid xsd:gMonthDay ("--07-14").
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, improved_datatypes=False, axiomatic_triples=False,
                           datatype_axioms=False).expand(work)
    return work


class Inconsistent(Exception):
    """owlrl found the graphs inconsistent (e.g. one node in two disjoint classes); the message lists its findings."""


def infer(graphs: Iterable[Graph]) -> Graph:
    """What OWL 2 RL adds to ``graphs``, cleaned of noise (the content of graph/inferred); Inconsistent if any."""
    graphs = list(graphs)
    asserted = set()
    for g in graphs:
        asserted.update(g)
    full = closure(graphs)
    if problems := error_messages(full):
        raise Inconsistent("; ".join(problems))
    inferred = Graph()
    for t in full:
        if t not in asserted and not is_noise(t):
            inferred.add(t)
    return inferred


def error_messages(full: Graph) -> list[str]:
    """owlrl's own findings (inconsistencies) in a closure, as its messages, sorted."""
    return sorted(str(o) for _, p, o in full if str(p).startswith(OWLRL_ERRORS))


def errors(graphs: Iterable[Graph]) -> list[str]:
    """owlrl's findings (inconsistencies) in the closure of ``graphs``."""
    return error_messages(closure(graphs))
