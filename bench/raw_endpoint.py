"""The baseline of the benchmark (issue 26): a raw WSGI app — no framework, no limits, no cache — over the build's
in-memory pyoxigraph store, pyoxigraph writing the JSON, served by granian with 2 workers:
`granian --interface wsgi --workers 2 --factory 'bench.raw_endpoint:create'` (the build from MONTAGNE_KG_BENCH_BUILD,
else build/). It measures what this machine gives a query endpoint on this engine; `bare_endpoint.py` (Flask under
sync gunicorn, no keep-alive) is kept as the older reference."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pyoxigraph as ox

from montagne_kg.layout import current_build
from montagne_kg.serving.store import load_store

JSON = ox.QueryResultsFormat.JSON


def create() -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    store = load_store(current_build(Path(os.environ.get("MONTAGNE_KG_BENCH_BUILD", "build"))))

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        query = parse_qs(environ.get("QUERY_STRING", "")).get("query", [""])[0]
        body = store.query(query).serialize(format=JSON)
        start_response("200 OK", [("Content-Type", "application/sparql-results+json"),
                                  ("Content-Length", str(len(body)))])
        return [body]

    return app
