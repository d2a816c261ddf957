"""Whether this worker still serves the build `serve` points at. On SIGHUP `serve` loads the newest build, points
its workers at it (a small file, rewritten whole) and replaces them one by one; a worker that serves the old build
meanwhile answers every request with ``Connection: close``, so that its clients reconnect — to a new worker, once
there is one — instead of having a kept-alive connection cut under them when the worker stops."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

POINTER_ENV = "MONTAGNE_KG_SERVING_POINTER"  # set by `serve` for its workers: the file naming the build it serves
CHECK_SECONDS = 0.2  # how stale a worker's view of the pointer may be


def point(pointer: Path, build: Path) -> None:
    """Point the workers at ``build`` (the file is replaced whole: a worker never reads half a name)."""
    fresh = pointer.with_name(pointer.name + ".new")
    fresh.write_text(str(build), encoding="utf-8")
    fresh.replace(pointer)


class Succession:
    """This worker's build against the one `serve` points at, read at most every ``CHECK_SECONDS``."""

    def __init__(self, own: str | None, pointer: Path | None) -> None:
        self.own = own
        self.pointer = pointer
        self._superseded = False
        self._next_check = 0.0
        self._lock = threading.Lock()

    @classmethod
    def of_worker(cls, own: str | None) -> Succession:
        """The succession of a worker of `serve` (``own`` its build); outside `serve`, never superseded."""
        pointer = os.environ.get(POINTER_ENV)
        return cls(own, Path(pointer) if pointer and own else None)

    def superseded(self) -> bool:
        if self.pointer is None:
            return False
        now = time.monotonic()
        if now >= self._next_check:
            with self._lock:
                if now >= self._next_check:
                    self._next_check = now + CHECK_SECONDS
                    try:
                        self._superseded = self.pointer.read_text(encoding="utf-8") != self.own
                    except OSError:  # `serve` is stopping and took its files with it
                        self._superseded = False
        return self._superseded
