"""What several test modules share: requests to a live server, its health, its process, a query that is slow for
real, and the queries' usual subjects (test modules import these from here, never from each other)."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path
from urllib.parse import urlsplit

CHAMBERY = "https://w3id.org/montagne-kg/id/chambery"
LABEL = f'SELECT ?l WHERE {{ <{CHAMBERY}> <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(lang(?l) = "fr") }}'


def fetch(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, Message, bytes]:
    """Status, headers (case-insensitive, as HTTP has them) and body of one request."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def health(url: str) -> dict:
    return json.loads(fetch(f"{url}/-/health")[2])


def serve_master(out: Path, url: str) -> int:
    """The pid of the `montagne-kg serve` that ``live_server`` started over ``out`` for ``url``."""
    pattern = f"montagne_kg.cli serve --build-dir {out} --port {urlsplit(url).port}"
    return int(subprocess.run(["pgrep", "-o", "-f", pattern], capture_output=True, text=True,
                              check=True).stdout.split()[0])


def serve_workers(master: int) -> list[int]:
    """The HTTP worker processes of the `montagne-kg serve` whose pid is ``master`` (granian forks them, so they
    carry its command line; the zygote, relay and resource tracker do not)."""
    children = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout.split()
    return [int(pid) for pid in children if b"montagne_kg.cli" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def serves_only(url: str, build: str, seconds: float = 30.0) -> bool:
    """Whether, within ``seconds``, 40 health answers in a row name ``build``: after SIGHUP an old worker answers
    until its replacement is up."""
    in_a_row, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        in_a_row = in_a_row + 1 if health(url)["build"] == build else 0
        if in_a_row == 40:
            return True
        time.sleep(0.05)
    return False


def slow_query() -> str:
    """Slow for real (27 M rows through a FILTER none passes), yet it returns a single row."""
    values = " ".join(str(i) for i in range(300))
    return (f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} "
            f"VALUES ?c {{ {values} }} FILTER(?a + ?b + ?c < 0) }}")


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie has ended)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):  # gone before, or between opening and reading
        return False


def processes_named(comm: str) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == comm:
                    found.add(int(entry.name))
            except OSError:
                continue
    return found


def parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])


def descendants(root: int, comm: str) -> set[int]:
    """Processes named ``comm`` below ``root``."""
    found = set()
    for pid in processes_named(comm):
        ancestor = pid
        while ancestor > 1:
            try:
                ancestor = parent_of(ancestor)
            except (OSError, IndexError):
                break
            if ancestor == root:
                found.add(pid)
                break
    return found
