"""The one error mechanism of the serving side: raise ``Refusal`` (or any werkzeug HTTPException) with a description
for people; one handler answers it as an HTML page for browsers and as plain text for everything else."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NoReturn

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from montagne_kg.serving import negotiation


class Refusal(HTTPException):
    """An error answer: a status, a description a person understands, and extra headers (Retry-After, Allow)."""

    def __init__(self, status: int, description: str, headers: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__(description)
        self.code = status
        self.extra_headers = tuple(headers)

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        return [*super().get_headers(*args, **kwargs), *self.extra_headers]


def refuse(status: int, description: str, headers: Iterable[tuple[str, str]] = ()) -> NoReturn:
    raise Refusal(status, description, headers)


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def error_answer(error: HTTPException) -> ResponseReturnValue:
        """Errors as an HTML page for browsers, plain text for everything else; never a stack trace."""
        status = error.code or 500
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        headers.append(("Vary", "Accept"))
        if negotiation.accepts_html(request.headers.get("Accept")):
            page = render_template("error.html", title=f"{status} {error.name}", message=error.description)
            return page, status, headers
        body = f"{status} {error.name}: {error.description}\n"
        return body, status, [*headers, ("Content-Type", "text/plain; charset=utf-8")]
