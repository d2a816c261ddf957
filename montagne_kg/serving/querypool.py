"""Query processes: forked from a zygote that holds the loaded store, each query under a time and a memory limit.

The zygote is a fresh process (spawned, so it never inherits a web server's threads) that loads the build once and
then forks one query process per connection on its Unix socket. A query process answers jobs on that connection
until it is closed; local ones first install the no-network filter (``sandbox``), federated ones keep the network.
Killing a query process (time or memory limit) costs a fork, not a reload, and the zygote reaps it.

The pool in each web worker keeps idle query processes, starts more on demand up to ``max_queries`` busy at once,
counts queries per client (429 past ``per_client``) and bounds the wait for a free process (503 past ``queue_wait``).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import select
import selectors
import shutil
import signal
import socket
import struct
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from montagne_kg.layout import DISK_STORE
from montagne_kg.serving import sandbox
from montagne_kg.serving.answers import Answer, QueryJob, execute, text_answer
from montagne_kg.serving.store import load_store, open_disk_store, prepare_disk_store

LOCAL = b"L"
FEDERATED = b"F"
SOCKET_NAME = "zygote.sock"
POLL_SECONDS = 0.05  # how often the memory of a running query is looked at
SPAWN_SECONDS = 60.0  # a disk store can take a while to open
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
FIRST_READ = 256 * 1024  # most answers arrive whole in one read


class Channel:
    """Length-prefixed pickles over a connected Unix socket: one write per message, one read for most.

    Fewer system calls than ``multiprocessing.Connection`` (which reads a header, then the body): each one releases
    the GIL, and in a web worker full of threads every release can cost a context switch.
    """

    SIZE = struct.Struct("!Q")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def fileno(self) -> int:
        return self.sock.fileno()

    def send(self, message: object) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self.sock.sendall(self.SIZE.pack(len(data)) + data)

    def recv(self) -> object:
        """The next message; EOFError when the other end has closed."""
        received = self.sock.recv(FIRST_READ)
        while len(received) < self.SIZE.size:
            more = self.sock.recv(FIRST_READ)
            if not more:
                raise EOFError
            received += more
        end = self.SIZE.size + self.SIZE.unpack_from(received)[0]
        if len(received) < end:
            whole = bytearray(end)
            whole[: len(received)] = received
            view, filled = memoryview(whole), len(received)
            while filled < end:
                got = self.sock.recv_into(view[filled:])
                if not got:
                    raise EOFError
                filled += got
            received = whole
        return pickle.loads(memoryview(received)[self.SIZE.size:end])

    def close(self) -> None:
        self.sock.close()


class ZygoteFailed(RuntimeError):
    """The zygote could not start (no build, no sandbox where one is required); the message says why."""


def _query_process(conn: socket.socket, store: ox.Store | None, build: Path, kind: bytes, sandboxed: bool) -> None:
    """Body of a forked query process: filter the network (local queries), then answer jobs until EOF."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    keep = conn.fileno()
    os.closerange(3, keep)  # the zygote's files (its socket, and the pipe its parent waits on to see it exit)
    os.closerange(keep + 1, os.sysconf("SC_OPEN_MAX"))
    if kind == LOCAL and sandboxed:
        sandbox.forbid_network()
    if store is None:
        store = open_disk_store(build / DISK_STORE)  # prepared by the zygote before it reported ready
    channel = Channel(conn)
    channel.send(os.getpid())
    while True:
        try:
            job = channel.recv()
            channel.send(execute(store, job))
        except (EOFError, OSError):
            return


