"""What clients see when `montagne-kg serve` switches builds (SIGHUP) or loses a worker (SIGKILL), under keep-alive
clients polling /-/health (which names the build) every 10 ms. Per run: when the first answer from the new build
came and the last from the old one (seconds after SIGHUP), how long both answered, and every failed request. Run
after `make build`: `.venv/bin/python bench/switch.py [--runs 3] [--clients 6]`."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from montagne_kg.building.build import Assembled, assemble, write_build  # noqa: E402
from montagne_kg.building.project import Project  # noqa: E402
from tests.conftest import free_port  # noqa: E402
from tests.helpers import serve_workers  # noqa: E402


def one_run(assembled: Assembled, clients: int, kill_first: bool) -> str:
    out = Path(tempfile.mkdtemp(prefix="montagne-kg-switch-")) / "out"
    first = write_build(assembled, out)
    port = free_port()
    serve = subprocess.Popen([sys.executable, "-m", "montagne_kg.cli", "serve", "--build-dir", str(out), "--port",
                              str(port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/-/health")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        seen: list[tuple[float, str]] = []
        stop = threading.Event()

        def poll() -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
            while not stop.is_set():
                try:
                    connection.request("GET", "/-/health")
                    seen.append((time.monotonic(), json.loads(connection.getresponse().read())["build"]))
                except (OSError, http.client.HTTPException) as err:
                    seen.append((time.monotonic(), f"error: {type(err).__name__}"))
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
                time.sleep(0.01)

        threads = [threading.Thread(target=poll) for _ in range(clients)]
        for thread in threads:
            thread.start()
        time.sleep(1)
        second = write_build(Assembled(assembled.base, {n: g for n, g in assembled.graphs.items()
                                                        if "release/003" not in n}), out)
        killed = time.monotonic()
        if kill_first:
            os.kill(serve_workers(serve.pid)[0], signal.SIGKILL)
            time.sleep(0.5)
        hup = time.monotonic()
        os.kill(serve.pid, signal.SIGHUP)
        time.sleep(15)
        stop.set()
        for thread in threads:
            thread.join()
        new = [t - hup for t, b in seen if b == second.name]
        old = [t - hup for t, b in seen if b == first.name and t > hup]
        failed = [f"{t - killed:.2f} s {b}" for t, b in seen if b.startswith("error") and t > killed - 0.1]
        return (f"new from {new[0]:.2f} s, old until {max(old, default=0):.2f} s, both "
                f"{max(0.0, max(old, default=0) - new[0]):.2f} s; {len(seen)} requests, failed: "
                f"{', '.join(failed) or 'none'}")
    finally:
        serve.send_signal(signal.SIGINT)
        serve.wait(30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=6)
    args = parser.parse_args()
    assembled = assemble(Project(ROOT))
    for kill_first in (False, True):
        for run in range(args.runs):
            what = "a worker killed 0.5 s before SIGHUP" if kill_first else "SIGHUP"
            print(f"{what}, run {run + 1}: {one_run(assembled, args.clients, kill_first)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
