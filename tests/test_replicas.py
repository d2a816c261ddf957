"""Replicas behind a balancer: two `montagne-kg serve` instances behind Debian's nginx, with deploy/nginx.conf as it
is in the repository (only its ports changed). A replica killed under load, or a release rotated in replica by
replica, costs no request.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from montagne_kg.building.build import Assembled, write_build
from tests.conftest import ROOT, free_port, live_server
from tests.helpers import health, serve_master, serve_workers, serves_only

CONFIG = ROOT / "deploy" / "nginx.conf"
REQUESTS = 500
CARD = "SELECT ?p ?o WHERE { <https://w3id.org/montagne-kg/id/chambery> ?p ?o }"


def nginx_command() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        pytest.fail("Debian's nginx is not installed: run `make test`, which installs nginx-light")
    return found


@contextmanager
def balancer(replicas: list[str], tmp_path: Path) -> Iterator[str]:
    """nginx with deploy/nginx.conf in front of ``replicas`` (base URLs); yields the balancer's base URL."""
    port = free_port()
    text = CONFIG.read_text(encoding="utf-8").replace("listen 127.0.0.1:8000;", f"listen 127.0.0.1:{port};")
    for default, url in zip(("127.0.0.1:8001", "127.0.0.1:8002"), replicas, strict=True):
        assert f"server {default} " in text
        text = text.replace(f"server {default} ", f"server {urlsplit(url).netloc} ")
    prefix = tmp_path / "balancer"
    (prefix / "logs").mkdir(parents=True)
    (prefix / "tmp").mkdir()
    (prefix / "nginx.conf").write_text(text, encoding="utf-8")
    process = subprocess.Popen([nginx_command(), "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
                                "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{url}/-/health", trust_env=False).status_code == 200:
                    break
            except httpx.TransportError:
                if process.poll() is not None:
                    raise RuntimeError(f"nginx exited: {process.stderr.read().decode()}") from None
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stderr.close()


def load(url: str, count: int, halfway: Callable[[], None]) -> list[int]:
    """``count`` queries through the balancer from 8 keep-alive clients, each from a loopback address of its own
    (127.0.0.11, …: 8 clients to the replicas' per-client limit of 4, as nginx names them in X-Forwarded-For), ASK
    and an entity card, GET and POST; ``halfway`` runs once a third of them are answered. The statuses, in order."""
    done = threading.Semaphore(0)
    local = threading.local()
    clients: list[httpx.Client] = []
    lock = threading.Lock()

    def one(i: int) -> int:
        if not hasattr(local, "client"):
            with lock:
                address = f"127.0.0.{11 + len(clients)}"
                local.client = httpx.Client(trust_env=False, timeout=30,
                                            transport=httpx.HTTPTransport(local_address=address))
                clients.append(local.client)
        query = CARD if i % 2 else "ASK {}"
        try:
            if i % 3:
                response = local.client.get(f"{url}/sparql", params={"query": query})
            else:
                response = local.client.post(f"{url}/sparql", data={"query": query})
            return response.status_code
        except httpx.TransportError:
            return 0
        finally:
            done.release()

    def trigger() -> None:
        for _ in range(count // 3):
            done.acquire()
        halfway()

    watcher = threading.Thread(target=trigger)
    watcher.start()
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(one, range(count)))
    watcher.join()
    for client in clients:
        client.close()
    return statuses


def test_a_replica_killed_under_load_costs_no_request(build_dir: Path, tmp_path: Path) -> None:
    out = build_dir.parent
    flags = ("--workers", "1", "--trusted-proxies", "127.0.0.1")
    with ExitStack() as stack:
        replicas = [stack.enter_context(live_server(out, *flags)) for _ in range(2)]
        url = stack.enter_context(balancer(replicas, tmp_path))
        victim = serve_master(out, replicas[0])
        statuses = load(url, REQUESTS, lambda: os.kill(victim, signal.SIGKILL))
        assert len(statuses) == REQUESTS and set(statuses) == {200}, {s: statuses.count(s) for s in set(statuses)}
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{replicas[0]}/-/health", trust_env=False)  # it is gone: the other replica answered all


def test_a_release_rotated_in_replica_by_replica_costs_no_request(assembled: Assembled, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = write_build(assembled, out)
    flags = ("--workers", "1", "--trusted-proxies", "127.0.0.1", "--time-limit", "1")
    with ExitStack() as stack:
        replicas = [stack.enter_context(live_server(out, *flags)) for _ in range(2)]
        url = stack.enter_context(balancer(replicas, tmp_path))
        smaller = Assembled(assembled.base, {n: g for n, g in assembled.graphs.items() if "release/003" not in n})
        second = write_build(smaller, out)
        assert second != first

        def rotate() -> None:
            for replica in replicas:  # one at a time: the next once this one's old worker is gone
                os.kill(serve_master(out, replica), signal.SIGHUP)
                serves_only(replica, second.name)  # asserted for both below

        rotation = threading.Thread(target=rotate)
        statuses = load(url, 150, rotation.start)
        while rotation.is_alive():  # queries all through the rotation
            statuses += load(url, 150, lambda: None)
        rotation.join()
        assert len(statuses) >= REQUESTS
        assert set(statuses) == {200}, {s: statuses.count(s) for s in set(statuses)}
        assert [health(replica)["build"] for replica in replicas] == [second.name, second.name]


def test_a_worker_killed_under_load_costs_no_request_behind_the_balancer(build_dir: Path, tmp_path: Path) -> None:
    """A worker killed with SIGKILL loses the requests on its connections — nothing can drain a killed process —:
    behind the balancer they are retried on the other replica."""
    out = build_dir.parent
    flags = ("--workers", "2", "--trusted-proxies", "127.0.0.1")
    with ExitStack() as stack:
        replicas = [stack.enter_context(live_server(out, *flags)) for _ in range(2)]
        url = stack.enter_context(balancer(replicas, tmp_path))
        worker = serve_workers(serve_master(out, replicas[0]))[0]
        statuses = load(url, REQUESTS, lambda: os.kill(worker, signal.SIGKILL))
        assert len(statuses) == REQUESTS and set(statuses) == {200}, {s: statuses.count(s) for s in set(statuses)}
        assert httpx.get(f"{replicas[0]}/-/health", trust_env=False).status_code == 200  # a new worker took over