def zygote_main(socket_path: str, build: str, store_kind: str, sandboxed: bool, report: Connection) -> None:
    """Load the build, then fork a query process for each connection; exit when the creating process goes away."""
    for signum in (signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)  # the server's signals are for the server, not for the store holder
    if sandboxed:
        try:
            sandbox.check_available()
        except sandbox.SandboxUnavailable as err:
            report.send(("failed", f"{err}; set allow_unsandboxed (--allow-unsandboxed true) to serve anyway, "
                                   "only where every user is trusted"))
            return
    report.send(("checked", ""))
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # query processes are reaped by the kernel
    build_dir = Path(build)
    store = load_store(build_dir) if store_kind == "memory" else None
    if store is None:
        prepare_disk_store(build_dir)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    partial = f"{socket_path}.{os.getpid()}"
    listener.bind(partial)
    listener.listen(128)
    os.replace(partial, socket_path)  # the socket appears only once queries can be answered
    report.send(("ready", ""))
    events = selectors.DefaultSelector()
    events.register(listener, selectors.EVENT_READ)
    events.register(report, selectors.EVENT_READ)
    while True:
        for key, _ in events.select():
            if key.fileobj is report:
                return  # the creating process closed its end or died
            conn, _ = listener.accept()
            kind = conn.recv(1)
            if kind not in (LOCAL, FEDERATED):
                conn.close()
                continue
            if os.fork() == 0:
                try:
                    _query_process(conn, store, build_dir, kind, sandboxed)
                finally:
                    os._exit(0)
            conn.close()


class Zygote:
    """The creating side's handle on a zygote: its socket path, started for one build, stopped when retired."""

    def __init__(self, build: Path, store_kind: str, sandboxed: bool) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="montagne-kg-"))
        self.socket_path = self.directory / SOCKET_NAME
        context = multiprocessing.get_context("spawn")
        self._report, child_end = context.Pipe()
        self.process = context.Process(target=zygote_main, name="montagne-kg-zygote", daemon=True,
                                       args=(str(self.socket_path), str(build), store_kind, sandboxed, child_end))
        self.process.start()
        child_end.close()
        self._reported = ""

    def _expect(self, expected: str) -> None:
        """Read the zygote's reports ("checked", then "ready") until ``expected`` has come."""
        while self._reported != expected:
            try:
                status, message = self._report.recv()
            except EOFError:
                raise ZygoteFailed("the query zygote ended while loading the build") from None
            if status == "failed":
                raise ZygoteFailed(message)
            self._reported = status

    def wait_checked(self) -> None:
        """Block until the zygote has checked its sandbox (before loading); ZygoteFailed with the reason if not."""
        self._expect("checked")

    def wait_ready(self) -> None:
        """Block until the store is loaded; ZygoteFailed with the reason if the zygote gave up or died."""
        self._expect("checked")
        self._expect("ready")

    def stop(self) -> None:
        self._report.close()
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        shutil.rmtree(self.directory, ignore_errors=True)


