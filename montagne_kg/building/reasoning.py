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
    if p in (RDFS.subClassOf, OWL.equivalentClass) and o in (OWL.Thing, RDFS.Resource):
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


def infer(graphs: Iterable[Graph]) -> Graph:
    """What OWL 2 RL adds to ``graphs``, cleaned of noise: the content of graph/inferred."""
    graphs = list(graphs)
    asserted = set()
    for g in graphs:
        asserted.update(g)
    inferred = Graph()
    for t in closure(graphs):
        if t not in asserted and not is_noise(t):
            inferred.add(t)
    return inferred


def errors(graphs: Iterable[Graph]) -> list[tuple[Node, Node, Node]]:
    """owlrl's own error triples (inconsistencies it detected) in the closure of ``graphs``."""
    return sorted(t for t in closure(graphs) if str(t[1]).startswith(OWLRL_ERRORS))
