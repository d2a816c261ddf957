"""What one client can take from others (loopback only; clients named through the trusted-proxy setting). Run after
`make build`: `.venv/bin/python bench/clients.py [--root DIR]` (DIR: a checkout to measure, this one by default).

- pages from one address: 32 threads from one address loop over entity pages, /id/ redirects, /data/ documents,
  searches and ASK queries for 10 s; the share of 429s by kind;
- two greedy addresses: each keeps 10 slow queries in flight; a third address sends ASK {} once a second;
- a query whose client leaves: the slow query's process, from the client's close to its end;
- sixteen large answers at once: the server's resident memory (master, workers, zygote, query processes) before and
  at its peak while sixteen clients fetch a ~24 MB answer each.
"""

from __future__ import annotations

import argparse
import http.client
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
PAGE_SIZE = 4096
NUMBERS = " ".join(str(i) for i in range(400))
SLOW = (f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?a {{ {NUMBERS} }} VALUES ?b {{ {NUMBERS} }} "  # 64 M rows, none
        f"VALUES ?c {{ {NUMBERS} }} FILTER(?a + ?b + ?c < 0) }}")  # passes the FILTER: stopped by the time limit
LARGE = ("SELECT ?a ?b ?c ?d WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 110000")


def request(port: int, path: str, client: str, timeout: float = 60) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"X-Forwarded-For": client, "Accept": "text/html"})
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return 0
    finally:
        connection.close()


def serve(root: Path, port: int, *flags: str) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "montagne_kg.cli", "--root", str(root), "serve", "--port",
                                str(port), "--trusted-proxies", "127.0.0.1", *flags], cwd=root,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        if request(port, "/-/health", "127.0.0.1", 1) == 200:
            return process
        time.sleep(0.1)
    raise RuntimeError("the server did not start")


def descendants(root: int) -> list[int]:
    children = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                children[int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])].append(int(entry.name))
            except (OSError, IndexError):
                continue
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children[pid])
    return found


def resident_mb(root: int) -> float:
    total = 0
    for pid in descendants(root):
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
        except (OSError, IndexError):
            continue
    return total / 2**20


def pages_from_one_address(port: int) -> None:
    paths = {"entity page": "/page/chambery", "/id/ redirect": "/id/chambery", "/data/ document":
             "/data/chambery.ttl", "search": "/search?q=chambery", "query": f"/sparql?query={quote('ASK {}')}"}
    statuses: dict[str, Counter] = {kind: Counter() for kind in paths}
    ends = time.monotonic() + 10

    def loop(offset: int) -> None:
        kinds = list(paths)
        i = offset
        while time.monotonic() < ends:
            kind = kinds[i % len(kinds)]
            statuses[kind][request(port, paths[kind], "10.1.1.1")] += 1
            i += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = sum(sum(c.values()) for c in statuses.values())
    refused = sum(c[429] for c in statuses.values())
    print(f"| 32 threads from one address, 10 s: 429s | {refused} of {total} ({refused / total:.0%}); "
          + "; ".join(f"{kind} {c[429]}/{sum(c.values())}" for kind, c in statuses.items()) + " |")


def two_greedy_addresses(port: int) -> None:
    stop = threading.Event()

    def greedy(address: str) -> None:
        while not stop.is_set():
            request(port, f"/sparql?query={quote(SLOW)}", address)

    threads = [threading.Thread(target=greedy, args=(f"10.2.0.{a}",)) for a in (1, 2) for _ in range(10)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    third = Counter(request(port, f"/sparql?query={quote('ASK {}')}", "10.2.0.3") for _ in range(10)
                    if time.sleep(1) is None)
    stop.set()
    for thread in threads:
        thread.join()
    print(f"| two addresses × 10 slow queries in flight: a third one's ASK {{}} | {dict(third)} |")


def client_leaves(port: int, master: int) -> None:
    before = set(descendants(master))
    conn = socket.create_connection(("127.0.0.1", port))
    conn.sendall(f"GET /sparql?query={quote(SLOW)} HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 10.3.0.1\r\n\r\n".encode())
    time.sleep(1)
    busy = [pid for pid in set(descendants(master)) | before if _cpu(pid) is not None]
    first = {pid: _cpu(pid) for pid in busy}
    time.sleep(0.3)
    running = [pid for pid in busy if (_cpu(pid) or 0) > (first[pid] or 0)]
    closed = time.perf_counter()
    conn.close()
    while any(_cpu(pid) is not None and _state(pid) != "Z" for pid in running) and time.perf_counter() - closed < 15:
        time.sleep(0.01)
    print(f"| a slow query's client closes after 1 s: its process ends after | "
          f"{(time.perf_counter() - closed) * 1000:.0f} ms |")


def _body(port: int, path: str) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"X-Forwarded-For": "10.4.1.1"})
        return connection.getresponse().read()
    finally:
        connection.close()


def _cpu(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


def large_answers(port: int, master: int) -> None:
    before = resident_mb(master)
    peak, done = before, threading.Event()

    def watch() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, resident_mb(master))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    results: Counter = Counter()
    fetchers = [threading.Thread(target=lambda i=i: results.update(
        [request(port, f"/sparql?query={quote(LARGE)}&format=tsv", f"10.4.0.{i}")])) for i in range(16)]
    for fetcher in fetchers:
        fetcher.start()
    for fetcher in fetchers:
        fetcher.join()
    done.set()
    watcher.join()
    size = len(_body(port, f"/sparql?query={quote(LARGE)}&format=tsv")) / 2**20
    print(f"| 16 clients fetch a {size:.0f} MB answer each at once: resident memory | {before:.0f} MB before, peak "
          f"{peak:.0f} MB; answers {dict(results)} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args()
    port = 8796
    print("| what | figure |\n|---|---|")
    server = serve(args.root, port, "--time-limit", "10")
    try:
        pages_from_one_address(port)
        two_greedy_addresses(port)
        client_leaves(port, server.pid)
    finally:
        server.terminate()
        server.wait()
    server = serve(args.root, port, "--max-response-bytes", "60000000", "--max-rows", "200000", "--per-client", "16")
    try:
        large_answers(port, server.pid)
    finally:
        server.terminate()
        server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
