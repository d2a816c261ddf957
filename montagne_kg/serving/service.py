"""Service pages under /-/: health (ready only when queries can be answered) and settings."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from montagne_kg.serving import negotiation
from montagne_kg.serving.knowledge_graph import get_kg
from montagne_kg.serving.settings import public

bp = Blueprint("service", __name__)


@bp.route("/-/health")
def health() -> ResponseReturnValue:
    """What is served — the engine, the build id, the triples the engine counts beside the build's own count — and
    whether queries can be answered now (else 503): a balancer and an operator see that every replica serves the
    same build."""
    negotiation.for_request(request, twin=True)  # JSON only: an unknown format= is a 400 as everywhere
    kg = get_kg()
    triples = kg.engine_triples() if kg.engine.ready() else None
    ready = triples is not None
    body = jsonify(status="ok" if ready else "loading", ready=ready, engine=kg.engine.description,
                   build=kg.build.name, base=kg.base, triples=triples, build_triples=kg.manifest["merged_triples"],
                   graphs=len(kg.manifest["graphs"]))
    return body, 200 if ready else 503


@bp.route("/-/settings")
def settings() -> ResponseReturnValue:
    """Every setting in force (secrets masked), as JSON; ``service_confinement`` is the mechanism in force."""
    negotiation.for_request(request, twin=True)
    kg = get_kg()
    return jsonify({**public(kg.settings), "service_confinement": kg.service_guard.confinement})
