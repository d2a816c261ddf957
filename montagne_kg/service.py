"""Service pages under /-/: health."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from montagne_kg.store import get_kg

bp = Blueprint("service", __name__)


@bp.route("/-/health")
def health() -> ResponseReturnValue:
    """Liveness and what is served: build id, base IRI, triple counts."""
    kg = get_kg()
    return jsonify(status="ok", build=kg.build.name, base=kg.base, triples=kg.manifest["merged_triples"],
                   graphs=len(kg.manifest["graphs"]))
