"""Load benchmark: wrk against the server started as the README starts it, side by side with the fixed baseline
(bare Flask + pyoxigraph, sync gunicorn, 2 workers: `bench/bare_endpoint.py`) in interleaved rounds; cheap queries
while slow ones hold query processes; the same queries in-process on pyoxigraph; and a ~1 M-triple graph of the
same shape served from the persistent store.

Run with `make bench` (installs Debian's wrk when missing). Prints a Markdown report; `--out FILE` saves it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from montagne_kg.layout import MANIFEST, current_build  # noqa: E402
from montagne_kg.serving.federation import may_use_service  # noqa: E402
from montagne_kg.serving.store import load_store, open_disk_store, prepare_disk_store  # noqa: E402

ID = "https://w3id.org/montagne-kg/id/"
GENID = "https://w3id.org/montagne-kg/.well-known/genid/"
ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def card_query(iri: str) -> str:
    """An entity card with the IRI inlined (the fast plan; VALUES-bound cards plan far worse in Oxigraph)."""
    return f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"


def example_queries() -> dict[str, str]:
    """The local example queries; federated ones are left out (their time is the remote service's)."""
    queries = {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").glob("*.rq"))}
    return {stem: q for stem, q in queries.items() if not may_use_service(q)}


def entities(build: Path) -> list[str]:
    found = set()
    for line in (build / "montagne-kg.nt").read_text(encoding="utf-8").splitlines():
        subject = line.split(" ", 1)[0]
        if subject.startswith(f"<{ID}") and "#" not in subject:
            found.add(subject[1:-1])
    return sorted(found)


def start(out: Path, port: int, *flags: str) -> tuple[subprocess.Popen, float]:
    """`montagne-kg serve` as the README runs it; returns the process and seconds until /-/health answered."""
    began = time.perf_counter()
    process = subprocess.Popen([str(ROOT / ".venv" / "bin" / "montagne-kg"), "serve", "--build-dir", str(out), "--port",
                                str(port), *flags], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(1200):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/health", timeout=1):
                return process, time.perf_counter() - began
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("server did not start")


def start_baseline(port: int) -> subprocess.Popen:
    """The fixed baseline: bench/bare_endpoint.py under gunicorn, 2 sync workers, no proxy, no cache."""
    process = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", "2", "-k", "sync", "-b",
                                f"127.0.0.1:{port}", "bench.bare_endpoint:create('build')"], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D", timeout=1):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the baseline did not start")


def slow_query() -> str:
    """About a second of CPU, one row: 27 M combinations through a FILTER none passes (as in the tests)."""
    values = " ".join(str(i) for i in range(300))
    return (f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} "
            f"VALUES ?c {{ {values} }} FILTER(?a + ?b + ?c < 0) }}")


def under_slow_queries(port: int, slow: int, seconds: int) -> dict[str, float]:
    """wrk's ASK {} (c=2) while ``slow`` clients (distinct X-Forwarded-For) each keep one slow query in flight."""
    stop_event = threading.Event()

    def keep_slow(client: int) -> None:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/sparql?query={quote(slow_query())}",
                                         headers={"X-Forwarded-For": f"10.0.0.{client}"})
        while not stop_event.is_set():
            try:
                urllib.request.urlopen(request, timeout=30).close()
            except OSError:
                pass

    threads = [threading.Thread(target=keep_slow, args=(i,), daemon=True) for i in range(slow)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    try:
        return wrk(port, ["/sparql?query=ASK%20%7B%7D"], seconds, connections=2)
    finally:
        stop_event.set()


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=30)


