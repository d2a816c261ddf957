"""Who a request counts against, the pages' own per-client allowance, and running a page's query.

User SPARQL queries count against ``per_client``; pages that search or list (search, suggestions, class pages, the
home page's counts) count against ``per_client_pages``, a separate and larger allowance, as whole requests; lookups
by IRI (entity pages, ``/id/`` redirects, ``/data/`` documents, link and graph records) are bounded by construction
and count against neither. Every query still takes one of the gate's slots (``max_queries``, ``queue_wait``).
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from flask import request
from werkzeug.wrappers import Request

from montagne_kg.serving.answers import Answer, QueryJob
from montagne_kg.serving.errors import refuse
from montagne_kg.serving.gate import PoolBusy, QueryGate
from montagne_kg.serving.knowledge_graph import get_kg

P = ParamSpec("P")
R = TypeVar("R")


def client_address(request: Request, trusted: tuple[str, ...]) -> str:
    """Who a request counts against: the connection's address, or the client a trusted proxy names.

    X-Forwarded-For is read from the right, skipping trusted proxies; the first other address is the client.
    """
    address = request.remote_addr or ""
    if address not in trusted:
        return address
    forwarded = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
    for hop in reversed(forwarded):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return address  # a malformed header: count the proxy itself rather than believe it
        if hop not in trusted:
            return hop
    return address


def counted_as_page(view: Callable[P, R]) -> Callable[P, R]:
    """A view that searches or lists: counted against the client's pages allowance on the whole server (429 past
    it)."""
    @functools.wraps(view)
    def counted(*args: P.args, **kwargs: P.kwargs) -> R:
        kg = get_kg()
        client = client_address(request, kg.settings.trusted_proxies)
        if not kg.engine.counts.take(client, "pages", kg.settings.per_client_pages):
            refuse(429, f"{kg.settings.per_client_pages} searches or listings of this client are already being "
                        "made (per_client_pages); wait for one to finish", [("Retry-After", "1")])
        try:
            return view(*args, **kwargs)
        finally:
            kg.engine.counts.give(client, "pages")
    return counted


def run_for_page(engine: QueryGate, job: QueryJob) -> Answer:
    """``job``'s answer for a page (from a thread): it takes a query slot, but not the client's query allowance
    (the page itself is counted, or is a lookup by IRI); 503 with Retry-After when no slot frees up in time."""
    try:
        answer = engine.run(job)
    except PoolBusy as busy:
        return busy.answer()
    engine.release(answer)  # a page answer is small (capped rows), read at once by the page
    return answer
