"""The query store: a pyoxigraph store loaded from a build."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from montagne_kg import description, formats


def load_store(build_dir: Path) -> ox.Store:
    """An in-memory store: each named graph of the build, and their merge (a set) as the default graph.

    Oxigraph's ``use_default_graph_as_union`` repeats a triple once per graph holding it; the
    SPARQL default graph must be the RDF merge, so the merged dump is loaded there instead.
    """
    store = ox.Store()
    quads = build_dir / description.dump_name(formats.by_name("nquads"))
    merged = build_dir / description.dump_name(formats.by_name("ntriples"))
    store.bulk_load(path=str(quads), format=ox.RdfFormat.N_QUADS)
    store.bulk_load(path=str(merged), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    return store
