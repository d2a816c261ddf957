"""The build-directory contract shared by the build and serving sides: names of files, and which build is current."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from montagne_kg import formats

ROOT_ENV = "MONTAGNE_KG_ROOT"
BUILD = "build"  # under the project root, unless a command is given --build-dir
REVIEW = "review"  # likewise, --review-dir

CURRENT = "current"
MANIFEST = "manifest.json"
DUMP_STEM = "montagne-kg"
WIKIDATA_LINKS_CSV = "wikidata-links.csv"
DISK_STORE = "oxigraph"
PUBLISHED_ENGINE = "engine.json"  # written by `montagne-kg publish`: the engine that holds this build, and its URL
SPAN_IRI = re.compile(r"^(?P<release>.+/id/release/(?P<id>[^/#]+))#(?P<fragment>char=.*)$")


class NoProject(Exception):
    """No project root was given and none was found; the message says where it was looked for."""


def project_root(given: str | None, start: Path | None = None) -> Path:
    """The project root: ``given`` (``--root``), else ``MONTAGNE_KG_ROOT``, else the nearest folder from ``start``
    (the current directory) upward that holds ``ontology/`` and ``data/``; never the checkout the package was
    installed from. NoProject if there is none."""
    chosen = given or os.environ.get(ROOT_ENV)
    if chosen:
        return Path(chosen).resolve()
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / "ontology").is_dir() and (folder / "data").is_dir():
            return folder
    raise NoProject(f"no project found: no folder holding ontology/ and data/ from {start} upward; give --root "
                    f"DIR or set {ROOT_ENV}")


def dump_name(fmt: formats.Format) -> str:
    """File name of the merged dump in ``fmt``: ``montagne-kg.ttl``."""
    return f"{DUMP_STEM}{fmt.suffix}"


def graph_file_name(name: str, base: str) -> str:
    """File name of a per-graph download: ``release/000`` -> ``release-000.ttl``."""
    return str(name)[len(f"{base}graph/"):].replace("/", "-") + ".ttl"


def current_build(out_dir: Path) -> Path | None:
    """The directory of the newest complete build, or None."""
    link = out_dir / CURRENT
    if link.is_symlink() and (link.resolve() / MANIFEST).exists():
        return link.resolve()
    return None


def mark_in_use(build: Path, pid: int) -> Path:
    """Say that process ``pid`` serves ``build``, so that pruning keeps it; returns the marker to remove later."""
    marker = build / f"in-use.{pid}"
    marker.touch()
    return marker


def in_use(build: Path) -> bool:
    """Whether a live process still serves ``build`` (markers of processes that are gone do not count)."""
    for marker in build.glob("in-use.*"):
        try:
            os.kill(int(marker.suffix[1:]), 0)
        except ProcessLookupError:
            continue
        except (ValueError, PermissionError):  # a marker we cannot read, or a live process of another user
            pass
        return True
    return False


def published_engine(build: Path) -> dict | None:
    """What `montagne-kg publish` recorded of the engine holding ``build`` (kind, url, default_graph, pid, store),
    or None if it was not published."""
    record = build / PUBLISHED_ENGINE
    return json.loads(record.read_text(encoding="utf-8")) if record.exists() else None
