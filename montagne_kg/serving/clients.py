"""Who a request counts against, and running a query on a client's account (per-client limit, queue bound)."""

from __future__ import annotations

import ipaddress

from flask import request
from werkzeug.wrappers import Request

from montagne_kg.serving.answers import Answer, QueryJob
from montagne_kg.serving.gate import PoolBusy, QueryGate
from montagne_kg.serving.knowledge_graph import get_kg


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


def run_for_client(engine: QueryGate, job: QueryJob) -> Answer:
    """``job``'s answer, counted against the requesting client (from a thread: the pages); 429/503 with Retry-After
    when it cannot run now."""
    try:
        return engine.run(job, client_address(request, get_kg().settings.trusted_proxies))
    except PoolBusy as busy:
        return busy.answer()
