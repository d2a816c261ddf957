"""What the safety mechanisms of issue 21 cost and how soon a dead store process is replaced (loopback only).

- spawn: starting a local query process (seccomp filter) and a federated one (user and network namespace, loopback
  brought up, the relay's door opened), each then answering ASK {};
- federated round trip: one query whose SERVICE goes through the relay (confined) to a loopback stand-in, beside the
  same with the process unconfined;
- recovery: `montagne-kg serve` under three clients sending ASK {}; the zygote is killed with SIGKILL; how long until
  its query processes are gone, a new zygote answers, and how many requests failed.
Run after `make build`: `.venv/bin/python bench/safety.py`.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from montagne_kg.layout import current_build  # noqa: E402
from montagne_kg.serving import querypool  # noqa: E402
from montagne_kg.serving.answers import QueryJob  # noqa: E402
from montagne_kg.serving.embedded import EmbeddedProcesses  # noqa: E402
from montagne_kg.serving.querypool import QueryPool  # noqa: E402
from montagne_kg.serving.settings import Settings  # noqa: E402

ALLOWED = "https://allowed.example/sparql"
ONE_ROW = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "1"}}]}})
ROUNDS = 30


def stand_in() -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = ONE_ROW.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def milliseconds(samples: list[float]) -> str:
    p90 = sorted(samples)[int(len(samples) * 0.9)]
    return f"median {statistics.median(samples) * 1000:.1f} ms, p90 {p90 * 1000:.1f} ms"


def spawn_and_federation(build: Path) -> None:
    remote = stand_in()
    url = f"http://127.0.0.1:{remote.server_address[1]}/sparql"
    for confinement in ("namespace", "none"):
        settings = Settings(build_dir=build.parent, service_allow=(ALLOWED,), service_override={ALLOWED: url},
                            service_confinement=confinement, allow_unconfined_federation=True)
        processes = EmbeddedProcesses(build, settings)
        processes.wait_ready()
        pool = QueryPool(processes.zygote.socket_path, 10, 1024, 4, 4, 2)
        relayed = f"{processes.relay.base}/0"
        federated = QueryJob(query=f"SELECT * {{ SERVICE <{relayed}> {{ ?x ?p ?o }} }}", format="json",
                             federated=True)
        try:
            for kind in (querypool.LOCAL, querypool.FEDERATED):
                if kind == querypool.LOCAL and confinement == "none":
                    continue
                starts = []
                for _ in range(ROUNDS):
                    began = time.perf_counter()
                    process = pool.call(pool.spawn, kind)
                    starts.append(time.perf_counter() - began)
                    pool.loop.call_soon_threadsafe(process.kill)
                name = "local (seccomp)" if kind == querypool.LOCAL else f"federated ({confinement})"
                print(f"| spawn a {name} query process | {milliseconds(starts)} |")
            trips = []
            for _ in range(ROUNDS):
                began = time.perf_counter()
                answer = pool.run(federated)
                trips.append(time.perf_counter() - began)
                assert answer.status == 200, answer.body
            print(f"| federated query through the relay, process {confinement} (reused) | {milliseconds(trips)} |")
        finally:
            pool.close()
            processes.stop()
    remote.shutdown()


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def named(comm: str) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == comm:
                found.add(int(entry.name))
        except OSError:
            continue
    return found


def running(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting to be reaped has ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def recovery(build: Path) -> None:
    port = 8797
    server = subprocess.Popen([sys.executable, "-m", "montagne_kg.cli", "serve", "--build-dir", str(build.parent),
                               "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    ask = f"{url}/sparql?query={quote('ASK {}')}"
    try:
        while True:
            try:
                if status_of(f"{url}/-/health") == 200:
                    break
            except OSError:
                time.sleep(0.1)
        (zygote,) = [pid for pid in named("mkg-zygote") if parent(pid) == server.pid]
        statuses: Counter = Counter()
        stop = threading.Event()

        def client() -> None:
            for _ in range(20_000):
                if stop.is_set():
                    return
                statuses[status_of(ask)] += 1

        clients = [threading.Thread(target=client) for _ in range(3)]
        for thread in clients:
            thread.start()
        time.sleep(2)
        queries = {pid for pid in named("mkg-query") if parent(pid) == zygote}
        answered = statuses[200]
        killed = time.perf_counter()
        os.kill(zygote, signal.SIGKILL)
        gone = answered_again = None
        while gone is None or answered_again is None:
            now = time.perf_counter() - killed
            if gone is None and not any(running(pid) for pid in queries):
                gone = now
            if answered_again is None and statuses[200] > answered + 10:
                answered_again = now
            if now > 60:
                break
            time.sleep(0.005)
        time.sleep(1)
        stop.set()
        for thread in clients:
            thread.join()
        failed = {status: count for status, count in statuses.items() if status != 200}
        print(f"| zygote killed under 3 clients: its {len(queries)} query processes gone | {gone * 1000:.0f} ms |")
        print(f"| … 10 more queries answered after the kill | {answered_again * 1000:.0f} ms |")
        print(f"| … requests that failed out of {sum(statuses.values())} | {sum(failed.values())} {failed} |")
    finally:
        server.terminate()
        server.wait()


def main() -> int:
    build = current_build(ROOT / "build")
    if build is None:
        print("run `make build` first", file=sys.stderr)
        return 1
    print("| what | figure |\n|---|---|")
    spawn_and_federation(build)
    recovery(build)
    return 0


if __name__ == "__main__":
    sys.exit(main())
