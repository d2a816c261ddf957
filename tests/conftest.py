"""Shared fixtures: the project, one build of the real data, and a pyoxigraph store over it."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from montagne_kg.build import Assembled, assemble, write_build
from montagne_kg.config import Project
from montagne_kg.store import load_store

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/* from the current build")


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="session")
def assembled(project: Project) -> Assembled:
    return assemble(project)


@pytest.fixture(scope="session")
def build_dir(assembled: Assembled, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_build(assembled, tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="session")
def store(build_dir: Path):
    return load_store(build_dir)


@pytest.fixture(scope="session")
def graph(assembled: Assembled) -> Graph:
    """The union of every named graph of the real build."""
    return assembled.union()
