"""SHACL shapes: valid fixtures conform, each invalid fixture fails exactly as its report says, real data conforms."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF

from montagne_kg.building import validation
from montagne_kg.building.build import Assembled, load_turtle
from montagne_kg.building.project import Project
from montagne_kg.namespaces import SH
from tests.conftest import ROOT

SHAPES_DIR = ROOT / "tests" / "shapes"
VALID = sorted((SHAPES_DIR / "valid").glob("*.ttl"))
INVALID = sorted(p for p in (SHAPES_DIR / "invalid").glob("*.ttl") if not p.name.endswith(".report.ttl"))


@pytest.fixture(scope="module")
def shapes(project: Project) -> Graph:
    return load_turtle(project.shapes, project.root)


def fixture_data(project: Project, path: Path) -> Graph:
    return (load_turtle(project.ontology, project.root) + Graph().parse(SHAPES_DIR / "context.ttl")
            + Graph().parse(path))


def expected_keys(report_path: Path) -> set[tuple[str, str, str]]:
    report = Graph().parse(report_path)
    keys = set()
    for result in report.objects(None, SH.result):
        keys.add((report.value(result, SH.focusNode).n3(validation.NM),
                  validation.path_text(report, report.value(result, SH.resultPath)),
                  report.value(result, SH.sourceConstraintComponent).n3(validation.NM)))
    return keys


def test_every_shape_constraint_has_a_message(shapes: Graph) -> None:
    for shape in set(shapes.subjects(SH.targetClass, None)) | set(shapes.subjects(SH.targetSubjectsOf, None)):
        for prop in shapes.objects(shape, SH.property):
            assert shapes.value(prop, SH.message) is not None, f"{shape}: a property constraint has no sh:message"
        if shapes.value(shape, SH["or"]) is not None:
            assert shapes.value(shape, SH.message) is not None, f"{shape}: sh:or without sh:message"


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_fixture_conforms(path: Path, project: Project, shapes: Graph) -> None:
    assert validation.validate(fixture_data(project, path), shapes) == []


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_fixture_fails_exactly_as_expected(path: Path, project: Project, shapes: Graph) -> None:
    violations = validation.validate(fixture_data(project, path), shapes)
    assert {v.key for v in violations} == expected_keys(path.with_suffix(".report.ttl"))
    assert all(v.message for v in violations), "every violation carries its sh:message"


def test_every_constraint_has_an_invalid_fixture(shapes: Graph) -> None:
    """Each (path, component) the shapes define is exercised by at least one invalid fixture."""
    exercised = set()
    for path in INVALID:
        exercised |= {(p, c) for _f, p, c in expected_keys(path.with_suffix(".report.ttl"))}
    for prop in shapes.objects(None, SH.property):
        parents = set(shapes.subjects(SH.property, prop))
        if any((parent, RDF.type, SH.NodeShape) in shapes and shapes.value(parent, SH.targetClass) is None
               and shapes.value(parent, SH.targetSubjectsOf) is None for parent in parents):
            continue  # a branch of an sh:or, exercised through the sh:or fixtures
        path_text = validation.path_text(shapes, shapes.value(prop, SH.path))
        for param, component in ((SH.minCount, "sh:MinCountConstraintComponent"),
                                 (SH.maxCount, "sh:MaxCountConstraintComponent"),
                                 (SH["class"], "sh:ClassConstraintComponent"),
                                 (SH.pattern, "sh:PatternConstraintComponent"),
                                 (SH.qualifiedMinCount, "sh:QualifiedMinCountConstraintComponent"),
                                 (SH.lessThanOrEquals, "sh:LessThanOrEqualsConstraintComponent")):
            if shapes.value(prop, param) is not None:
                assert (path_text, component) in exercised, f"no invalid fixture for {path_text} {component}"


def test_the_real_data_conforms(assembled: Assembled, project: Project, shapes: Graph) -> None:
    assert validation.validate(assembled.union(), shapes) == []
