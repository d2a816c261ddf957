"""The fixed baseline of the benchmark: bare Flask + pyoxigraph, the query run in the worker, no limits, no cache.

Served by `bench/load.py` under gunicorn with 2 sync workers, as issue 9 fixed it:
`gunicorn -w 2 -k sync 'bench.bare_endpoint:create(build_dir)'`.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from flask import Flask, Response, request

from montagne_kg.layout import current_build
from montagne_kg.serving.store import load_store

JSON = ox.QueryResultsFormat.JSON


def create(build_dir: str = "build") -> Flask:
    store = load_store(current_build(Path(build_dir)))
    app = Flask(__name__)

    @app.route("/sparql")
    def sparql() -> Response:
        result = store.query(request.args["query"])
        return Response(result.serialize(format=JSON), content_type="application/sparql-results+json")

    return app