def resident_bytes(pid: int) -> int:
    """Resident memory of a process, from /proc (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * PAGE_SIZE
    except (OSError, IndexError):
        return 0


@dataclass
class QueryProcess:
    """One query process as its pool sees it."""

    kind: bytes
    pid: int
    channel: Channel
    baseline: int  # resident bytes when it started: the store, shared with the zygote
    readable: select.poll = field(default_factory=select.poll)  # registered once: cheaper than Connection.poll

    def __post_init__(self) -> None:
        self.readable.register(self.channel.fileno(), select.POLLIN)

    def answered_within(self, seconds: float) -> bool:
        """Whether the process has something to say (an answer, or EOF) within ``seconds``."""
        return bool(self.readable.poll(seconds * 1000))

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.channel.close()


class ProcessDied(Exception):
    """A query process ended before answering (killed, or crashed)."""


class PoolBusy(Exception):
    """No answer for this client now: too many of its queries in flight (429), or no free process (503)."""

    def __init__(self, status: int, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class QueryPool:
    """One web worker's query processes: thread-safe, bounded, with per-client counts."""

    def __init__(self, socket_path: Path, time_limit: float, memory_limit: int, max_queries: int,
                 per_client: int, queue_wait: float) -> None:
        self.socket_path = socket_path
        self.time_limit = time_limit
        self.memory_limit = memory_limit
        self.max_queries = max_queries
        self.per_client = per_client
        self.queue_wait = queue_wait
        self._idle: dict[bytes, list[QueryProcess]] = {LOCAL: [], FEDERATED: []}
        self._busy = 0
        self._clients: Counter[str] = Counter()
        self._free = threading.Condition()

    def _spawn(self, kind: bytes) -> QueryProcess:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.connect(str(self.socket_path))
            conn.sendall(kind)
        except OSError:
            conn.close()
            raise
        channel = Channel(conn)
        if not select.select([conn], [], [], SPAWN_SECONDS)[0]:
            channel.close()
            raise OSError("the query process did not start")
        pid = channel.recv()
        return QueryProcess(kind, pid, channel, resident_bytes(pid))

    def ready(self) -> bool:
        """Whether a local query can be answered now (a process is idle, or one could be started)."""
        with self._free:
            if self._idle[LOCAL]:
                return True
        try:
            process = self._spawn(LOCAL)
        except (OSError, EOFError):
            return False
        with self._free:
            self._idle[LOCAL].append(process)
        return True

    def _acquire(self, kind: bytes, client: str | None) -> QueryProcess | None:
        """An idle process of ``kind`` (None: start one); PoolBusy if the client or the pool is at its limit."""
        with self._free:
            if client is not None and self._clients[client] >= self.per_client:
                raise PoolBusy(429, f"{self.per_client} queries of this client are already "
                                    "running; wait for one to finish", retry_after=1)
            deadline = time.monotonic() + self.queue_wait
            while self._busy >= self.max_queries:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._free.wait(remaining):
                    raise PoolBusy(503, f"all {self.max_queries} query processes stayed busy "
                                        f"for {self.queue_wait:g} s; try again shortly", retry_after=2)
            self._busy += 1
            if client is not None:
                self._clients[client] += 1
            idle = self._idle[kind]
            return idle.pop() if idle else None  # one that died while idle fails its job, which runs once more

    def _release(self, process: QueryProcess | None, client: str | None) -> None:
        with self._free:
            self._busy -= 1
            if client is not None:
                self._clients[client] -= 1
                if not self._clients[client]:
                    del self._clients[client]
            if process is not None:
                self._idle[process.kind].append(process)
            self._free.notify()

    def run(self, job: QueryJob, client: str | None = None) -> Answer:
        """Answer ``job`` in a query process; 503 when a limit stops it; PoolBusy when it cannot start now.

        A process taken from the idle list may have been killed since (by an operator, or the OOM killer) without
        its end of the connection showing it yet: if it dies on this job, the job runs once more in a fresh one.
        """
        kind = FEDERATED if job.federated else LOCAL
        process = self._acquire(kind, client)
        keep = None
        try:
            for attempt in ("reused", "fresh") if process is not None else ("fresh",):
                if attempt == "fresh":
                    try:
                        process = self._spawn(kind)
                    except (OSError, EOFError):
                        return text_answer(503, "the query processes are not ready (the build is still loading, "
                                                "or the server is restarting); try again shortly")
                try:
                    answer, alive = self._answer(process, job)
                except ProcessDied:
                    continue
                if alive:
                    keep = process
                return answer
            return text_answer(503, "the query process ended unexpectedly; try again")
        finally:
            self._release(keep, client)

    def _answer(self, process: QueryProcess, job: QueryJob) -> tuple[Answer, bool]:
        """The answer and whether the process lives on (a limit kills it); ProcessDied if it died first."""
        try:
            process.channel.send(job)
            deadline = time.monotonic() + self.time_limit
            limit = process.baseline + self.memory_limit * 1024 * 1024
            while not process.answered_within(min(POLL_SECONDS, max(0.0, deadline - time.monotonic()))):
                if time.monotonic() >= deadline:
                    process.kill()
                    return text_answer(503, f"query exceeded {self.time_limit:g} s (the time limit); "
                                            "it was stopped"), False
                if resident_bytes(process.pid) > limit:
                    process.kill()
                    return text_answer(503, f"query exceeded {self.memory_limit} MB of memory (the memory "
                                            "limit); it was stopped"), False
            return process.channel.recv(), True
        except (EOFError, OSError):
            process.kill()
            raise ProcessDied from None

    def close(self) -> None:
        with self._free:
            for processes in self._idle.values():
                for process in processes:
                    process.kill()
                processes.clear()
