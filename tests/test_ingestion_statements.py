"""The checked plan of accepted facts (statements.plan_statements), on facts written for the tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from montagne_kg.building.ingestion.addition import Ontology
from montagne_kg.building.ingestion.facts import FactRow
from montagne_kg.building.ingestion.statements import plan_statements
from tests.conftest import ROOT

KINDS = {"ville-de-tomsk": "Municipality", "tomsk": "City", "anne-roy": "Person"}


@pytest.fixture(scope="module")
def ontology() -> Ontology:
    return Ontology(ROOT / "ontology" / "montagne.ttl")


def plan(ontology: Ontology, *triples: tuple[str, str, str]):
    facts = [FactRow("t", s, p, o, (0, 10), "test", "accept", line=n) for n, (s, p, o) in enumerate(triples, 2)]
    return plan_statements(facts, KINDS, {}, "t", ontology, Path("t.facts.tsv"))


def test_declaring_an_entity_the_release_or_build_has_again_adds_nothing(ontology: Ontology) -> None:
    statements, _, problems = plan(ontology, ("ville-de-tomsk", "a", "mkg:Municipality"),
                                   ("ville-de-tomsk", "rdfs:label", '"Ville de Tomsk"@fr'),
                                   ("ville-de-tomsk", "mkg:hasJurisdictionOver", "tomsk"))
    assert problems == []
    assert statements.triples == [("ville-de-tomsk", "mkg:hasJurisdictionOver", ":tomsk")]
    _, _, problems = plan(ontology, ("ville-de-tomsk", "a", "mkg:Club"))
    assert problems == ["t.facts.tsv:2: ville-de-tomsk is a Municipality (from the names review or the build), "
                        "not a Club"]


def test_a_declared_node_takes_its_facts(ontology: Ontology) -> None:
    statements, _, problems = plan(ontology, ("poste-anne-roy", "a", "mkg:Post"),
                                   ("poste-anne-roy", "mkg:holder", "anne-roy"),
                                   ("poste-anne-roy", "mkg:postIn", "ville-de-tomsk"))
    assert problems == []
    assert statements.implied == {"poste-anne-roy": [(0, 10)]}
    assert statements.triples == [("poste-anne-roy", "a", "mkg:Post"), ("poste-anne-roy", "mkg:holder", ":anne-roy"),
                                  ("poste-anne-roy", "mkg:postIn", ":ville-de-tomsk")]


def test_a_body_a_title_implies_is_declared_as_the_curators_reading(ontology: Ontology) -> None:
    implied = FactRow("t", "ambassade-x", "a", "mkg:Embassy", (0, 10), "office:context", "accept",
                      "Le texte nomme l'ambassadeur, pas l'ambassade.", line=2)
    statements, _, problems = plan_statements([implied], KINDS, {}, "t", ontology, Path("t.facts.tsv"))
    assert problems == []
    assert statements.implied == {"ambassade-x": [(0, 10)]}
    assert statements.concluded == [("ambassade-x", "rdf:type", "mkg:Embassy",
                                     "Le texte nomme l'ambassadeur, pas l'ambassade.")]
    statements, _, _ = plan(ontology, ("poste-anne-roy", "a", "mkg:Post"))
    assert statements.concluded == []  # a post the sentence states is no conclusion
