"""The query-level tests again, their app answering from Oxigraph server through remote mode (``engine published``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from montagne_kg.serving import create_app
from montagne_kg.serving.settings import Settings


@pytest.fixture(scope="module")
def app(oxigraph_out: Path) -> Iterator[Flask]:
    """Overrides the embedded app of tests/conftest.py for the tests of this folder."""
    application = create_app({"SETTINGS": Settings(build_dir=oxigraph_out, engine="published")})
    yield application
    application.extensions["kg"].close()
