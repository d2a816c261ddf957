"""Every command finds its project from where it runs (or --root, or MONTAGNE_KG_ROOT): a checkout's commands never
write into another checkout's build/ or review/, whichever checkout the package was installed from."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from montagne_kg.layout import NoProject, current_build, project_root
from tests.conftest import ROOT


def clone(to: Path) -> Path:
    """A project of its own: the sources a build reads (not the package)."""
    for part in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / part, to / part)
    return to


def cli(cwd: Path, *argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "MONTAGNE_KG_ROOT"}
    return subprocess.run([sys.executable, "-m", "montagne_kg.cli", *argv], cwd=cwd, capture_output=True, text=True,
                          env={**environment, "PYTHONPATH": str(ROOT), **(env or {})})


def test_the_root_is_the_nearest_project_upward_never_the_installed_checkout(tmp_path: Path) -> None:
    project = clone(tmp_path / "one")
    (project / "data" / "deeper").mkdir(exist_ok=True)
    assert project_root(None, project / "data" / "deeper") == project
    assert project_root(str(tmp_path / "given"), project) == (tmp_path / "given").resolve()
    with pytest.raises(NoProject, match=r"no folder holding ontology/ and data/ from .* upward; give --root"):
        project_root(None, tmp_path)


def test_two_checkouts_and_one_environment_each_build_into_their_own(tmp_path: Path) -> None:
    one, other = clone(tmp_path / "one"), clone(tmp_path / "other")
    before = sorted((ROOT / "build").iterdir()) if (ROOT / "build").exists() else []
    assert cli(one / "data", "build").returncode == 0
    assert current_build(one / "build") is not None and not (other / "build").exists()
    assert cli(tmp_path, "--root", str(other), "build").returncode == 0
    assert current_build(other / "build") is not None
    third = clone(tmp_path / "third")
    assert cli(tmp_path, "build", env={"MONTAGNE_KG_ROOT": str(third)}).returncode == 0
    assert current_build(third / "build") is not None
    assert (sorted((ROOT / "build").iterdir()) if (ROOT / "build").exists() else []) == before


def test_a_command_outside_any_project_says_what_it_looked_for(tmp_path: Path) -> None:
    for argv in (["build"], ["serve"], ["ingest", "review", "004"]):
        done = cli(tmp_path, *argv)
        assert done.returncode == 2, (argv, done.stderr)
        assert "no project found: no folder holding ontology/ and data/" in done.stderr
        assert "give --root DIR or set MONTAGNE_KG_ROOT" in done.stderr
