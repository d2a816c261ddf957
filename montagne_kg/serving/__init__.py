"""The serving side: the SPARQL endpoint, the pages and the dumps over one build (never imports the build side)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask

from montagne_kg.serving.settings import from_environment

if TYPE_CHECKING:
    from montagne_kg.serving.front import Front


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The Flask app over one build (settings from MONTAGNE_KG_* or ``test_config["SETTINGS"]``), its front
    installed: as a WSGI app it answers through the front, like ``create_front``'s ASGI app."""
    from montagne_kg.serving import (
        browse,
        dumps,
        errors,
        front,
        interface,
        knowledge_graph,
        pages,
        resources,
        search,
        security,
        service,
        sparql,
    )

    app = Flask(__name__)
    settings = (test_config or {}).get("SETTINGS") or from_environment()
    app.config.update(SETTINGS=settings, MAX_CONTENT_LENGTH=settings.max_body)
    if test_config:
        app.config.update({k: v for k, v in test_config.items() if k != "SETTINGS"})
    knowledge_graph.init_app(app, settings)
    errors.init_app(app)
    interface.init_app(app)
    security.init_app(app)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(service.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(resources.bp)
    app.register_blueprint(browse.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(dumps.bp)
    front.install(app)
    return app


def create_front() -> Front:
    """The ASGI app that `montagne-kg serve` runs under granian (settings from MONTAGNE_KG_*)."""
    return create_app().extensions["front"]
