"""Load benchmark: wrk against the server started as the README starts it, side by side with the fixed baseline
(bare Flask + pyoxigraph, sync gunicorn, 2 workers: `bench/bare_endpoint.py`), Oxigraph server and Virtuoso
(`bench/virtuoso.py`) in interleaved rounds; cheap queries while slow ones hold query processes; every example query,
also in-process on pyoxigraph; and a ~1 M-triple graph of the same shape (ours in the default memory store).

Run with `make bench` (installs Debian's wrk and virtuoso-opensource-7-bin when missing). Prints a Markdown
report; `--out FILE` saves it.
"""

from __future__ import annotations

import argparse
import contextlib
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

from bench.virtuoso import named_graphs, query_path, start_virtuoso  # noqa: E402
from montagne_kg.layout import DISK_STORE, MANIFEST, current_build  # noqa: E402
from montagne_kg.serving.federation import may_use_service  # noqa: E402
from montagne_kg.serving.store import load_store, open_disk_store, prepare_disk_store  # noqa: E402

ID = "https://w3id.org/montagne-kg/id/"
GENID = "https://w3id.org/montagne-kg/.well-known/genid/"
ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}
# wrk's 8 connections come from one address: the default --per-client 4 would answer half of them 429
OURS_FLAGS = ("--per-client", "8", "--trusted-proxies", "127.0.0.1")


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


def answering(process: subprocess.Popen, url: str, what: str, attempts: int = 600) -> subprocess.Popen:
    """``process`` once ``url`` answers 200 (RuntimeError naming ``what`` if it never does)."""
    for _ in range(attempts):
        try:
            with urllib.request.urlopen(url, timeout=1):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{what} did not start")


