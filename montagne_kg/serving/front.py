"""The ASGI app that granian serves: SPARQL queries awaited on the event loop, every other route by Flask in threads.

A query in flight is a coroutine awaiting its query process, not a thread parked on a socket: cheap queries keep
being answered while slow ones run, without a thread (and a GIL hand-off) per query. A query request is read and
checked by ``sparql.query_job`` (the Flask view's own function) over a plain werkzeug request, on the loop (it never
blocks: no store, no network); OPTIONS, the query page, the service description, refusals and non-200 answers go
through Flask's dispatch, its hooks and the one error handler, also on the loop. The pages, dumps and service routes
are Flask views run by a2wsgi in a thread pool; their queries are handed to the loop (``QueryGate.run``).

For WSGI callers (Flask's test client, any WSGI server) the app's ``wsgi_app`` is this front too, driven by a2wsgi
on the query engine's loop: every request takes the path it takes under granian.
"""

from __future__ import annotations

import asyncio
import io
import os
import threading
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import Any, NoReturn
from urllib.parse import quote

from a2wsgi import ASGIMiddleware, WSGIMiddleware
from a2wsgi.wsgi import build_environ
from flask import Flask, Response
from flask.testing import FlaskClient
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException
from werkzeug.test import TestResponse
from werkzeug.wrappers import Request

from montagne_kg.serving import security, sparql
from montagne_kg.serving.answers import Answer, text_answer
from montagne_kg.serving.errors import refuse
from montagne_kg.serving.gate import PoolBusy
from montagne_kg.serving.knowledge_graph import SERVED_BUILD_ENV, KnowledgeGraph
from montagne_kg.serving.succession import Succession

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
SPARQL_PATH = "/sparql"
PROTOCOL_HEADERS = [(name.lower().encode("latin-1"), value.encode("latin-1"))
                    for name, value in {**sparql.CROSS_ORIGIN, **security.headers()}.items()]
QUERY_STRING_SAFE = "".join(chr(c) for c in range(0x21, 0x7F))  # every printable ASCII character stays as it is


