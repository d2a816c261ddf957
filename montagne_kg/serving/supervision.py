"""Helper processes the server cannot do without (the zygote holding the store, the SERVICE relay): spawned fresh, so
they never inherit a web server's threads, watched, and started again whenever one that was ready dies.

A helper reports over a pipe: ``("checked", detail)`` once it has checked what it needs, ``("ready", detail)`` once it
can serve, or ``("failed", message)``. It ends when the creating side closes its end of the pipe or dies. A helper that
ends before it was ever ready is not started again (its failure is what ``wait_ready`` raises): a start that fails
would fail again.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable

STOP_SECONDS = 5.0
PR_SET_NAME = 15
PR_SET_PDEATHSIG = 1
LIBC = ctypes.CDLL(None, use_errno=True)


def end_with_parent(parent: int | None = None) -> None:
    """Have the kernel SIGKILL the calling process when its parent dies (prctl PR_SET_PDEATHSIG), and end it now if
    the parent is already gone: not ``parent`` any more, or (unknown) reparented to init. SIGKILL, not SIGTERM: a
    process whose parent is gone can be neither managed nor replaced, and granian's graceful stop of an orphaned
    worker could hang for good on a request awaiting its client's disconnect (1 stuck worker in 6 runs of the
    replica test under load); the requests it held are cut, and a balancer retries them."""
    if LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    gone = (os.getppid() != parent) if parent is not None else (os.getppid() == 1)
    if gone:
        os._exit(1)


def name_process(name: str) -> None:
    """Name the calling process as ``ps -o comm`` and /proc/<pid>/comm show it (15 bytes at most)."""
    LIBC.prctl(PR_SET_NAME, name.encode()[:15], 0, 0, 0)


class StartFailed(RuntimeError):
    """A helper could not start (no build, no sandbox where one is required); the message says why."""


class Supervised:
    """One helper process and the thread that reads its reports and starts it again when it dies after being ready.

    ``arguments`` gives the target's arguments at each start (the report pipe is added last); ``on_death`` runs
    before a new start (to clear what the dead one left).
    """

    def __init__(self, name: str, target: Callable[..., None], arguments: Callable[[], tuple],
                 on_death: Callable[[], None] = lambda: None) -> None:
        self.name = name
        self._target = target
        self._arguments = arguments
        self._on_death = on_death
        self._changed = threading.Condition()
        self.state = "starting"  # starting, checked, ready, ended
        self.details: dict[str, str] = {}  # what each report said, by status
        self.failure: str | None = None
        self.restarts = 0
        self._stopping = False
        self._start()
        threading.Thread(target=self._watch, name=f"{name}-watch", daemon=True).start()

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._report, child_end = context.Pipe()
        self.process = context.Process(target=self._target, name=self.name, daemon=True,
                                       args=(*self._arguments(), child_end))
        self.process.start()
        child_end.close()

    def _watch(self) -> None:
        while True:
            try:
                while True:
                    status, detail = self._report.recv()
                    with self._changed:
                        if status == "failed":
                            self.failure = detail
                        else:
                            self.state, self.details[status] = status, detail
                        self._changed.notify_all()
            except (EOFError, OSError):
                pass
            self.process.join()
            self._report.close()
            with self._changed:
                if self._stopping or self.state != "ready":
                    if self.failure is None and not self._stopping:
                        self.failure = f"the {self.name} ended while starting (exit status {self.process.exitcode})"
                    self.state = "ended"
                    self._changed.notify_all()
                    return
                self.state = "starting"
                self.restarts += 1
                self._changed.notify_all()
            self._on_death()
            with self._changed:
                if self._stopping:
                    self.state = "ended"
                    self._changed.notify_all()
                    return
                self._start()

    def _wait_for(self, states: tuple[str, ...]) -> None:
        with self._changed:
            self._changed.wait_for(lambda: self.state in states or self.failure is not None)
            if self.failure is not None:
                raise StartFailed(self.failure)
            if self.state == "ended":
                raise StartFailed(f"the {self.name} was stopped")

    def wait_checked(self) -> None:
        """Block until the helper has checked what it needs (before loading); StartFailed with the reason if not."""
        self._wait_for(("checked", "ready", "ended"))

    def wait_ready(self) -> None:
        """Block until the helper can serve; StartFailed with the reason if it gave up or died first."""
        self._wait_for(("ready", "ended"))

    def stop(self) -> None:
        """End the helper for good (SIGTERM, then SIGKILL if it is still there after a few seconds)."""
        with self._changed:
            self._stopping = True
            process = self.process
        process.terminate()
        process.join(STOP_SECONDS)
        if process.is_alive():
            process.kill()
            process.join()
