"""The ontology documents itself: every term has a French and an English label and comment."""

from __future__ import annotations

from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS

from montagne_kg.building.build import load_turtle
from montagne_kg.building.project import Project
from montagne_kg.namespaces import MKG


def test_every_term_has_labels_and_comments_in_french_and_english(project: Project) -> None:
    g: Graph = load_turtle(project.ontology, project.root)
    terms = {s for s in g.subjects() if str(s).startswith(str(MKG))}
    assert len(terms) > 120
    for term in terms:
        for prop in (RDFS.label, RDFS.comment):
            langs = {o.language for o in g.objects(term, prop)}
            assert {"fr", "en"} <= langs, f"{term} lacks a {prop} in fr and en"


def test_the_ontology_has_a_version_iri(project: Project) -> None:
    g = load_turtle(project.ontology, project.root)
    ontology = next(g.subjects(RDF.type, OWL.Ontology))
    assert g.value(ontology, OWL.versionIRI) is not None
