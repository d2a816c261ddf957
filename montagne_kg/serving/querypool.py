"""Query processes: forked from a zygote that holds the loaded store, each query under a time and a memory limit.

The zygote is a fresh process (spawned, so it never inherits a web server's threads) that loads the build once and
then forks one query process per connection on its Unix socket; it is started again if it dies (``supervision``),
and its query processes die with it. A query process answers jobs on that connection until it is closed; local ones
first install the no-network filter, federated ones are confined to the SERVICE relay (``sandbox``). Killing a query
process (time or memory limit) costs a fork, not a reload, and the zygote reaps it.

The pool in each web worker keeps idle query processes, starts more on demand up to ``max_queries`` busy at once,
counts queries per client (429 past ``per_client``) and bounds the wait for a free process (503 past ``queue_wait``).
It lives on the worker's event loop: a query in flight is a coroutine awaiting its process, never a parked thread.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import pickle
import selectors
import signal
import socket
import struct
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from montagne_kg.layout import DISK_STORE
from montagne_kg.serving import sandbox
from montagne_kg.serving.admission import ServerCounts
from montagne_kg.serving.answers import Answer, QueryJob, execute, text_answer
from montagne_kg.serving.gate import QueryGate
from montagne_kg.serving.store import load_store, open_disk_store, prepare_disk_store
from montagne_kg.serving.supervision import Supervised, end_with_parent, name_process

LOCAL = b"L"
FEDERATED = b"F"
SOCKET_NAME = "zygote.sock"
POLL_SECONDS = 0.05  # how often the memory of a running query is looked at
SPAWN_SECONDS = 60.0  # a disk store can take a while to open
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
FIRST_READ = 256 * 1024  # most answers arrive whole in one read
# Oxigraph parses and evaluates recursively: with the usual 8 MiB stack, 9 472 `!` crash a query process. Jobs run
# on a thread with this stack (address space: only the pages a query touches are resident, and they count against
# the memory limit), where the first form to crash needs 303 111 terms (bench/query_size.py); max_terms is half.
QUERY_STACK_BYTES = 256 * 1024 * 1024


class Channel:
    """A query process's end of its connection: length-prefixed pickles, one write per message, one read for most
    (fewer system calls than ``multiprocessing.Connection``). The pool's end reads and writes the same framing on
    its event loop (``read_size`` and ``read_body``, or ``read_message``; ``framed``).
    """

    SIZE = struct.Struct("!Q")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

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


@dataclass(frozen=True)
class Federation:
    """How the zygote starts federated query processes: confined (``namespace``) with the relay as their only
    address, or unconfined where that is allowed; ``relay_socket`` is empty when federation is off."""

    confinement: str = "namespace"  # what the settings ask for: namespace or none
    allow_unconfined: bool = False
    relay_socket: str = ""
    relay_port: int = 0


def _query_process(conn: socket.socket, store: ox.Store | None, build: Path, kind: bytes, sandboxed: bool,
                   federation: Federation, confinement: str) -> None:
    """Body of a forked query process: keep it off the network (local) or confine it to the relay (federated),
    then answer jobs until EOF, on a thread whose stack is large enough for what the size limits let through."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    name_process("mkg-query")
    keep = conn.fileno()
    os.closerange(3, keep)  # the zygote's files (its socket, and the pipe its parent waits on to see it exit)
    os.closerange(keep + 1, os.sysconf("SC_OPEN_MAX"))
    if store is None:
        store = open_disk_store(build / DISK_STORE)  # prepared by the zygote before it reported ready
    if kind == LOCAL and sandboxed:
        sandbox.forbid_network()
    elif kind == FEDERATED and confinement == "namespace":
        sandbox.confine_to_relay(federation.relay_socket, federation.relay_port)
    channel = Channel(conn)
    channel.send(os.getpid())
    threading.stack_size(QUERY_STACK_BYTES)
    answering = threading.Thread(target=_answer_jobs, args=(channel, store), name="query")
    answering.start()
    answering.join()


def _answer_jobs(channel: Channel, store: ox.Store) -> None:
    while True:
        try:
            job = channel.recv()
            channel.send(execute(store, job))
        except (EOFError, OSError):
            return


