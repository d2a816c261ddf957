"""Security headers on every answer (pages, machine twins, errors, SPARQL answers through the front), redirects that
never take the client's Host header, and the Plot style the policy allows by hash."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from montagne_kg.serving.security import PLOT_CLASS, PLOT_STYLE
from tests.conftest import ROOT, live_server

ROUTES = ["/", "/sparql", "/sparql?query=ASK%7B%7D", "/page/chambery", "/page/chambery?format=json", "/id/chambery",
          "/data/chambery.ttl", "/search?q=%3Cscript%3E", "/search/suggest?q=%3Cscript%3Ealert(1)",
          "/dumps/", "/ontology", "/class/Firm", "/page/release/000", "/-/settings", "/-/health",
          "/.well-known/void", "/static/style.css", "/no/such/page"]


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_every_answer_carries_the_security_headers(client: FlaskClient, path: str, accept: str) -> None:
    response = client.get(path, headers={"Accept": accept})
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    policy = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_a_search_term_echoed_as_json_is_never_sniffed(client: FlaskClient) -> None:
    response = client.get("/search/suggest?q=%3Chtml%3E%3Cscript%3Ealert(1)%3C/script%3E")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_merging_slashes_redirects_by_path_never_by_the_host_header(client: FlaskClient) -> None:
    response = client.get("/dumps//montagne-kg.ttl?x=1", headers={"Host": "evil.example"})
    assert response.status_code == 308
    assert response.headers["Location"] == "/dumps/montagne-kg.ttl?x=1"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_plot_style_allowed_by_hash_is_the_one_the_vendored_plot_inserts() -> None:
    plot = (ROOT / "montagne_kg" / "serving" / "static" / "vendor" / "plot.umd.min.js").read_text(encoding="utf-8")
    assert PLOT_CLASS in plot
    assert PLOT_STYLE.replace(PLOT_CLASS, "${c}").replace("\n", "\\n") in plot


@pytest.fixture(scope="module")
def server(build_dir: Path) -> Iterator[str]:
    with live_server(build_dir.parent) as url:
        yield url


def status_line(server: str, request: bytes) -> bytes:
    """The status line the server answers ``request`` (raw bytes, as a lenient or broken client sends them)."""
    host, port = server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while b"\n" not in answer:
            chunk = connection.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n", 1)[0]


@pytest.mark.parametrize(("request_bytes", "status"), [
    (b"get /-/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", b"HTTP/1.1 501 Not Implemented"),
    (b"get /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", b"HTTP/1.1 501 Not Implemented"),
    (b"GET /-/health HTTP/1.1\r\nConnection: close\r\n\r\n", b"HTTP/1.1 400 Bad Request"),
    (b"GET /-/health HTTP/1.0\r\n\r\n", b"HTTP/1.0 200 OK"),  # HTTP/1.0 needs no Host
    (b"GET /-/health HTTP/1.1\nHost: x\nConnection: close\n\n", b"HTTP/1.1 200 OK"),  # bare LF: RFC 9112 §2.2 allows
])
def test_what_the_server_accepts_of_a_request_line(server: str, request_bytes: bytes, status: bytes) -> None:
    assert status_line(server, request_bytes) == status