def wrk(port: int, paths: list[str], seconds: int, connections: int = 8) -> dict[str, float]:
    """Throughput and latency percentiles from wrk rotating over ``paths``."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n")
        script.write('i = 0\nrequest = function()\n  i = (i % #paths) + 1\n'
                     f'  return wrk.format("GET", paths[i], {{["Accept"] = "{ACCEPT}"}})\nend\n')
    try:
        output = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name,
                                 f"http://127.0.0.1:{port}"], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {p: float(v) * UNITS[u] for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rps": rps, "p50": latency["50"], "p99": latency["99"], "non2xx": int(errors.group(1)) if errors else 0}


def in_process(store: ox.Store, query: str, repeat: int) -> dict[str, float]:
    """Latency of running and fully reading ``query`` directly on pyoxigraph, in ms."""
    timings = []
    for _ in range(repeat):
        began = time.perf_counter()
        result = store.query(query)
        if not isinstance(result, ox.QueryBoolean):
            for _ in result:
                pass
        timings.append((time.perf_counter() - began) * 1e3)
    timings.sort()
    return {"p50": statistics.median(timings), "p99": timings[int(len(timings) * 0.99) - 1]}


def process_tree_rss_mb(pid: int) -> list[float]:
    """RSS of each child of the server (workers, zygote) together with its own children, in MB."""
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    sizes = []
    for worker in children:
        grandchildren = subprocess.run(["pgrep", "-P", worker], capture_output=True, text=True).stdout.split()
        total = 0
        for p in [worker, *grandchildren]:
            status = Path(f"/proc/{p}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))
        sizes.append(total / 1024)
    return sizes


def synthetic_build(build: Path, copies: int, target: Path) -> Path:
    """A build directory with ``copies`` renamed copies of every entity, written directly in final form."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("montagne-kg.nq", "montagne-kg.nt"):
        source = (build / name).read_text(encoding="utf-8").splitlines()
        with open(target / name, "w", encoding="utf-8") as out:
            for line in source:
                out.write(line + "\n")
            for k in range(copies):
                for line in source:
                    if f"<{ID}" in line or f"<{GENID}" in line:
                        out.write(line.replace(f"<{ID}", f"<{ID}c{k}-").replace(f"<{GENID}", f"<{GENID}c{k}-") + "\n")
    manifest = json.loads((build / MANIFEST).read_text())
    merged = sum(1 for _ in open(target / "montagne-kg.nt", encoding="utf-8"))
    manifest.update(merged_triples=merged, triples=sum(1 for _ in open(target / "montagne-kg.nq", encoding="utf-8")))
    (target / MANIFEST).write_text(json.dumps(manifest))
    return target


