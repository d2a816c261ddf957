"""Slow and idle clients against `montagne-kg serve` (loopback only, bounded in count and time).

Holds N idle TCP connections and M clients that send their request headers one byte per second, and meanwhile
times `ASK {}` from a well-behaved client; prints p50/p99 and how many ASKs failed. Run it after `make build`:
`.venv/bin/python bench/slow_clients.py [--idle 1000 --slow 50 --seconds 20]`.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import start, stop  # noqa: E402

ASK = "/sparql?query=ASK%20%7B%7D"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def slow_sender(port: int, done: threading.Event) -> None:
    """Sends a request's headers one byte per second, reconnecting when the server closes (header timeout)."""
    header = b"GET /sparql?query=ASK%20%7B%7D HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 200 + b"\r\n\r\n"
    while not done.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
                for byte in header:
                    if done.wait(1.0):
                        return
                    conn.sendall(bytes([byte]))
        except OSError:
            done.wait(0.5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--slow", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    port = free_port()
    server, _ = start(ROOT / "build", port)
    try:
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(args.idle)]
        done = threading.Event()
        senders = [threading.Thread(target=slow_sender, args=(port, done), daemon=True) for _ in range(args.slow)]
        for sender in senders:
            sender.start()
        time.sleep(2)
        timings, failures = [], 0
        deadline = time.monotonic() + args.seconds
        while time.monotonic() < deadline:
            began = time.perf_counter()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{ASK}", timeout=10) as response:
                    response.read()
                timings.append((time.perf_counter() - began) * 1000)
            except (urllib.error.URLError, OSError):
                failures += 1
            time.sleep(0.02)
        done.set()
        for conn in idle:
            conn.close()
        timings.sort()
        p99 = timings[max(0, int(len(timings) * 0.99) - 1)] if timings else float("nan")
        print(f"{args.idle} idle connections, {args.slow} clients sending headers at 1 byte/s: "
              f"ASK {{}} answered {len(timings)} times, failed {failures}; "
              f"p50 {statistics.median(timings):.1f} ms, p99 {p99:.1f} ms")
    finally:
        stop(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