def start(out: Path, port: int, *flags: str) -> tuple[subprocess.Popen, float]:
    """`montagne-kg serve` as the README runs it; returns the process and seconds until /-/health answered."""
    began = time.perf_counter()
    process = subprocess.Popen([str(ROOT / ".venv" / "bin" / "montagne-kg"), "serve", "--build-dir", str(out), "--port",
                                str(port), *flags], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    answering(process, f"http://127.0.0.1:{port}/-/health", "montagne-kg serve", attempts=1200)
    return process, time.perf_counter() - began


def start_baseline(port: int) -> subprocess.Popen:
    """The fixed baseline: bench/bare_endpoint.py under gunicorn, 2 sync workers, no proxy, no cache."""
    process = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", "2", "-k", "sync", "-b",
                                f"127.0.0.1:{port}", "bench.bare_endpoint:create('build')"], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return answering(process, f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D", "the baseline")


def start_oxigraph(location: Path, port: int, *flags: str) -> subprocess.Popen:
    """Oxigraph server (the `oxigraph` CLI from PyPI, same engine version as our pyoxigraph) serving a store read-only.

    The engine users would pick instead. Measured without ``--timeout-s`` unless asked: with it, every query gets a
    timeout thread, and under wrk's load thread creation fails (EAGAIN: 500s), then a thread panics (see
    ``timeout_under_load``).
    """
    process = subprocess.Popen([str(ROOT / ".venv" / "bin" / "oxigraph"), "serve-read-only", "--location",
                                str(location), "--bind", f"127.0.0.1:{port}", *flags],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return answering(process, f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", "oxigraph server")


def timeout_under_load(location: Path, port: int, paths: list[str], seconds: int) -> str:
    """Oxigraph server with ``--timeout-s 10`` under the cards load: what holds (answers, errors, still running)."""
    process = start_oxigraph(location, port, "--timeout-s", "10")
    try:
        measured = wrk(port, paths, seconds)
        outcome = f"{measured['rps']:.0f} q/s, {measured['non2xx']} non-2xx answers"
    except subprocess.CalledProcessError:
        outcome = "wrk could not finish"
    finally:
        exited = process.poll()
        stop(process)
    return f"{outcome}; server {'still running' if exited is None else f'ended with status {exited}'}"


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
    """End a server started here (nothing to do if it already ended)."""
    if process.poll() is None:
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
    """RSS of each child of the server (workers, zygote) together with all its descendants, in MB."""
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    sizes = []
    for child in children:
        total = 0
        for p in process_tree(int(child)):
            status = Path(f"/proc/{p}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))
        sizes.append(total / 1024)
    return sizes


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [pid, *(p for child in children for p in process_tree(int(child)))]


def tree_cpu_seconds(pid: int) -> dict[int, float]:
    """CPU seconds (user + system) used so far by each process of the tree under ``pid``."""
    used = {}
    for p in process_tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        used[p] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


def wrk_with_cpu(server: subprocess.Popen, port: int, paths: list[str], seconds: int) -> dict[str, float]:
    """wrk's figures plus the server's CPU microseconds per answer (all its processes; steadier than q/s)."""
    before = tree_cpu_seconds(server.pid)
    measured = wrk(port, paths, seconds)
    after = tree_cpu_seconds(server.pid)
    spent = sum(t - before.get(p, 0.0) for p, t in after.items())
    measured["cpu_us"] = spent / max(1.0, measured["rps"] * seconds) * 1e6
    return measured


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
    with contextlib.ExitStack() as running:  # every server started here is stopped, whatever fails
        report += small_graph(args, build, running)
        report += large_graph(args, build, running)
    text = "\n".join(report)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    return 0


def launched(running: contextlib.ExitStack, process: subprocess.Popen) -> subprocess.Popen:
    running.callback(stop, process)
    return process


def small_graph(args: argparse.Namespace, build: Path, running: contextlib.ExitStack) -> list[str]:
    """Cards side by side (baseline, ours, Oxigraph server), cheap queries under slow ones, every example query."""
    report = []
    card_paths = [f"/sparql?query={quote(card_query(i))}" for i in entities(build)]
    engine_paths = ["/query" + p.removeprefix("/sparql") for p in card_paths]
    graphs = named_graphs(build)
    virtuoso_paths = [query_path(card_query(i), graphs) for i in entities(build)]
    baseline = launched(running, start_baseline(args.port + 2))
    engine = launched(running, start_oxigraph(prepare_disk_store(build), args.port + 3))
    virtuoso, _ = start_virtuoso(build, Path(running.enter_context(tempfile.TemporaryDirectory())), args.port + 5)
    launched(running, virtuoso)
    server, startup = start(ROOT / "build", args.port, *OURS_FLAGS)
    launched(running, server)
    rounds = [(wrk_with_cpu(baseline, args.port + 2, card_paths, args.seconds),
               wrk_with_cpu(server, args.port, card_paths, args.seconds),
               wrk(args.port + 3, engine_paths, args.seconds), wrk(args.port + 5, virtuoso_paths, args.seconds))
              for _ in range(args.rounds)]
    stop(baseline)
    slow = under_slow_queries(args.port, 2 * (os.cpu_count() or 2), args.seconds)
    engine_timeout = timeout_under_load(prepare_disk_store(build), args.port + 4, engine_paths, args.seconds)
    rows = [(f"round {i}", f"{bare['rps']:.0f}", f"{bare['p99']:.2f}", f"{bare['cpu_us']:.0f}", f"{ours['rps']:.0f}",
             f"{ours['p99']:.2f}", f"{ours['cpu_us']:.0f}", ours["non2xx"], f"{ours['rps'] / bare['rps']:.2f}x",
             f"{other['rps']:.0f}", f"{other['p99']:.2f}", f"{virt['rps']:.0f}", f"{virt['p99']:.2f}")
            for i, (bare, ours, other, virt) in enumerate(rounds, 1)]
    bare_rps, ours_rps, engine_rps, virtuoso_rps = (statistics.median(r[k]["rps"] for r in rounds) for k in range(4))
    report.append(f"## Entity cards side by side (rotating over {len(card_paths)} entities; interleaved rounds; "
                  f"ours with {' '.join(OURS_FLAGS)})\n")
    report.append(table(rows, ("round", "baseline q/s", "baseline p99 ms", "baseline CPU µs/card", "ours q/s",
                               "ours p99 ms", "ours CPU µs/card", "ours non-2xx", "ours / baseline",
                               "Oxigraph server q/s", "Oxigraph p99 ms", "Virtuoso q/s", "Virtuoso p99 ms")))
    report.append(f"\nMedian: baseline {bare_rps:.0f} q/s, ours {ours_rps:.0f} q/s = **{ours_rps / bare_rps:.2f}x**; "
                  f"Oxigraph server {engine_rps:.0f} q/s (ours = {ours_rps / engine_rps:.2f}x); Virtuoso "
                  f"{virtuoso_rps:.0f} q/s (ours = {ours_rps / virtuoso_rps:.2f}x). The same Oxigraph "
                  f"server with `--timeout-s 10` (its only query limit): {engine_timeout}.\n")
    report.append(f"`ASK {{}}` (wrk c=2) while {2 * (os.cpu_count() or 2)} clients each keep a slow query (~1 s "
                  f"of CPU) in flight: {slow['rps']:.0f} q/s, p50 {slow['p50']:.2f} ms, p99 {slow['p99']:.2f} ms, "
                  f"non-2xx {slow['non2xx']}.\n")
    store = load_store(build)
    rows = []
    for name, query in example_queries().items():
        ours = wrk(args.port, [f"/sparql?query={quote(query)}"], max(2, args.seconds // 2))
        other = wrk(args.port + 3, [f"/query?query={quote(query)}"], max(2, args.seconds // 2))
        virt = wrk(args.port + 5, [query_path(query, graphs)], max(2, args.seconds // 2))
        local = in_process(store, query, 300)
        rows.append((name, f"{ours['rps']:.0f}", f"{ours['p50']:.2f}", f"{ours['p99']:.2f}", ours["non2xx"],
                     f"{other['rps']:.0f}", f"{other['p50']:.2f}", f"{virt['rps']:.0f}", f"{virt['p50']:.2f}",
                     virt["non2xx"], f"{local['p50']:.3f}", f"{local['p99']:.3f}"))
    triples = json.loads((build / MANIFEST).read_text())["merged_triples"]
    report.append(f"## Example queries ({triples} triples, in-memory store, defaults but {' '.join(OURS_FLAGS)}; "
                  f"start-up {startup:.2f} s; Oxigraph server on the build's persistent store)\n")
    report.append(table(rows, ("query", "HTTP q/s", "HTTP p50 ms", "HTTP p99 ms", "non-2xx", "Oxigraph server q/s",
                               "Oxigraph p50 ms", "Virtuoso q/s", "Virtuoso p50 ms", "Virtuoso non-2xx",
                               "in-process p50 ms", "in-process p99 ms")))
    report.append(f"\nMemory of the server's processes (workers, zygote with the store, query processes): "
                  f"{', '.join(f'{m:.0f} MB' for m in process_tree_rss_mb(server.pid))}\n")
    stop(server)
    stop(engine)
    stop(virtuoso)
    return report


def large_graph(args: argparse.Namespace, build: Path, running: contextlib.ExitStack) -> list[str]:
    """Every example query at ~1 M triples: ours in the default store (memory), Oxigraph server on disk."""
    tmp = Path(running.enter_context(tempfile.TemporaryDirectory(dir=ROOT / "build")))
    began = time.perf_counter()
    large = synthetic_build(build, args.copies, tmp / "large")
    (tmp / "current").symlink_to("large")
    generated = time.perf_counter() - began
    began = time.perf_counter()
    prepare_disk_store(large)
    loaded = time.perf_counter() - began
    size = json.loads((large / MANIFEST).read_text())["merged_triples"]
    server, startup = start(tmp, args.port + 1, *OURS_FLAGS)
    launched(running, server)
    engine = launched(running, start_oxigraph(large / DISK_STORE, args.port + 3))
    virtuoso, virtuoso_load = start_virtuoso(large, tmp / "virtuoso", args.port + 5)
    launched(running, virtuoso)
    graphs = named_graphs(large)
    rows = []
    for name, query in example_queries().items():
        ours = wrk(args.port + 1, [f"/sparql?query={quote(query)}"], max(2, args.seconds // 3), connections=2)
        other = wrk(args.port + 3, [f"/query?query={quote(query)}"], max(2, args.seconds // 3), connections=2)
        virt = wrk(args.port + 5, [query_path(query, graphs)], max(2, args.seconds // 3), connections=2)
        rows.append((name, f"{ours['rps']:.0f}", f"{ours['p50']:.2f}", f"{ours['p99']:.2f}", ours["non2xx"],
                     f"{other['rps']:.0f}", f"{other['p50']:.2f}", other["non2xx"], f"{virt['rps']:.0f}",
                     f"{virt['p50']:.2f}", virt["non2xx"]))
    memory = process_tree_rss_mb(server.pid)
    stop(server)
    stop(engine)
    stop(virtuoso)
    card = in_process(open_disk_store(large / DISK_STORE), card_query(ID + "c7-chambery"), 500)
    return [f"## Large graph ({size} distinct triples; generated in {generated:.1f} s, bulk-loaded into the persistent "
            f"store in {loaded:.1f} s; ours in the default store (memory), ready in {startup:.1f} s; Oxigraph server "
            f"on the persistent store; Virtuoso bulk-loaded in {virtuoso_load:.1f} s)\n",
            table(rows, ("query", "ours q/s (c=2)", "ours p50 ms", "ours p99 ms", "ours non-2xx", "Oxigraph server q/s",
                         "Oxigraph p50 ms", "Oxigraph non-2xx", "Virtuoso q/s", "Virtuoso p50 ms", "Virtuoso non-2xx")),
            f"\nEntity card in-process on the persistent store: p50 {card['p50']:.3f} ms, p99 {card['p99']:.3f} ms. "
            f"Memory of our server's processes: {', '.join(f'{m:.0f} MB' for m in memory)}\n"]


if __name__ == "__main__":
    sys.exit(main())
