"""montagne-kg: a knowledge graph of the French mountain industry's international cooperation."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from montagne_kg import negotiation
from montagne_kg.config import Settings


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The WSGI app over the newest complete build (settings from MONTAGNE_KG_* or ``test_config["SETTINGS"]``)."""
    from montagne_kg import dumps, pages, service, sparql, store

    app = Flask(__name__)
    settings = (test_config or {}).get("SETTINGS") or Settings.from_env()
    app.config.update(SETTINGS=settings, MAX_CONTENT_LENGTH=settings.max_body)
    if test_config:
        app.config.update({k: v for k, v in test_config.items() if k != "SETTINGS"})
    store.init_app(app, settings)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(service.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(dumps.bp)

    @app.errorhandler(HTTPException)
    def error_page(error: HTTPException) -> ResponseReturnValue:
        """Errors as an HTML page for browsers, plain text for everything else; never a stack trace."""
        if negotiation.accepts_html(request.headers.get("Accept")):
            return render_template("error.html", title=f"{error.code} {error.name}",
                                   message=error.description), error.code or 500
        return f"{error.code} {error.name}: {error.description}\n", error.code or 500, {
            "Content-Type": "text/plain; charset=utf-8"}

    return app
