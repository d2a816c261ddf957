"""No client can take the service away: a query whose client has gone is ended, a body that does not come is timed
out (the real server, raw sockets)."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from urllib.parse import quote

from tests.conftest import live_server, until
from tests.helpers import alive, descendants, serve_master, slow_query

PATIENCE = 30.0  # generous: what must happen "soon" (timed in bench/), well under the time limit below


def connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=30)


def cpu_ticks(pid: int) -> int:
    """User and system time a process has used (clock ticks, from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def busy_query_process(zygote: int) -> int | None:
    """The query process of ``zygote`` that is using the CPU now, if one is."""
    for pid in descendants(zygote, "mkg-query"):
        try:
            first = cpu_ticks(pid)
            time.sleep(0.2)
            if cpu_ticks(pid) > first:
                return pid
        except FileNotFoundError:
            continue
    return None


def test_a_query_whose_client_has_gone_is_ended(build_dir: Path) -> None:
    """A slow query's client closes its connection: the query process is killed long before the time limit."""
    with live_server(build_dir.parent, "--time-limit", "120", "--workers", "1") as url:
        (zygote,) = descendants(serve_master(build_dir.parent, url), "mkg-zygote")
        client = connect(url)
        client.sendall(f"GET /sparql?query={quote(slow_query())} HTTP/1.1\r\nHost: x\r\n"
                       "Accept: application/sparql-results+json\r\n\r\n".encode())
        running = None

        def found() -> bool:
            nonlocal running
            running = busy_query_process(zygote)
            return running is not None

        assert until(found, PATIENCE), "the slow query never ran"
        client.close()
        assert until(lambda: not alive(running), PATIENCE), "the query of a client that left ran on"


def test_a_body_that_does_not_come_in_time_is_a_408(build_dir: Path) -> None:
    with live_server(build_dir.parent, "--body-timeout", "1") as url:
        client = connect(url)
        client.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                       b"Content-Length: 100\r\n\r\nASK {")
        answer = client.recv(4096).decode("latin-1")
        client.close()
        assert answer.startswith("HTTP/1.1 408 "), answer
        assert "body_timeout" in answer