def zygote_main(socket_path: str, build: str, store_kind: str, sandboxed: bool, federation: Federation,
                report: Connection) -> None:
    """Load the build, then fork a query process for each connection; exit when the creating process goes away.

    Reports ``checked`` with the confinement in force for federated queries (namespace or none), then ``ready``.
    """
    for signum in (signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)  # the server's signals are for the server, not for the store holder
    name_process("mkg-zygote")
    if sandboxed:
        try:
            sandbox.check_available()
        except sandbox.SandboxUnavailable as err:
            report.send(("failed", f"{err}; set allow_unsandboxed (--allow-unsandboxed true) to serve anyway, "
                                   "only where every user is trusted"))
            return
    confinement = sandbox.confinement_in_force(federation.confinement)
    report.send(("checked", confinement))
    may_federate = bool(federation.relay_socket) and (confinement == "namespace" or federation.allow_unconfined)
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
    zygote = os.getpid()
    events = selectors.DefaultSelector()
    events.register(listener, selectors.EVENT_READ)
    events.register(report, selectors.EVENT_READ)
    while True:
        for key, _ in events.select():
            if key.fileobj is report:
                return  # the creating process closed its end or died
            conn, _ = listener.accept()
            kind = conn.recv(1)
            if kind not in (LOCAL, FEDERATED) or (kind == FEDERATED and not may_federate):
                conn.close()
                continue
            if os.fork() == 0:
                try:
                    end_with_parent(zygote)  # no query process outlives its zygote
                    _query_process(conn, store, build_dir, kind, sandboxed, federation, confinement)
                finally:
                    os._exit(0)
            conn.close()


class Zygote:
    """The creating side's handle on a zygote: its socket path, started for one build (and started again, at the
    same path, if it dies), stopped when retired."""

    def __init__(self, build: Path, store_kind: str, sandboxed: bool, federation: Federation,
                 directory: Path) -> None:
        self.socket_path = directory / SOCKET_NAME

        def arguments() -> tuple:
            return str(self.socket_path), str(build), store_kind, sandboxed, federation

        self.helper = Supervised("query zygote", zygote_main, arguments,
                                 on_death=lambda: self.socket_path.unlink(missing_ok=True))

    @property
    def pid(self) -> int:
        """The process id of the zygote running now."""
        return self.helper.process.pid

    @property
    def confinement(self) -> str:
        """The confinement of federated query processes in force (known once checked): namespace or none."""
        self.helper.wait_checked()
        return self.helper.details["checked"]

    def wait_checked(self) -> None:
        """Block until the zygote has checked its sandbox (before loading); StartFailed with the reason if not."""
        self.helper.wait_checked()

    def wait_ready(self) -> None:
        """Block until the store is loaded; StartFailed with the reason if the zygote gave up or died."""
        self.helper.wait_ready()

    def stop(self) -> None:
        self.helper.stop()


