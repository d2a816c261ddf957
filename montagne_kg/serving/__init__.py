"""The serving side: the SPARQL endpoint, the pages and the dumps over one build (never imports the build side)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from montagne_kg.serving.settings import from_environment


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The WSGI app over one build (settings from MONTAGNE_KG_* or ``test_config["SETTINGS"]``)."""
    from montagne_kg.serving import dumps, errors, knowledge_graph, pages, service, sparql

    app = Flask(__name__)
    settings = (test_config or {}).get("SETTINGS") or from_environment()
    app.config.update(SETTINGS=settings, MAX_CONTENT_LENGTH=settings.max_body)
    if test_config:
        app.config.update({k: v for k, v in test_config.items() if k != "SETTINGS"})
    knowledge_graph.init_app(app, settings)
    errors.init_app(app)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(service.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(dumps.bp)
    return app
