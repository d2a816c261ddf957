"""Where a worker's queries wait: its event loop, and who may query now (per-client count, bounded queue).

Both engines a worker can answer from — its own query processes (``querypool.QueryPool``) and a remote SPARQL
engine (``remote.RemoteEngine``) — are gates: a query in flight is a coroutine on the worker's loop, admitted when
its client has fewer than ``per_client`` queries running on the whole server (``admission``; else 429), does not
already hold its share of the worker's slots while they are all taken (``client_share``; else 429), and a slot among
``max_queries`` frees up within ``queue_wait`` seconds (else 503). Threads (the pages, run by Flask) use the blocking
twins ``run`` and ``ready``, which hand the work to the loop. A gate used outside a server (tests, scripts) runs a
loop of its own in a thread.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from abc import ABC, abstractmethod
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from typing import TypeVar

from montagne_kg.serving.admission import ServerCounts
from montagne_kg.serving.answers import Answer, QueryJob, text_answer

T = TypeVar("T")


class PoolBusy(Exception):
    """No answer for this client now: too many of its queries in flight (429), or no free slot (503)."""

    def __init__(self, status: int, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after

    def answer(self) -> Answer:
        return text_answer(self.status, str(self), (("Retry-After", str(self.retry_after)),))


class QueryGate(ABC):
    """The loop a worker's queries are awaited on, and the admission rules; subclasses answer the queries."""

    description = ""  # the engine, as /-/health names it

    def __init__(self, max_queries: int, per_client: int, queue_wait: float, counts: ServerCounts | None = None,
                 client_share: float = 1.0, max_answer_bytes: int = 2**62) -> None:
        self.max_answer_bytes = max_answer_bytes  # answer bytes all workers together may hold
        self.max_queries = max_queries
        self.per_client = per_client
        self.queue_wait = queue_wait
        self.counts = counts or ServerCounts.private()  # per client, on the whole server
        self.share = max(1, int(client_share * max_queries))  # this worker's slots a client may hold while full
        self.loop: asyncio.AbstractEventLoop | None = None
        self._own_loop: threading.Thread | None = None
        self._loop_lock = threading.Lock()
        self._busy = 0
        self._clients: Counter[str] = Counter()
        self._waiters: deque[asyncio.Future] = deque()

    # what an engine provides

    @abstractmethod
    async def answer(self, job: QueryJob, client: str | None = None) -> Answer:
        """The answer to ``job``, counted against ``client``; PoolBusy when it cannot start now."""

    @abstractmethod
    async def check_ready(self) -> bool:
        """Whether a query can be answered now."""

    @abstractmethod
    async def wind_down(self) -> None:
        """Release what the engine holds (on its loop)."""

    # the loop, and the blocking twins for threads

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Drive the gate from ``loop`` (the server's); a gate stays on the loop it was first driven from."""
        if self.loop is None:
            self.loop = loop
        elif self.loop is not loop:
            raise RuntimeError("the query gate is already driven from another event loop")

    def own_loop(self) -> asyncio.AbstractEventLoop:
        """The gate's loop, started in a thread of its own when no server has bound one."""
        with self._loop_lock:  # threads that all make their first request at once must share one loop
            if self.loop is None:
                self.loop = asyncio.new_event_loop()
                self._own_loop = threading.Thread(target=self.loop.run_forever, name="query-gate", daemon=True)
                self._own_loop.start()
        return self.loop

    def call(self, function: Callable[..., Awaitable[T]], *args: object) -> T:
        """Run ``function(*args)`` on the gate's loop and wait for it, from a thread that is not the loop's."""
        loop = self.own_loop()
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            raise RuntimeError("a blocking query-gate call on its own event loop would never return")
        return asyncio.run_coroutine_threadsafe(function(*args), loop).result()

    def run(self, job: QueryJob, client: str | None = None) -> Answer:
        """``answer`` for threads (the pages): blocks this thread, never the loop."""
        return self.call(self.answer, job, client)

    def ready(self) -> bool:
        """``check_ready`` for threads."""
        return self.call(self.check_ready)

    async def close_on_loop(self) -> None:
        """On a server's loop as it shuts down: release what the engine holds."""
        await self.wind_down()

    def close(self) -> None:
        """Release what the engine holds and stop the gate's own loop if it has one (from any thread but that
        loop's; a server's loop calls ``close_on_loop`` instead)."""
        if self._own_loop is None:
            return
        self.call(self._wind_down_own_loop)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._own_loop.join()
        self.loop.close()

    async def _wind_down_own_loop(self) -> None:
        """Release the engine, and end what still runs on the gate's own loop (as asyncio.run does)."""
        await self.wind_down()
        others = asyncio.all_tasks() - {asyncio.current_task()}
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    # answer bytes held by the server's workers

    def over_answer_bytes(self) -> Answer:
        return text_answer(503, f"the server already holds {self.max_answer_bytes} bytes of answers "
                                "(max_answer_bytes); try again shortly", (("Retry-After", "2"),))

    def hold(self, answer: Answer) -> Answer:
        """``answer`` counted against the server's answer bytes (an engine that reads the answer before it knows
        its size), or a 503 when they would pass the limit."""
        if not self.counts.reserve_bytes(len(answer.body), self.max_answer_bytes):
            return self.over_answer_bytes()
        return dataclasses.replace(answer, held=len(answer.body))

    def release(self, answer: Answer) -> None:
        """Once ``answer`` is sent (or read by a page): its bytes no longer count."""
        if answer.held:
            self.counts.release_bytes(answer.held)

    # admission

    async def admit(self, client: str | None) -> None:
        """Take a slot for ``client``'s query; PoolBusy if the client (on the whole server) or the gate is at its
        limit, or if the slots are all taken and the client already holds its share of them."""
        if client is not None:
            if self._busy >= self.max_queries and self._clients[client] >= self.share:
                raise PoolBusy(429, f"this client holds {self._clients[client]} of the {self.max_queries} query "
                                    "slots while others wait (its share, client_share); wait for one to finish",
                               retry_after=1)
            if not self.counts.take(client, "queries", self.per_client):
                raise PoolBusy(429, f"{self.per_client} queries of this client are already running on this server "
                                    "(per_client); wait for one to finish", retry_after=1)
        try:
            if self._busy >= self.max_queries:
                deadline = self.loop.time() + self.queue_wait
                while self._busy >= self.max_queries:
                    remaining = deadline - self.loop.time()
                    if remaining <= 0 or not await self._wait_for_release(remaining):
                        raise PoolBusy(503, f"all {self.max_queries} query slots stayed busy "
                                            f"for {self.queue_wait:g} s; try again shortly", retry_after=2)
        except BaseException:
            if client is not None:
                self.counts.give(client, "queries")
            raise
        self._busy += 1
        if client is not None:
            self._clients[client] += 1

    def leave(self, client: str | None) -> None:
        """Give back the slot ``admit`` took."""
        self._busy -= 1
        if client is not None:
            self.counts.give(client, "queries")
            self._clients[client] -= 1
            if not self._clients[client]:
                del self._clients[client]
        self._wake_one()

    async def _wait_for_release(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for a release; whether one came (a wake-up that came too late is passed on)."""
        waiter = self.loop.create_future()
        self._waiters.append(waiter)
        woken = False
        try:
            await asyncio.wait_for(asyncio.shield(waiter), seconds)
            woken = True
        except TimeoutError:
            pass
        finally:
            if not woken:
                if waiter.done():
                    self._wake_one()
                else:
                    self._waiters.remove(waiter)
        return woken

    def _wake_one(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
