"""What each client holds on the whole server, across workers: its SPARQL queries and its pages in flight, and the
answer bytes every worker holds — one count per server, in a file every worker maps.

The file has one region per worker, and a worker writes only its own: a worker that starts claims the region of a
worker that is gone (its counts cleared with it), so what a killed worker held is never left counted. A client's
count is the sum over regions; checking and counting happen under an exclusive ``flock`` of the file (released by
the kernel if its holder dies), so two workers cannot both let a client past its limit. Each region is a small open-
addressing table of (client key, queries, pages); a client key is a hash of its address. A later per-client time
budget is one more field of an entry.
"""

from __future__ import annotations

import fcntl
import hashlib
import mmap
import os
import shutil
import struct
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HEADER = struct.Struct("!qq")  # owner pid (0: free), answer bytes held
ENTRY = struct.Struct("!16sii")  # client key, queries, pages
SLOTS = 1024  # clients with something in flight in one worker at once (past it a new one is not counted)
REGION = HEADER.size + SLOTS * ENTRY.size
EMPTY = bytes(16)
FIELDS = {"queries": 0, "pages": 1}


COUNTS_ENV = "MONTAGNE_KG_SERVING_COUNTS"  # set by `serve` for its workers: the file of the server's counts


def regions_for(workers: int) -> int:
    """Regions enough for every worker and for the replacements that run beside them while the old ones stop."""
    return 2 * workers + 2


def client_key(client: str) -> bytes:
    return hashlib.blake2b(client.encode(), digest_size=16).digest()


class ServerCounts:
    """The counts of every worker of one server (``regions`` workers at most at once)."""

    @classmethod
    def private(cls) -> ServerCounts:
        """Counts for one process alone (an app outside `serve`): a file of one region, unlinked once mapped."""
        directory = Path(tempfile.mkdtemp(prefix="montagne-kg-counts-"))
        counts = cls(directory / "counts", 1)
        shutil.rmtree(directory)
        return counts

    def __init__(self, path: Path, regions: int) -> None:
        self.path = path
        self.regions = regions
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(self._fd).st_size < regions * REGION:
            os.ftruncate(self._fd, regions * REGION)
        self._map = mmap.mmap(self._fd, regions * REGION)
        self._threads = threading.Lock()
        self._own: int | None = None

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """The file locked against other workers (``flock``) and against this worker's other threads (a flock is
        held by an open file, which a process's threads share)."""
        with self._threads:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _region(self) -> int:
        """This process's region, claimed at first use (a free one, or one whose owner is gone)."""
        if self._own is not None:
            return self._own
        for region in range(self.regions):
            offset = region * REGION
            owner = HEADER.unpack_from(self._map, offset)[0]
            if owner == 0 or not _alive(owner):
                self._map[offset:offset + REGION] = bytes(REGION)
                HEADER.pack_into(self._map, offset, os.getpid(), 0)
                self._own = region
                return region
        raise RuntimeError(f"all {self.regions} worker regions of {self.path} are taken by live processes")

    def _slot(self, region: int, key: bytes, claim: bool) -> int | None:
        """The offset of ``key``'s entry in ``region`` (a free one if ``claim``), or None."""
        base = region * REGION + HEADER.size
        start = _home(key)
        for probe in range(SLOTS):
            offset = base + ((start + probe) % SLOTS) * ENTRY.size
            found = self._map[offset:offset + 16]
            if found == key:
                return offset
            if found == EMPTY:
                if claim:
                    ENTRY.pack_into(self._map, offset, key, 0, 0)
                    return offset
                return None
        return None

    def _remove(self, region: int, offset: int) -> None:
        """Free the entry at ``offset``, moving back the entries of its probe run that it separated from their home
        (deletion by backward shift: no tombstone, so a region never fills with clients that have gone)."""
        base = region * REGION + HEADER.size
        hole = (offset - base) // ENTRY.size
        probe = hole
        while True:
            probe = (probe + 1) % SLOTS
            at = base + probe * ENTRY.size
            key = self._map[at:at + 16]
            if key == EMPTY:
                break
            home = _home(key)
            if (home <= hole or home > probe) if probe > hole else (probe < home <= hole):
                into = base + hole * ENTRY.size
                self._map[into:into + ENTRY.size] = self._map[at:at + ENTRY.size]
                hole = probe
        into = base + hole * ENTRY.size
        self._map[into:into + ENTRY.size] = bytes(ENTRY.size)

    def _held(self, key: bytes, field: int) -> int:
        total = 0
        for region in range(self.regions):
            if HEADER.unpack_from(self._map, region * REGION)[0] == 0:
                continue
            offset = self._slot(region, key, claim=False)
            if offset is not None:
                total += ENTRY.unpack_from(self._map, offset)[1 + field]
        return total

    def take(self, client: str, kind: str, limit: int) -> bool:
        """Count one more ``kind`` (queries or pages) for ``client`` unless it holds ``limit`` already; whether it was
        counted."""
        key, field = client_key(client), FIELDS[kind]
        with self._locked():
            region = self._region()
            if self._held(key, field) >= limit:
                return False
            offset = self._slot(region, key, claim=True)
            if offset is None:  # this worker's table is full: count nothing rather than refuse
                return True
            entry = list(ENTRY.unpack_from(self._map, offset))
            entry[1 + field] += 1
            ENTRY.pack_into(self._map, offset, *entry)
            return True

    def give(self, client: str, kind: str) -> None:
        """Give back what ``take`` counted; a client that holds nothing any more leaves the table."""
        key, field = client_key(client), FIELDS[kind]
        with self._locked():
            region = self._region()
            offset = self._slot(region, key, claim=False)
            if offset is not None:
                entry = list(ENTRY.unpack_from(self._map, offset))
                entry[1 + field] = max(entry[1 + field] - 1, 0)
                if entry[1:] == [0, 0]:
                    self._remove(region, offset)
                else:
                    ENTRY.pack_into(self._map, offset, *entry)

    def held(self, client: str, kind: str) -> int:
        """What ``client`` holds of ``kind`` on the whole server now."""
        with self._locked():
            return self._held(client_key(client), FIELDS[kind])

    def reserve_bytes(self, size: int, limit: int) -> bool:
        """Count ``size`` more answer bytes held by this worker unless the server would hold more than ``limit``."""
        with self._locked():
            region = self._region()
            if sum(HEADER.unpack_from(self._map, r * REGION)[1] for r in range(self.regions)) + size > limit:
                return False
            owner, held = HEADER.unpack_from(self._map, region * REGION)
            HEADER.pack_into(self._map, region * REGION, owner, held + size)
            return True

    def held_bytes(self) -> int:
        """Answer bytes the server's workers hold now."""
        with self._locked():
            return sum(HEADER.unpack_from(self._map, r * REGION)[1] for r in range(self.regions))

    def release_bytes(self, size: int) -> None:
        with self._locked():
            offset = self._region() * REGION
            owner, held = HEADER.unpack_from(self._map, offset)
            HEADER.pack_into(self._map, offset, owner, max(held - size, 0))

    def close(self) -> None:
        self._map.close()
        os.close(self._fd)


def _home(key: bytes) -> int:
    """Where a client key's probe run starts in a region."""
    return int.from_bytes(key[:4], "big") % SLOTS


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
