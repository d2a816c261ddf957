"""A dead store process is replaced: the zygote (and the SERVICE relay) start again, their query processes end with
them, and the endpoint answers again — in process, and in the real server under load."""

from __future__ import annotations

import os
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from montagne_kg.serving import querypool
from montagne_kg.serving.answers import QueryJob
from montagne_kg.serving.embedded import EmbeddedProcesses
from montagne_kg.serving.querypool import QueryPool
from montagne_kg.serving.relay import Relay
from montagne_kg.serving.settings import Settings
from montagne_kg.serving.supervision import StartFailed, Supervised
from tests.conftest import live_server, until
from tests.helpers import alive, descendants, fetch, health, parent_of, serve_master

ASK = QueryJob(query="ASK {}", format="json")
PATIENCE = 60.0  # seconds to wait for what must happen "soon" (timed in bench/, never asserted)


def wait_until(condition: Callable[[], object]) -> bool:
    return until(condition, PATIENCE)


@pytest.fixture(params=["memory", "disk"])
def processes(request: pytest.FixtureRequest, build_dir: Path) -> Iterator[EmbeddedProcesses]:
    """The embedded engine's processes, with the store loaded into memory or opened on disk."""
    started = EmbeddedProcesses(build_dir, Settings(build_dir=build_dir.parent, store=request.param))
    started.wait_ready()
    yield started
    started.stop()


def test_a_killed_zygote_is_replaced_and_its_query_processes_end_with_it(processes: EmbeddedProcesses) -> None:
    """Memory mode loads the build again, disk mode reopens its store; no query process outlives the zygote."""
    pool = QueryPool(processes.zygote.socket_path, 5, 1024, 4, 4, 2)
    try:
        assert pool.run(ASK).status == 200
        local = pool.call(pool.spawn, querypool.LOCAL)
        zygote = processes.zygote.pid
        assert parent_of(local.pid) == zygote
        os.kill(zygote, signal.SIGKILL)
        assert wait_until(lambda: not alive(local.pid)), "a query process outlived its zygote"
        pool.loop.call_soon_threadsafe(local.kill)  # closes our end of its connection
        assert wait_until(lambda: processes.zygote.helper.restarts == 1 and processes.zygote.helper.state == "ready")
        assert processes.zygote.pid != zygote
        assert pool.run(ASK).status == 200
        assert pool.call(pool.check_ready)
    finally:
        pool.close()


def test_a_killed_relay_is_replaced_at_the_same_address(tmp_path: Path) -> None:
    relay = Relay(tmp_path, ("https://allowed.example/sparql",), {}, 5, 1000)
    try:
        port, first = relay.port, relay.helper.process.pid
        os.kill(first, signal.SIGKILL)
        assert wait_until(lambda: relay.helper.restarts == 1 and relay.helper.state == "ready")
        assert relay.helper.details["ready"] == str(port)
        assert fetch(f"{relay.base}/7")[0] == 404  # answered again (no such endpoint: only one is allowed)
    finally:
        relay.stop()


def quits() -> None:
    """A helper that ends before it is ever ready."""


def test_a_helper_that_never_got_ready_is_not_started_again() -> None:
    helper = Supervised("helper that quits", quits, tuple)
    with pytest.raises(StartFailed, match="ended while starting"):
        helper.wait_ready()
    assert helper.restarts == 0 and helper.state == "ended"


def test_the_server_answers_again_after_its_zygote_is_killed_under_load(build_dir: Path) -> None:
    """Three clients send ASK {} without pause (a fourth query checks readiness: the per-client limit is 4); the
    zygote is killed with SIGKILL. At most the queries in flight then may fail; its query processes end; health
    never says ready while queries fail; queries are answered again."""
    with live_server(build_dir.parent, "--workers", "2") as url:
        master = serve_master(build_dir.parent, url)
        assert wait_until(lambda: len(descendants(master, "mkg-zygote")) == 1)
        (zygote,) = descendants(master, "mkg-zygote")
        statuses: Counter = Counter()
        stop = threading.Event()

        def client() -> None:
            for _ in range(2000):
                if stop.is_set():
                    return
                statuses[fetch(f"{url}/sparql?query={quote('ASK {}')}")[0]] += 1

        clients = [threading.Thread(target=client) for _ in range(3)]
        for thread in clients:
            thread.start()
        assert wait_until(lambda: sum(statuses.values()) >= 50)
        query_processes = descendants(zygote, "mkg-query")
        assert query_processes
        os.kill(zygote, signal.SIGKILL)
        answered_before = statuses[200]
        try:
            assert wait_until(lambda: not any(alive(pid) for pid in query_processes)), \
                "query processes outlived their zygote"
            assert wait_until(lambda: descendants(master, "mkg-zygote") - {zygote})
            for _ in range(40):
                if health(url)["ready"]:
                    assert fetch(f"{url}/sparql?query={quote('ASK {}')}")[0] == 200
            assert wait_until(lambda: statuses[200] > answered_before + 50)
        finally:
            stop.set()
            for thread in clients:
                thread.join()
        failed = sum(count for status, count in statuses.items() if status != 200)
        assert failed <= len(clients), statuses