def resident_bytes(pid: int) -> int:
    """Resident memory of a process, from /proc (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * PAGE_SIZE
    except (OSError, IndexError):
        return 0


async def read_size(reader: asyncio.StreamReader) -> int:
    """The size of the next message from a query process (``Channel``'s framing); EOFError once it has closed."""
    try:
        return Channel.SIZE.unpack(await reader.readexactly(Channel.SIZE.size))[0]
    except (asyncio.IncompleteReadError, ConnectionError) as err:
        raise EOFError from err


async def read_body(reader: asyncio.StreamReader, size: int) -> object:
    """The message of ``size`` bytes that follows its size; EOFError once the process has closed."""
    try:
        return pickle.loads(await reader.readexactly(size))
    except (asyncio.IncompleteReadError, ConnectionError) as err:
        raise EOFError from err


async def read_message(reader: asyncio.StreamReader) -> object:
    """The next length-prefixed pickle from a query process; EOFError once it has closed."""
    return await read_body(reader, await read_size(reader))


def framed(message: object) -> bytes:
    """``message`` as ``Channel`` sends it."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return Channel.SIZE.pack(len(data)) + data


@dataclass(eq=False)
class QueryProcess:
    """One query process as its pool sees it: its connection, its baseline memory, and the limits of its job."""

    kind: bytes
    pid: int
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    baseline: int  # resident bytes when it started: the store, shared with the zygote
    deadline: float = 0.0  # event-loop time by which the running job must be answered
    memory_cap: int = 0  # resident bytes past which the running job is stopped
    stopped_for: str | None = None  # why the watchdog killed it

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.writer.close()

    def stop(self, reason: str) -> None:
        """Kill it for a limit: the job waiting on it is answered 503 with ``reason``."""
        self.stopped_for = reason
        self.kill()


class ProcessDied(Exception):
    """A query process ended before answering (killed, or crashed)."""


class QueryPool(QueryGate):
    """One web worker's query processes, driven from its event loop: bounded, with per-client counts.

    A waiting query holds no thread: it awaits its process's answer on the loop, and one watchdog task stops the
    processes that pass their time or memory limit.
    """

    def __init__(self, socket_path: Path, time_limit: float, memory_limit: int, max_queries: int,
                 per_client: int, queue_wait: float, counts: ServerCounts | None = None,
                 client_share: float = 1.0, max_answer_bytes: int = 2**62) -> None:
        super().__init__(max_queries, per_client, queue_wait, counts, client_share, max_answer_bytes)
        self.description = "embedded"
        self.socket_path = socket_path
        self.time_limit = time_limit
        self.memory_limit = memory_limit
        self._idle: dict[bytes, list[QueryProcess]] = {LOCAL: [], FEDERATED: []}
        self._running: set[QueryProcess] = set()
        self._watchdog: asyncio.Task | None = None

    # on the loop

    async def spawn(self, kind: bytes) -> QueryProcess:
        """A new query process of ``kind``, forked by the zygote (OSError if it cannot start)."""
        reader, writer = await asyncio.open_unix_connection(str(self.socket_path), limit=FIRST_READ)
        try:
            writer.write(kind)
            pid = await asyncio.wait_for(read_message(reader), SPAWN_SECONDS)
        except (OSError, EOFError, TimeoutError):
            writer.close()
            raise OSError("the query process did not start") from None
        return QueryProcess(kind, pid, reader, writer, resident_bytes(pid))

    async def _spawn_within(self, kind: bytes, seconds: float) -> QueryProcess:
        """A new query process, waiting up to ``seconds`` for a zygote that is starting again (OSError past it)."""
        deadline = self.loop.time() + seconds
        while True:
            try:
                return await self.spawn(kind)
            except OSError:
                if self.loop.time() >= deadline:
                    raise
            await asyncio.sleep(POLL_SECONDS)

    async def check_ready(self) -> bool:
        """Whether a local query can be answered now (a live process is idle, or one could be started)."""
        idle = self._idle[LOCAL]
        idle[:] = [process for process in idle if not process.reader.at_eof()]  # gone with its zygote, or killed
        if idle:
            return True
        try:
            process = await self.spawn(LOCAL)
        except OSError:
            return False
        self._idle[LOCAL].append(process)
        return True

    async def _acquire(self, kind: bytes, client: str | None) -> QueryProcess | None:
        """An idle process of ``kind`` (None: start one); PoolBusy if the client or the pool is at its limit."""
        await self.admit(client)
        idle = self._idle[kind]
        return idle.pop() if idle else None  # one that died while idle fails its job, which runs once more

    def _release(self, process: QueryProcess | None, client: str | None) -> None:
        if process is not None:
            self._idle[process.kind].append(process)
        self.leave(client)

    async def answer(self, job: QueryJob, client: str | None = None) -> Answer:
        """Answer ``job`` in a query process; 503 when a limit stops it; PoolBusy when it cannot start now.

        A process taken from the idle list may have been killed since (by an operator, or the OOM killer) without
        its end of the connection showing it yet: if it dies on this job, the job runs once more in a fresh one.
        """
        kind = FEDERATED if job.federated else LOCAL
        process = await self._acquire(kind, client)
        keep = None
        try:
            for attempt in ("reused", "fresh") if process is not None else ("fresh",):
                if attempt == "fresh":
                    try:
                        process = await self._spawn_within(kind, self.queue_wait)
                    except OSError:
                        return text_answer(503, "the query processes are not ready (the build is still loading, "
                                                "or the server is restarting); try again shortly")
                try:
                    answer, alive = await self._answer(process, job)
                except ProcessDied:
                    continue
                if alive:
                    keep = process
                return answer
            return text_answer(503, "the query process ended unexpectedly; try again")
        finally:
            self._release(keep, client)

    async def _answer(self, process: QueryProcess, job: QueryJob) -> tuple[Answer, bool]:
        """The answer and whether the process lives on (a limit kills it); ProcessDied if it died first."""
        process.deadline = self.loop.time() + self.time_limit
        process.memory_cap = process.baseline + self.memory_limit * 1024 * 1024
        self._running.add(process)
        if self._watchdog is None:
            self._watchdog = self.loop.create_task(self._watch())
        try:
            process.writer.write(framed(job))
            size = await read_size(process.reader)
            if not self.counts.reserve_bytes(size, self.max_answer_bytes):  # refused before it is read
                process.kill()
                return self.over_answer_bytes(), False
            try:
                answer = await read_body(process.reader, size)
            except BaseException:
                self.counts.release_bytes(size)
                raise
            return dataclasses.replace(answer, held=size), True
        except (EOFError, OSError):
            if process.stopped_for is not None:
                return text_answer(503, process.stopped_for), False
            process.kill()
            raise ProcessDied from None
        except asyncio.CancelledError:
            process.kill()  # the request went away: its query must not run on unseen
            raise
        finally:
            self._running.discard(process)

    async def _watch(self) -> None:
        """While queries run: stop each one past its time or memory limit (checked every ``POLL_SECONDS``)."""
        try:
            while self._running:
                await asyncio.sleep(POLL_SECONDS)
                now = self.loop.time()
                for process in list(self._running):
                    if now >= process.deadline:
                        process.stop(f"query exceeded {self.time_limit:g} s (the time limit); it was stopped")
                    elif resident_bytes(process.pid) > process.memory_cap:
                        process.stop(f"query exceeded {self.memory_limit} MB of memory (the memory limit); "
                                     "it was stopped")
        finally:
            self._watchdog = None

    async def wind_down(self) -> None:
        """Kill the idle processes and close their connections."""
        closed = [process for processes in self._idle.values() for process in processes]
        for process in closed:
            process.kill()
        for processes in self._idle.values():
            processes.clear()
        for process in closed:
            await process.writer.wait_closed()
