"""The query store: a pyoxigraph store opened from a build, in memory or on disk."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pyoxigraph as ox

from montagne_kg import formats
from montagne_kg.layout import DISK_STORE, dump_name


def load_store(build_dir: Path) -> ox.Store:
    """An in-memory store: each named graph of the build, and their merge (a set) as the default graph.

    Oxigraph's ``use_default_graph_as_union`` repeats a triple once per graph holding it; the
    SPARQL default graph must be the RDF merge, so the merged dump is loaded there instead.
    """
    store = ox.Store()
    _fill(store, build_dir)
    return store


def _fill(store: ox.Store, build_dir: Path) -> None:
    quads = build_dir / dump_name(formats.by_name("nquads"))
    merged = build_dir / dump_name(formats.by_name("ntriples"))
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
