"""One count per server: what a client holds is counted across workers, and a worker that is gone leaves nothing
counted."""

from __future__ import annotations

import os
import sys
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from flask import Flask

from montagne_kg.serving import create_app
from montagne_kg.serving.admission import ServerCounts
from montagne_kg.serving.settings import Settings
from tests.conftest import live_server
from tests.helpers import fetch, slow_query


def test_a_client_is_counted_across_workers(tmp_path: Path) -> None:
    one, other = ServerCounts(tmp_path / "counts", 4), ServerCounts(tmp_path / "counts", 4)  # two regions
    try:
        assert one.take("10.0.0.1", "queries", 2) and other.take("10.0.0.1", "queries", 2)
        assert not one.take("10.0.0.1", "queries", 2) and not other.take("10.0.0.1", "queries", 2)
        assert one.take("10.0.0.2", "queries", 2)  # another client
        assert one.take("10.0.0.1", "pages", 1)  # another allowance
        assert one.held("10.0.0.1", "queries") == 2 and other.held("10.0.0.1", "pages") == 1
        other.give("10.0.0.1", "queries")
        assert one.take("10.0.0.1", "queries", 2)
    finally:
        one.close()
        other.close()


def test_what_a_dead_worker_held_is_not_counted_once_its_region_is_claimed(tmp_path: Path) -> None:
    path = tmp_path / "counts"
    pid = os.fork()
    if pid == 0:  # a worker that takes two queries of a client and dies without giving them back
        counts = ServerCounts(path, 2)
        counts.take("10.0.0.1", "queries", 2)
        counts.take("10.0.0.1", "queries", 2)
        os._exit(0)
    os.waitpid(pid, 0)
    survivor, replacement = ServerCounts(path, 2), ServerCounts(path, 2)
    try:
        assert survivor.take("10.0.0.2", "queries", 2)  # claims the free region
        assert replacement.take("10.0.0.1", "queries", 2)  # claims the dead worker's region, cleared
        assert survivor.held("10.0.0.1", "queries") == 1
    finally:
        survivor.close()
        replacement.close()


def test_answer_bytes_are_bounded_server_wide(tmp_path: Path) -> None:
    one, other = ServerCounts(tmp_path / "counts", 2), ServerCounts(tmp_path / "counts", 2)
    try:
        assert one.reserve_bytes(600, 1000)
        assert not other.reserve_bytes(500, 1000)
        one.release_bytes(600)
        assert other.reserve_bytes(500, 1000)
    finally:
        one.close()
        other.close()


def test_the_per_client_limit_holds_across_the_servers_workers(build_dir: Path) -> None:
    """Two workers, per_client 2: of six slow queries one client sends at once, two run (stopped at the time limit,
    503) and four are refused (429), whichever worker each reaches; another client is answered meanwhile."""
    flags = ("--workers", "2", "--per-client", "2", "--time-limit", "3", "--trusted-proxies", "127.0.0.1")
    with live_server(build_dir.parent, *flags) as url:
        statuses: Counter = Counter()
        client = {"X-Forwarded-For": "10.0.0.1"}

        def send() -> None:
            statuses[fetch(f"{url}/sparql?query={quote(slow_query())}", headers=client)[0]] += 1

        senders = [threading.Thread(target=send) for _ in range(6)]
        for sender in senders:
            sender.start()
        other = fetch(f"{url}/sparql?query={quote('ASK {}')}", headers={"X-Forwarded-For": "10.0.0.2"})[0]
        for sender in senders:
            sender.join()
        assert statuses == Counter({429: 4, 503: 2}), statuses
        assert other == 200


def test_an_answer_past_the_servers_answer_bytes_is_refused_before_it_is_read(build_dir: Path) -> None:
    """max_answer_bytes 20 000: a large answer is a 503 naming the setting (its process killed, never read); small
    ones are answered; once answers are sent, no byte stays counted (pages count too: their label index alone is
    over this bound, so they are left out here)."""
    app = create_app({"SETTINGS": Settings(build_dir=build_dir.parent, max_answer_bytes=20000)})
    try:
        client, engine = app.test_client(), app.extensions["kg"].engine
        large = client.get(f"/sparql?query={quote('SELECT * { ?s ?p ?o } LIMIT 1000')}")
        assert large.status_code == 503 and b"(max_answer_bytes)" in large.data
        assert large.headers["Retry-After"] == "2"
        for _ in range(3):
            assert client.get(f"/sparql?query={quote('ASK {}')}").status_code == 200
        assert engine.counts.held_bytes() == 0
    finally:
        app.extensions["kg"].close()


def test_a_pages_answers_are_released_once_read(app: Flask) -> None:
    assert app.test_client().get("/page/chambery", headers={"Accept": "text/html"}).status_code == 200
    assert app.test_client().get("/search?q=chambery").status_code == 200
    assert app.extensions["kg"].engine.counts.held_bytes() == 0


def test_a_workers_threads_count_without_losing_a_count(tmp_path: Path) -> None:
    """The pages run in threads: 8 threads × 500 takes of one client count 4 000, not fewer (an update lost between
    two threads would show here), and as many gives bring it back to 0."""
    counts = ServerCounts(tmp_path / "counts", 2)

    def churn(step: Callable[[], object]) -> None:
        for _ in range(500):
            step()

    def run_threads(step: Callable[[], object]) -> None:
        threads = [threading.Thread(target=churn, args=(step,)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    switching = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch as often as they can: a read-modify-write left unlocked shows
    try:
        run_threads(lambda: counts.take("10.0.0.1", "pages", 10_000))
        assert counts.held("10.0.0.1", "pages") == 4000
        run_threads(lambda: counts.give("10.0.0.1", "pages"))
        assert counts.held("10.0.0.1", "pages") == 0
    finally:
        sys.setswitchinterval(switching)
        counts.close()


def test_clients_that_hold_nothing_leave_the_table(tmp_path: Path) -> None:
    """A public endpoint sees many more clients than a table has slots: 3 000 clients that came and went leave room,
    and a new client's limit still holds (a table that kept them would stop counting anybody new)."""
    counts = ServerCounts(tmp_path / "counts", 1)
    try:
        for n in range(3000):
            client = f"10.{n // 65536}.{n // 256 % 256}.{n % 256}"
            assert counts.take(client, "queries", 2)
            counts.give(client, "queries")
        assert counts.take("192.0.2.1", "queries", 2) and counts.take("192.0.2.1", "queries", 2)
        assert not counts.take("192.0.2.1", "queries", 2)
    finally:
        counts.close()


def test_a_client_leaving_the_table_never_hides_another(tmp_path: Path) -> None:
    """300 clients share probe runs; half of them leave in an order unlike their arrival: every one that stays is
    still found with its count, every one that left holds nothing."""
    counts = ServerCounts(tmp_path / "counts", 1)
    clients = [f"198.51.{n // 256}.{n % 256}" for n in range(300)]
    try:
        for client in clients:
            assert counts.take(client, "pages", 5)
        leaving = set(clients[::-2])
        for client in sorted(leaving):
            counts.give(client, "pages")
        assert [counts.held(c, "pages") for c in clients] == [0 if c in leaving else 1 for c in clients]
    finally:
        counts.close()
