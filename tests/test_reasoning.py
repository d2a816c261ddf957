"""The OWL 2 RL entailments the project relies on, one test per rule, and the cleaning of owlrl's output."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from montagne_kg.building import reasoning
from montagne_kg.building.build import Assembled, load_turtle
from montagne_kg.building.project import Project
from montagne_kg.namespaces import EXTERNAL_VOCABULARIES, FOAF, GRAPH, MKG, ORG, SCHEMA

EX = "https://w3id.org/montagne-kg/id/test-"


def x(name: str) -> URIRef:
    return URIRef(EX + name)


@pytest.fixture(scope="module")
def ontology(project: Project) -> Graph:
    return load_turtle(project.ontology, project.root)


def entail(ontology: Graph, *triples: tuple) -> Graph:
    data = Graph()
    for t in triples:
        data.add(t)
    return reasoning.closure([ontology, data])


def test_cax_sco_instances_of_a_subclass_get_the_superclasses(ontology: Graph) -> None:
    """cax-sco: T(?c1, rdfs:subClassOf, ?c2), T(?x, rdf:type, ?c1) -> T(?x, rdf:type, ?c2)."""
    g = entail(ontology, (x("town"), RDF.type, MKG.City))
    for cls in (MKG.Place, SCHEMA.City, SCHEMA.Place):
        assert (x("town"), RDF.type, cls) in g
    assert (x("town"), RDF.type, MKG.Country) not in g


def test_cax_sco_does_not_go_down_the_hierarchy(ontology: Graph) -> None:
    """Negative: a schema:City is not thereby one of our cities."""
    g = entail(ontology, (x("town"), RDF.type, SCHEMA.City))
    assert (x("town"), RDF.type, MKG.City) not in g


def test_prp_spo1_subproperty_triples_are_entailed(ontology: Graph) -> None:
    """prp-spo1: T(?p1, rdfs:subPropertyOf, ?p2), T(?x, ?p1, ?y) -> T(?x, ?p2, ?y)."""
    g = entail(ontology, (x("a"), MKG.postIn, x("b")))
    assert (x("a"), ORG.postIn, x("b")) in g


def test_prp_trp_located_in_is_transitive(ontology: Graph) -> None:
    """prp-trp: T(?p, rdf:type, owl:TransitiveProperty), T(?x, ?p, ?y), T(?y, ?p, ?z) -> T(?x, ?p, ?z)."""
    g = entail(ontology, (x("a"), MKG.locatedIn, x("b")), (x("b"), MKG.locatedIn, x("c")))
    assert (x("a"), MKG.locatedIn, x("c")) in g
    assert (x("a"), SCHEMA.containedInPlace, x("c")) in g
    assert (x("c"), MKG.locatedIn, x("a")) not in g


def test_prp_symp_near_is_symmetric_but_not_transitive(ontology: Graph) -> None:
    """prp-symp: T(?p, rdf:type, owl:SymmetricProperty), T(?x, ?p, ?y) -> T(?y, ?p, ?x)."""
    g = entail(ontology, (x("a"), MKG.near, x("b")), (x("b"), MKG.near, x("c")))
    assert (x("b"), MKG.near, x("a")) in g
    assert (x("a"), MKG.near, x("c")) not in g


def test_prp_inv_holder_and_holds_are_inverse(ontology: Graph) -> None:
    """prp-inv1: T(?p1, owl:inverseOf, ?p2), T(?x, ?p1, ?y) -> T(?y, ?p2, ?x)."""
    g = entail(ontology, (x("post"), MKG.holder, x("person")))
    assert (x("person"), MKG.holds, x("post")) in g
    assert (x("person"), ORG.holds, x("post")) in g


def test_prp_dom_and_prp_rng_type_the_ends_of_a_post(ontology: Graph) -> None:
    """prp-dom / prp-rng: T(?p, rdfs:domain|range, ?c), T(?x, ?p, ?y) -> T(?x|?y, rdf:type, ?c)."""
    g = entail(ontology, (x("post"), MKG.holder, x("person")))
    assert (x("post"), RDF.type, MKG.Post) in g
    assert (x("person"), RDF.type, MKG.Person) in g
    assert (x("person"), RDF.type, FOAF.Person) in g


def test_prp_trp_part_of_is_transitive(ontology: Graph) -> None:
    """prp-trp on mkg:partOf: a part of a part of an event is part of it."""
    g = entail(ontology, (x("a"), MKG.partOf, x("b")), (x("b"), MKG.partOf, x("c")))
    assert (x("a"), MKG.partOf, x("c")) in g
    assert (x("a"), SCHEMA.superEvent, x("c")) in g


def aligned(ontology: Graph, axiom: URIRef) -> list[tuple[URIRef, URIRef]]:
    return sorted((s, o) for s, o in ontology.subject_objects(axiom)
                  if str(s).startswith(str(MKG)) and str(o).startswith(EXTERNAL_VOCABULARIES))


def test_every_class_alignment_holds_for_every_instance(ontology: Graph, graph: Graph) -> None:
    """Each class we align (subclass of schema/FOAF/ORG/PROV/SKOS…): all its instances get the external class."""
    pairs = aligned(ontology, RDFS.subClassOf)
    assert len(pairs) >= 30
    populated = 0
    for ours, theirs in pairs:
        instances = set(graph.subjects(RDF.type, ours))
        populated += bool(instances)
        for instance in instances:
            assert (instance, RDF.type, theirs) in graph, f"{instance} is a {ours} but not a {theirs}"
    assert populated >= 25


def test_every_property_alignment_holds_for_every_statement(ontology: Graph, graph: Graph) -> None:
    pairs = aligned(ontology, RDFS.subPropertyOf)
    assert len(pairs) >= 20
    for ours, theirs in pairs:
        for s, o in graph.subject_objects(ours):
            assert (s, theirs, o) in graph, f"{s} {ours} {o} without {theirs}"


def test_generic_clients_find_our_agents_and_places(graph: Graph) -> None:
    orgs = {s for s in graph.subjects(RDF.type, SCHEMA.Organization) if str(s).startswith(EX[:-5])}
    people = {s for s in graph.subjects(RDF.type, FOAF.Person) if str(s).startswith(EX[:-5])}
    assert URIRef("https://w3id.org/montagne-kg/id/ville-de-chambery") in orgs
    assert URIRef("https://w3id.org/montagne-kg/id/patrick-kanner") in people


def test_inferred_graph_has_no_noise(assembled: Assembled) -> None:
    inferred = assembled.graphs[URIRef(GRAPH.inferred)]
    assert len(inferred) > 500
    for s, p, o in inferred:
        assert not isinstance(s, Literal)
        assert not (p in reasoning.REFLEXIVE_NOISE and s == o), (s, p, o)
        assert not (p == RDF.type and o in (OWL.Thing, RDFS.Resource, RDFS.Datatype)), (s, p, o)
        assert not str(s).startswith(EXTERNAL_VOCABULARIES), (s, p, o)
        assert not str(p).startswith(reasoning.OWLRL_ERRORS)


def test_inferred_graph_holds_only_new_triples(assembled: Assembled) -> None:
    inferred = assembled.graphs[URIRef(GRAPH.inferred)]
    for name, g in assembled.graphs.items():
        if name != URIRef(GRAPH.inferred):
            assert not set(g) & set(inferred), f"{name} shares triples with graph/inferred"


def test_is_noise_recognises_each_kind(ontology: Graph) -> None:
    town = x("town")
    assert reasoning.is_noise((Literal("a"), RDF.type, RDFS.Literal))
    assert reasoning.is_noise((town, OWL.sameAs, town))
    assert reasoning.is_noise((MKG.City, RDFS.subClassOf, MKG.City))
    assert reasoning.is_noise((town, RDF.type, OWL.Thing))
    assert reasoning.is_noise((SCHEMA.City, RDFS.subClassOf, SCHEMA.Place))
    assert not reasoning.is_noise((town, RDF.type, SCHEMA.City))
    assert not reasoning.is_noise((MKG.City, RDFS.subClassOf, SCHEMA.Place))
    assert reasoning.is_noise((MKG.near, RDFS.domain, OWL.Thing))
    assert reasoning.is_noise((MKG.near, RDFS.range, RDFS.Resource))
    assert not reasoning.is_noise((MKG.holder, RDFS.range, MKG.Person))


def test_owlrl_reports_no_inconsistency(ontology: Graph, assembled: Assembled) -> None:
    releases = [g for name, g in assembled.graphs.items() if "/graph/release/" in str(name)]
    assert len(releases) == 2
    assert reasoning.errors([ontology, assembled.graphs[URIRef(GRAPH.meta)], *releases]) == []


def typed(*classes: URIRef) -> Graph:
    """One test node with the given types."""
    g = Graph()
    for cls in classes:
        g.add((x("it"), RDF.type, cls))
    return g


@pytest.mark.parametrize("first,second", [
    (MKG.City, MKG.Firm), (MKG.LetterOfIntent, MKG.Person), (MKG.Visit, MKG.Municipality),
    (MKG.Post, MKG.Person), (MKG.TextSpan, MKG.Quantity), (MKG.SkiResort, MKG.Organisation),
])
def test_cax_adc_a_node_in_two_disjoint_top_classes_is_inconsistent(ontology: Graph, first, second) -> None:
    """cax-adc: T(?x, owl:AllDisjointClasses), members ?c1 ≠ ?c2, T(?i, rdf:type, ?c1) and ?c2 -> false."""
    found = reasoning.errors([ontology, typed(first, second)])
    assert len(found) == 1 and "have a common individual https://w3id.org/montagne-kg/id/test-it" in found[0]


@pytest.mark.parametrize("first,second", [
    (MKG.City, MKG.Place), (MKG.Firm, MKG.IndustrialGroup), (MKG.Visit, MKG.Event), (MKG.Municipality, MKG.Agent),
])
def test_cax_adc_classes_on_one_branch_stay_consistent(ontology: Graph, first, second) -> None:
    """The negative: a node typed twice within one top class is no inconsistency."""
    assert reasoning.errors([ontology, typed(first, second)]) == []


def test_a_ski_resort_is_a_place_not_an_organisation(ontology: Graph) -> None:
    """schema:SkiResort is a LocalBusiness (an Organization) in schema.org: our resorts are aligned to places only."""
    g = entail(ontology, (x("resort"), RDF.type, MKG.SkiResort))
    assert (x("resort"), RDF.type, SCHEMA.Place) in g
    assert (x("resort"), RDF.type, SCHEMA.Organization) not in g
    assert (x("resort"), RDF.type, SCHEMA.SkiResort) not in g


def test_two_holders_of_a_post_are_not_merged(ontology: Graph) -> None:
    """No prp-fp on mkg:holder: two holders entered by mistake stay two people (SHACL's maxCount reports them)."""
    g = entail(ontology, (x("post"), MKG.holder, x("one")), (x("post"), MKG.holder, x("two")))
    assert (x("one"), OWL.sameAs, x("two")) not in g
