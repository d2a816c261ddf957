"""The SERVICE relay: the one way out of a federated query process, to the allowed endpoints and nowhere else.

The SERVICE guard rewrites each allowed SERVICE IRI to ``http://127.0.0.1:<port>/<n>``, the relay's address for the
n-th allowed endpoint. A federated query process lives in a network namespace of its own (``sandbox``) where that
address is the only one it can reach: its connections are passed to the relay's Unix socket, and the relay, a process
of its own outside the namespace, sends the request on to endpoint n (its ``service_override`` URL where one is set).
The relay does the TLS, follows no redirect, and applies the query time limit and the response size limit. Where
federated queries are allowed to run unconfined, they call the same address on the host's loopback.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Mapping, Sequence
from multiprocessing.connection import Connection
from pathlib import Path

from montagne_kg.serving.supervision import Supervised, name_process

FORWARDED_HEADERS = ("Accept", "Content-Type", "User-Agent")
MAX_REQUEST_BYTES = 2 * 1024 * 1024  # a SERVICE call carries a query and perhaps a VALUES block of bindings
CHUNK = 64 * 1024


def relay_main(unix_path: str, port: int, upstreams: Sequence[str], time_limit: float, max_bytes: int,
               report: Connection) -> None:
    """Serve until the creating process closes its end of ``report`` (or dies)."""
    for signum in (signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)
    name_process("mkg-relay")
    asyncio.run(_serve(unix_path, port, tuple(upstreams), time_limit, max_bytes, report))


async def _serve(unix_path: str, port: int, upstreams: tuple[str, ...], time_limit: float, max_bytes: int,
                 report: Connection) -> None:
    import aiohttp  # in the relay's own process only: the server that starts it never loads aiohttp
    from aiohttp import web

    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=time_limit))

    async def forward(request: web.Request) -> web.Response:
        index = request.match_info["index"]
        if not index.isdigit() or int(index) >= len(upstreams):
            return web.Response(status=404, text="no allowed SERVICE endpoint at this address\n")
        url = upstreams[int(index)]
        if request.query_string:
            url += ("&" if "?" in url else "?") + request.query_string
        headers = {name: request.headers[name] for name in FORWARDED_HEADERS if name in request.headers}
        body = await request.read()
        try:
            async with session.request(request.method, url, data=body or None, headers=headers,
                                       allow_redirects=False) as answer:
                if 300 <= answer.status < 400:
                    return web.Response(status=502, text="the SERVICE endpoint redirected elsewhere: not followed\n")
                received = bytearray()
                async for chunk in answer.content.iter_chunked(CHUNK):
                    received += chunk
                    if len(received) > max_bytes:
                        return web.Response(status=502, text=f"the SERVICE endpoint's answer is over {max_bytes} "
                                                             "bytes (the response size limit)\n")
                content_type = answer.headers.get("Content-Type", "application/octet-stream")
                return web.Response(status=answer.status, body=bytes(received),
                                    headers={"Content-Type": content_type})
        except TimeoutError:
            return web.Response(status=504, text=f"the SERVICE endpoint did not answer within {time_limit:g} s\n")
        except aiohttp.ClientError as err:
            return web.Response(status=502, text=f"the SERVICE endpoint could not be reached: {err}\n")

    app = web.Application(client_max_size=MAX_REQUEST_BYTES)
    app.router.add_route("*", "/{index}", forward)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", port, reuse_address=True)
    await tcp.start()
    await web.UnixSite(runner, unix_path).start()
    bound = tcp._server.sockets[0].getsockname()[1]
    report.send(("ready", str(bound)))
    gone = asyncio.Event()
    asyncio.get_running_loop().add_reader(report.fileno(), gone.set)  # readable: the creator closed it, or died
    await gone.wait()
    await runner.cleanup()
    await session.close()


class Relay:
    """The creating side's handle: the relay process (started again if it dies) and its two addresses."""

    def __init__(self, directory: Path, allowed: Sequence[str], overrides: Mapping[str, str], time_limit: float,
                 max_bytes: int) -> None:
        self.socket_path = directory / "relay.sock"
        self.upstreams = tuple(overrides.get(iri, iri) for iri in allowed)
        self.port = 0  # chosen by the first start, kept by later ones

        def arguments() -> tuple:
            return str(self.socket_path), self.port, self.upstreams, time_limit, max_bytes

        self.helper = Supervised("SERVICE relay", relay_main, arguments,
                                 on_death=lambda: self.socket_path.unlink(missing_ok=True))
        self.helper.wait_ready()
        self.port = int(self.helper.details["ready"])

    @property
    def base(self) -> str:
        """The relay's address as the guard writes it into queries."""
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.helper.stop()
