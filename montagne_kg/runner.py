"""Queries run in a child process that is killed and replaced when a query exceeds the time limit."""

from __future__ import annotations

import multiprocessing
import os
import signal
import stat
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection

import pyoxigraph as ox

from montagne_kg.answers import Answer, QueryJob, execute, text_answer

StoreFactory = Callable[[], ox.Store]


def _close_inherited_sockets(keep: int) -> None:
    """Close every socket inherited from the web worker (its listening socket, the parent's pipe end) but ``keep``.

    Otherwise the query process would keep the server's port bound, and never see its parent go away.
    """
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd == keep:
            continue
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.close(fd)
        except OSError:
            continue


def _child(conn: Connection, open_store: StoreFactory) -> None:
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2,
                   signal.SIGWINCH, signal.SIGCHLD):
        signal.signal(signum, signal.SIG_DFL)  # not the web worker's handlers: TERM must end this process
    _close_inherited_sockets(keep=conn.fileno())
    store = open_store()
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        conn.send(execute(store, job))


class QueryRunner:
    """Owns one query process; ``run`` answers a job or gives 503 after ``time_limit`` seconds."""

    def __init__(self, open_store: StoreFactory, time_limit: float) -> None:
        self.open_store = open_store
        self.time_limit = time_limit
        self._lock = threading.Lock()
        self._context = multiprocessing.get_context("fork")
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None

    def _start(self) -> None:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_child, args=(child, self.open_store), daemon=True,
                                        name="montagne-kg-query")
        process.start()
        child.close()
        parent.recv()
        self._process, self._conn = process, parent

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join()
        if self._conn is not None:
            self._conn.close()
        self._process = self._conn = None

    def run(self, job: QueryJob) -> Answer:
        """Answer ``job`` in the query process, killing and replacing it if the time limit passes."""
        with self._lock:
            if self._process is None or not self._process.is_alive():
                self._start()
            assert self._conn is not None
            self._conn.send(job)
            if not self._conn.poll(self.time_limit):
                self._stop()
                return text_answer(503, f"Service Unavailable: query exceeded {self.time_limit:g} s "
                                        "(the time limit); it was stopped")
            try:
                return self._conn.recv()
            except EOFError:
                self._stop()
                return text_answer(503, "Service Unavailable: the query process ended unexpectedly; try again")

    def close(self) -> None:
        with self._lock:
            self._stop()