def table(rows: list[tuple], header: tuple) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per measurement")
    parser.add_argument("--copies", type=int, default=430, help="entity copies in the large graph (~2.3 k each)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved baseline/ours rounds for entity cards")
    parser.add_argument("--out", help="also write the report to this file")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk (make bench does it)", file=sys.stderr)
        return 2
    subprocess.run([str(ROOT / ".venv" / "bin" / "montagne-kg"), "build"], cwd=ROOT, check=True,
                   capture_output=True)
    build = current_build(ROOT / "build")
    report = [f"# montagne-kg benchmark ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, wrk -t2 -c8, "
              f"{args.seconds} s each)\n"]

    queries = example_queries()
    store = load_store(build)
    cards = entities(build)
    card_paths = [f"/sparql?query={quote(card_query(i))}" for i in cards]
    # wrk's 8 connections come from one address: the default --per-client 4 would answer half of them 429
    ours_flags = ("--per-client", "8", "--trusted-proxies", "127.0.0.1")
    baseline = start_baseline(args.port + 2)
    server, startup = start(ROOT / "build", args.port, *ours_flags)
    try:
        rounds = []
        for _ in range(args.rounds):
            rounds.append((wrk(args.port + 2, card_paths, args.seconds), wrk(args.port, card_paths, args.seconds)))
        slow = under_slow_queries(args.port, 2 * (os.cpu_count() or 2), args.seconds)
    finally:
        stop(baseline)
    rows = []
    for i, (bare, ours) in enumerate(rounds, 1):
        rows.append((f"round {i}", f"{bare['rps']:.0f}", f"{bare['p99']:.2f}", f"{ours['rps']:.0f}",
                     f"{ours['p99']:.2f}", ours["non2xx"], f"{ours['rps'] / bare['rps']:.2f}x"))
    bare_rps = statistics.median(b["rps"] for b, _ in rounds)
    ours_rps = statistics.median(o["rps"] for _, o in rounds)
    report.append(f"## Entity cards side by side (rotating over {len(cards)} entities; interleaved rounds; "
                  f"ours with {' '.join(ours_flags)})\n")
    report.append(table(rows, ("round", "baseline q/s", "baseline p99 ms", "ours q/s", "ours p99 ms",
                               "ours non-2xx", "ours / baseline")))
    report.append(f"\nMedian: baseline {bare_rps:.0f} q/s, ours {ours_rps:.0f} q/s = **{ours_rps / bare_rps:.2f}x**.\n")
    report.append(f"`ASK {{}}` (wrk c=2) while {2 * (os.cpu_count() or 2)} clients each keep a slow query (~1 s "
                  f"of CPU) in flight: {slow['rps']:.0f} q/s, p50 {slow['p50']:.2f} ms, p99 {slow['p99']:.2f} ms, "
                  f"non-2xx {slow['non2xx']}.\n")
    try:
        rows = []
        for name, query in queries.items():
            m = wrk(args.port, [f"/sparql?query={quote(query)}"], max(2, args.seconds // 2))
            local = in_process(store, query, 300)
            rows.append((name, f"{m['rps']:.0f}", f"{m['p50']:.2f}", f"{m['p99']:.2f}", m["non2xx"],
                         f"{local['p50']:.3f}", f"{local['p99']:.3f}"))
        triples = json.loads((build / MANIFEST).read_text())["merged_triples"]
        report.append(f"## Example queries ({triples} triples, in-memory store, defaults but "
                      f"{' '.join(ours_flags)}; start-up {startup:.2f} s)\n")
        report.append(table(rows, ("query", "HTTP q/s", "HTTP p50 ms", "HTTP p99 ms", "non-2xx",
                                   "in-process p50 ms", "in-process p99 ms")))
        report.append(f"\nMemory of the server's processes (workers, zygote with the store, query processes): "
                      f"{', '.join(f'{m:.0f} MB' for m in process_tree_rss_mb(server.pid))}\n")
    finally:
        stop(server)

    with tempfile.TemporaryDirectory(dir=ROOT / "build") as tmp:
        began = time.perf_counter()
        large_out = Path(tmp)
        large = synthetic_build(build, args.copies, large_out / "large")
        (large_out / "current").symlink_to("large")
        generated = time.perf_counter() - began
        began = time.perf_counter()
        prepare_disk_store(large)
        loaded = time.perf_counter() - began
        size = json.loads((large / MANIFEST).read_text())["merged_triples"]
        server, startup = start(large_out, args.port + 1, "--store", "disk", *ours_flags)
        try:
            rows = []
            for name, query in queries.items():
                m = wrk(args.port + 1, [f"/sparql?query={quote(query)}"], max(2, args.seconds // 3), connections=2)
                rows.append((name, f"{m['rps']:.0f}", f"{m['p50']:.2f}", f"{m['p99']:.2f}", m["non2xx"]))
            memory = process_tree_rss_mb(server.pid)
        finally:
            stop(server)
        disk = open_disk_store(large / "oxigraph")
        card = in_process(disk, card_query(ID + "c7-chambery"), 500)
        report.append(f"## Large graph ({size} distinct triples; generated in {generated:.1f} s, bulk-loaded into "
                      f"the persistent store in {loaded:.1f} s; server start-up from it {startup:.2f} s)\n")
        report.append(table(rows, ("query", "HTTP q/s (c=2)", "HTTP p50 ms", "HTTP p99 ms", "non-2xx")))
        report.append(f"\nEntity card in-process on the persistent store: p50 {card['p50']:.3f} ms, "
                      f"p99 {card['p99']:.3f} ms. Memory per worker: {', '.join(f'{m:.0f} MB' for m in memory)}\n")

    text = "\n".join(report)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