class Front:
    """ASGI: ``/sparql`` on the loop, everything else to Flask's own dispatch in a2wsgi's threads."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.kg: KnowledgeGraph = app.extensions["kg"]
        # page views wait on query processes too: one thread per query that may run at once, and two to spare
        self.pages = WSGIMiddleware(app.wsgi_app, workers=self.kg.settings.max_queries + 2)
        self._as_wsgi: ASGIMiddleware | None = None
        self._as_wsgi_lock = threading.Lock()
        self.succession = Succession.of_worker(os.environ.get(SERVED_BUILD_ENV))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if self.succession.superseded():  # a newer build is served: let this client reconnect to it
                send = closing(send)
            loop = asyncio.get_running_loop()
            self.kg.engine.bind(loop)
            receive = body_deadline(receive, loop.time() + self.kg.settings.body_timeout)
            if (problem := request_line_problem(scope)) is not None:
                environ = build_environ(scope, io.BytesIO())
                await self.send_response(self.dispatch(environ, lambda: refuse(*problem), preprocess=False), environ,
                                         send)
            elif scope["path"] == SPARQL_PATH:
                await self.sparql(scope, receive, send)
            else:
                await self.pages(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self.lifespan(receive, send)

    async def lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.kg.engine.bind(asyncio.get_running_loop())
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.kg.engine.close_on_loop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def sparql(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A query request is read and checked by ``sparql.query_job`` without Flask (its request context would cost
        more than the whole answer); anything else — OPTIONS, the query page, the service description, a refusal,
        a body over the limit — is Flask's to answer, through its hooks and the one error handler."""
        environ = build_environ(scope, io.BytesIO())
        pending = None
        try:
            whole = await self.read_body(environ, receive)
        except BodyTimeout as late:
            why = str(late)
            environ["wsgi.input"] = io.BytesIO()
            await self.send_response(self.dispatch(environ, lambda: refuse(408, why), preprocess=False), environ,
                                     send)
            return
        refused: HTTPException | None = None
        if whole:
            try:
                pending = sparql.query_job(Request(environ), self.kg)
            except HTTPException as refusal:  # answered by Flask's hooks and error handler, never checked twice
                refused = refusal
                environ["wsgi.input"].seek(0)
        if pending is None:
            outcome = self.dispatch(environ, sparql.endpoint if refused is None else partial(raise_again, refused),
                                    preprocess=True)
            if not isinstance(outcome, sparql.PendingQuery):
                await self.send_response(outcome, environ, send)
                return
            pending = outcome
        try:
            answer = await self.answer_while_connected(pending, receive)
        except PoolBusy as busy:
            answer = busy.answer()
        if answer is None:  # told the client went away (or the worker is stopping): its query was ended
            answer = text_answer(503, "the query was ended: the connection was closed, or the server is stopping",
                                 (("Retry-After", "1"),))
        try:
            if answer.status == 200:
                await self.send_answer(answer, scope["method"] == "HEAD", send)
            else:
                await self.send_response(self.dispatch(environ, lambda: sparql.respond(answer), preprocess=False),
                                         environ, send)
        finally:
            self.kg.engine.release(answer)

    async def answer_while_connected(self, pending: sparql.PendingQuery, receive: Receive) -> Answer | None:
        """The query's answer, or None if the client disconnects first: then the query is ended (its process
        killed and replaced), never left to run on unseen. PoolBusy when it cannot start now."""
        answering = asyncio.ensure_future(self.kg.engine.answer(pending.job, pending.client))
        leaving = asyncio.ensure_future(disconnected(receive))
        await asyncio.wait((answering, leaving), return_when=asyncio.FIRST_COMPLETED)
        if answering.done():
            leaving.cancel()
            return answering.result()
        answering.cancel()
        await asyncio.gather(answering, return_exceptions=True)
        return None

    @staticmethod
    async def send_answer(answer: Answer, head: bool, send: Send) -> None:
        """A 200 answer as ``sparql.respond`` and its after-request hook make it, without building a Response."""
        headers = [(b"content-type", answer.content_type.encode("latin-1")),
                   (b"content-length", str(len(answer.body)).encode("latin-1")),
                   *((name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in answer.headers),
                   *PROTOCOL_HEADERS]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if head else answer.body})

    async def read_body(self, environ: dict[str, Any], receive: Receive) -> bool:
        """Read the body into ``environ`` as a WSGI input of known length, up to one byte past the size limit;
        whether it is held whole within the limit.

        A body declared longer than the limit is not read (``sparql.bounded_body`` refuses it by its length); one
        without a declared length that runs past the limit is handed on as a chunked input of limit + 1 bytes,
        which ``bounded_body`` refuses the same way it does under any WSGI server. BodyTimeout when the body has
        not all come within the body timeout.
        """
        limit = self.kg.settings.max_body
        declared = environ.get("CONTENT_LENGTH", "")
        if declared.isdigit() and int(declared) > limit:
            return False
        if not declared and "HTTP_TRANSFER_ENCODING" not in environ:
            return True  # no body (a GET): nothing to wait for
        chunks, size = [], 0
        while size <= limit:
            message = await receive()
            if message.get("late_body"):
                raise BodyTimeout(f"the request body did not arrive within {self.kg.settings.body_timeout:g} s "
                                  "(the body timeout, body_timeout)")
            if message["type"] != "http.request":
                break  # the client went away; what came is all there is
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        environ["wsgi.input"] = io.BytesIO(body[: limit + 1])
        if size > limit:
            environ.pop("CONTENT_LENGTH", None)
            environ["HTTP_TRANSFER_ENCODING"] = "chunked"
            return False
        environ["CONTENT_LENGTH"] = str(size)
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        return True

    def dispatch(self, environ: dict[str, Any], view: Callable[[], ResponseReturnValue | sparql.PendingQuery],
                 preprocess: bool) -> Response | sparql.PendingQuery:
        """Flask's own request handling around ``view`` (hooks, the one error handler), but a pending query
        comes back unanswered: the loop awaits it between two such calls."""
        with self.app.request_context(environ):
            try:
                outcome = (self.app.preprocess_request() if preprocess else None) or view()
            except HTTPException as error:
                outcome = self.app.handle_user_exception(error)
            if isinstance(outcome, sparql.PendingQuery):
                return outcome
            return self.app.finalize_request(outcome)

    @staticmethod
    async def send_response(response: Response, environ: dict[str, Any], send: Send) -> None:
        body_parts, _, headers = response.get_wsgi_response(environ)  # no body for HEAD, headers fixed as WSGI's
        await send({"type": "http.response.start", "status": response.status_code,
                    "headers": [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]})
        await send({"type": "http.response.body", "body": b"".join(body_parts)})
        response.close()

    def wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """This front as a WSGI app (the Flask app's ``wsgi_app``), run on the query engine's loop."""
        with self._as_wsgi_lock:
            if self._as_wsgi is None:
                self._as_wsgi = ASGIMiddleware(self, loop=self.kg.engine.own_loop())
        # a2wsgi passes the query string on as ASCII: percent-encode raw non-ASCII bytes, as a browser sends them
        environ["QUERY_STRING"] = quote(environ.get("QUERY_STRING", ""), safe=QUERY_STRING_SAFE, encoding="latin-1")
        return self._as_wsgi(environ, start_response)


