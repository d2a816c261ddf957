"""Remote engine mode and replicas, side by side at ~1 M triples (the generator of `bench/load.py`).

Per example query, with wrk (2 connections): ours embedded (memory store, and disk store); ours in remote mode in
front of Oxigraph server (loaded by `montagne-kg publish`'s own loader) and in front of Virtuoso
(`bench/virtuoso.py`'s bulk-loaded instance); and both engines queried directly. The front's overhead per request is
the difference of p50s between ours-in-front-of-an-engine and that engine alone. Then a CPU-bound query through nginx
(`deploy/nginx.conf`) to one replica and to two (embedded, one worker each, each pinned to a core of its own).

Run with `make bench` (it installs wrk, Virtuoso, nginx and the bench extra), or alone:
`.venv/bin/python bench/engines.py --out bench/ENGINES.md`.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import (  # noqa: E402
    OURS_FLAGS,
    answering,
    example_queries,
    launched,
    start,
    stop,
    synthetic_build,
    table,
    wrk,
)
from bench.virtuoso import MERGE_GRAPH, named_graphs, query_path, start_virtuoso  # noqa: E402
from montagne_kg.layout import current_build  # noqa: E402
from montagne_kg.publication import publish_oxigraph, stop_process  # noqa: E402

CPU_BOUND = "organisations-by-schema-type"  # ~50 ms at 1 M triples, all of it the engine's CPU


def start_pinned(out: Path, port: int, core: int) -> subprocess.Popen:
    """`montagne-kg serve` (one worker) with all its processes on CPU ``core``."""
    process = subprocess.Popen(["taskset", "-c", str(core), str(ROOT / ".venv" / "bin" / "montagne-kg"), "serve",
                                "--build-dir", str(out), "--port", str(port), "--workers", "1", *OURS_FLAGS],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return answering(process, f"http://127.0.0.1:{port}/-/health", "a pinned replica", attempts=1200)


def nginx(replica_ports: list[int], port: int, prefix: Path) -> subprocess.Popen:
    """nginx with deploy/nginx.conf (its ports changed; a single replica keeps only the first server line)."""
    text = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    text = text.replace("listen 127.0.0.1:8000;", f"listen 127.0.0.1:{port};")
    lines = []
    for line in text.splitlines():
        for index, default in enumerate(("127.0.0.1:8001", "127.0.0.1:8002")):
            if f"server {default} " in line:
                if index >= len(replica_ports):
                    line = None
                else:
                    line = line.replace(default, f"127.0.0.1:{replica_ports[index]}")
                break
        if line is not None:
            lines.append(line)
    prefix.mkdir(parents=True)
    (prefix / "logs").mkdir()
    (prefix / "tmp").mkdir()
    (prefix / "nginx.conf").write_text("\n".join(lines) + "\n", encoding="utf-8")
    process = subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-p", str(prefix), "-c",
                                str(prefix / "nginx.conf"), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return process


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=3, help="wrk duration per query and target")
    parser.add_argument("--copies", type=int, default=430, help="entity copies in the large graph (~2.3 k each)")
    parser.add_argument("--port", type=int, default=8865)
    parser.add_argument("--out", help="also write the report to this file")
    args = parser.parse_args()
    build = current_build(ROOT / "build")
    if build is None:
        print("no build: run `montagne-kg build` first", file=sys.stderr)
        return 1
    report = [f"# Remote engines and replicas ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
              f"{args.seconds} s per measurement)\n"]
    with contextlib.ExitStack() as running:
        tmp = Path(running.enter_context(tempfile.TemporaryDirectory(dir=ROOT / "build")))
        large = synthetic_build(build, args.copies, tmp / "large")
        (tmp / "current").symlink_to("large")
        p = args.port
        began = time.perf_counter()
        oxigraph = publish_oxigraph(large, "127.0.0.1", p + 10)
        running.callback(stop_process, oxigraph.pid)
        oxigraph_load = time.perf_counter() - began
        virtuoso, virtuoso_load = start_virtuoso(large, tmp / "virtuoso", p + 20)
        launched(running, virtuoso)
        virtuoso_url = f"http://127.0.0.1:{p + 20}/sparql"
        embedded, _ = start(tmp, p, *OURS_FLAGS)
        launched(running, embedded)
        on_disk, _ = start(tmp, p + 4, *OURS_FLAGS, "--store", "disk")
        launched(running, on_disk)
        remote_oxigraph, _ = start(tmp, p + 1, *OURS_FLAGS, "--engine", oxigraph.url)
        launched(running, remote_oxigraph)
        remote_virtuoso, _ = start(tmp, p + 2, *OURS_FLAGS, "--engine", virtuoso_url, "--engine-default-graph",
                                   MERGE_GRAPH)
        launched(running, remote_virtuoso)
        graphs = named_graphs(large)
        rows, overheads = [], {"Oxigraph server": [], "Virtuoso": []}
        for name, query in example_queries().items():
            ours_path = f"/sparql?query={quote(query)}"
            measured = {
                "embedded": wrk(p, [ours_path], args.seconds, connections=2),
                "embedded disk": wrk(p + 4, [ours_path], args.seconds, connections=2),
                "front+oxigraph": wrk(p + 1, [ours_path], args.seconds, connections=2),
                "oxigraph": wrk(p + 10, [f"/query?query={quote(query)}"], args.seconds, connections=2),
                "front+virtuoso": wrk(p + 2, [ours_path], args.seconds, connections=2),
                "virtuoso": wrk(p + 20, [query_path(query, graphs)], args.seconds, connections=2),
            }
            overheads["Oxigraph server"].append(measured["front+oxigraph"]["p50"] - measured["oxigraph"]["p50"])
            overheads["Virtuoso"].append(measured["front+virtuoso"]["p50"] - measured["virtuoso"]["p50"])
            rows.append((name, *(f"{m['rps']:.0f} / {m['p50']:.1f}" + (f" ({m['non2xx']} non-2xx)" if m["non2xx"]
                                                                         else "") for m in measured.values())))
        size = sum(1 for _ in open(large / "montagne-kg.nt", encoding="utf-8"))
        report += [f"## Every example query at {size} triples: q/s / p50 ms (c=2)\n",
                   f"Oxigraph server loaded by `oxigraph load` in {oxigraph_load:.1f} s; Virtuoso bulk-loaded in "
                   f"{virtuoso_load:.1f} s. Ours embedded: the default memory store, and `--store disk`.\n",
                   table(rows, ("query", "ours embedded", "ours embedded, disk store", "ours → Oxigraph server",
                                "Oxigraph server alone",
                                "ours → Virtuoso", "Virtuoso alone")),
                   "\nThe front's overhead per request (p50 in front of the engine − p50 of the engine alone), "
                   "median over the queries: " + "; ".join(
                       f"{engine} {sorted(values)[len(values) // 2]:.2f} ms" for engine, values in overheads.items())
                   + "\n"]
        for process in (remote_oxigraph, remote_virtuoso, on_disk):
            stop(process)

        # replicas: the CPU-bound query through nginx, one replica against two; each replica pinned to a core of
        # its own (taskset), as replicas on machines of their own would be (unpinned, one replica's query processes
        # already use both cores of this machine)
        query = example_queries()[CPU_BOUND]
        stop(embedded)
        for core, port in enumerate((p, p + 3)):
            launched(running, start_pinned(tmp, port, core))
        results = {}
        for replicas in ([p], [p, p + 3]):
            balancer = nginx(replicas, p + 30 + len(replicas), tmp / f"nginx-{len(replicas)}")
            try:
                results[len(replicas)] = wrk(p + 30 + len(replicas), [f"/sparql?query={quote(query)}"],
                                             args.seconds * 3, connections=4)
            finally:
                balancer.terminate()
                balancer.wait()
        one, two = results[1], results[2]
        report += [f"## Replicas behind nginx: `{CPU_BOUND}` at c=4 (each replica one worker, pinned to a core)\n",
                   table([("1 replica", f"{one['rps']:.1f}", f"{one['p50']:.1f}", one["non2xx"]),
                          ("2 replicas", f"{two['rps']:.1f}", f"{two['p50']:.1f}", two["non2xx"])],
                         ("through nginx", "q/s", "p50 ms", "non-2xx")),
                   f"\n2 replicas / 1: ×{two['rps'] / one['rps']:.2f} (each replica pinned to one of the 2 cores)\n"]
    text = "\n".join(report)
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
