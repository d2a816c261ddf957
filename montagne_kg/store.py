"""The query store: a pyoxigraph store opened from a build, in memory or on disk, and the app's handle on it."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pyoxigraph as ox
from flask import Flask, current_app

from montagne_kg import description, formats
from montagne_kg.build import MANIFEST, current_build
from montagne_kg.config import Settings
from montagne_kg.runner import QueryRunner

DISK_STORE = "oxigraph"


def load_store(build_dir: Path) -> ox.Store:
    """An in-memory store: each named graph of the build, and their merge (a set) as the default graph.

    Oxigraph's ``use_default_graph_as_union`` repeats a triple once per graph holding it; the
    SPARQL default graph must be the RDF merge, so the merged dump is loaded there instead.
    """
    store = ox.Store()
    _fill(store, build_dir)
    return store


def _fill(store: ox.Store, build_dir: Path) -> None:
    quads = build_dir / description.dump_name(formats.by_name("nquads"))
    merged = build_dir / description.dump_name(formats.by_name("ntriples"))
    store.bulk_load(path=str(quads), format=ox.RdfFormat.N_QUADS)
    store.bulk_load(path=str(merged), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())


def prepare_disk_store(build_dir: Path) -> Path:
    """The build's on-disk store, created once (in a temporary directory renamed into place)."""
    target = build_dir / DISK_STORE
    if target.exists():
        return target
    tmp = Path(tempfile.mkdtemp(prefix=".oxigraph-", dir=build_dir))
    try:
        store = ox.Store(str(tmp))
        _fill(store, build_dir)
        store.flush()
        del store
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return target


def open_disk_store(path: Path) -> ox.Store:
    """A read-only handle on an on-disk store."""
    return ox.Store.read_only(str(path))


@dataclass
class KnowledgeGraph:
    """What the app serves: one build, its manifest, and the query runner over its store."""

    build: Path
    manifest: dict
    runner: QueryRunner
    settings: Settings

    @property
    def base(self) -> str:
        return self.manifest["base"]


def init_app(app: Flask, settings: Settings) -> None:
    """Open the newest complete build for ``app`` (a clear error if there is none)."""
    build = current_build(settings.build_dir)
    if build is None:
        raise RuntimeError(f"no complete build in {settings.build_dir}: run `montagne-kg build` first")
    manifest = json.loads((build / MANIFEST).read_text(encoding="utf-8"))
    if settings.store == "disk":
        opener = partial(open_disk_store, prepare_disk_store(build))
    else:
        opener = partial(load_store, build)
    app.extensions["kg"] = KnowledgeGraph(build, manifest, QueryRunner(opener, settings.time_limit), settings)


def get_kg() -> KnowledgeGraph:
    """The knowledge graph of the current app."""
    return current_app.extensions["kg"]