# RFC 9110 §9: methods are case-sensitive; a method not among these is not implemented (« get » is not GET)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"})


def request_line_problem(scope: Scope) -> tuple[int, str] | None:
    """What the server refuses before any route, as HTTP asks (granian parses leniently): a method it does not
    implement, lowercase ones included (501), an HTTP/1.1 request without ``Host`` (400, RFC 9112 §3.2). A line
    ended by a bare LF is accepted, as RFC 9112 §2.2 allows."""
    if scope["method"] not in METHODS:
        return 501, (f"the method {scope['method']!r} is not implemented: methods are case-sensitive "
                     "(GET, HEAD, POST, OPTIONS)")
    if scope.get("http_version") == "1.1" and not any(name == b"host" and value for name, value in scope["headers"]):
        return 400, "an HTTP/1.1 request must send a Host header (RFC 9112 §3.2)"  # granian fills in an empty one
    return None


def raise_again(refusal: HTTPException) -> NoReturn:
    raise refusal


def closing(send: Send) -> Send:
    """``send``, the answer's head saying ``Connection: close``."""
    async def send_closing(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message["headers"], (b"connection", b"close")]}
        await send(message)
    return send_closing


class BodyTimeout(Exception):
    """The request body did not arrive in time; the message names the setting."""


LATE_BODY = {"type": "http.disconnect", "late_body": True}


def body_deadline(receive: Receive, deadline: float) -> Receive:
    """``receive`` for one request, whose body must have arrived by ``deadline`` (loop time): past it, what comes
    is a disconnect marked ``late_body`` (a page's body ends there; ``read_body`` answers 408); once the body is
    whole, receive waits as long as it likes (for a disconnect)."""
    whole = False

    async def receive_in_time() -> dict[str, Any]:
        nonlocal whole
        if whole:
            return await receive()
        try:
            message = await asyncio.wait_for(receive(), max(deadline - asyncio.get_running_loop().time(), 0))
        except TimeoutError:
            whole = True
            return LATE_BODY
        if message["type"] != "http.request" or not message.get("more_body"):
            whole = True
        return message

    return receive_in_time


async def disconnected(receive: Receive) -> None:
    """Return once the client has gone (what else ``receive`` brings after the body is passed over)."""
    while (await receive())["type"] != "http.disconnect":
        continue


class FrontTestClient(FlaskClient):
    """Flask's test client, with the client port that ASGI needs to say who the client is, and whole responses
    (the front's WSGI adapter streams from the query engine's loop, which stops when the app is closed)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.environ_base["REMOTE_PORT"] = "50000"

    def open(self, *args: Any, buffered: bool = True, **kwargs: Any) -> TestResponse:
        return super().open(*args, buffered=buffered, **kwargs)


def install(app: Flask) -> Front:
    """Put the front before ``app``: its ``wsgi_app`` goes through the front, and the front is returned."""
    front = Front(app)
    app.extensions["front"] = front
    app.wsgi_app = front.wsgi
    app.test_client_class = FrontTestClient
    return front
