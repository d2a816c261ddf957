"""Entity cards (`SELECT ?p ?o WHERE { <entity> ?p ?o }` over the build's entities) in interleaved rounds, side by
side: the raw baseline (`raw_endpoint.py`: a WSGI app under granian, 2 workers, no framework, no limits), the older
reference (`bare_endpoint.py`: Flask under sync gunicorn), Oxigraph server (`serve-read-only`, same engine version)
and `montagne-kg serve` with its default settings (per-client limits raised so that no answer is a 429). Run after
`make bench` has installed wrk: `.venv/bin/python bench/cards.py [--rounds 3] [--seconds 10]`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import (
    OURS_FLAGS,
    ROOT,
    answering,
    card_query,
    entities,
    start,
    start_baseline,
    start_oxigraph,
    stop,
    wrk_with_cpu,
)
from montagne_kg.layout import current_build
from montagne_kg.serving.store import prepare_disk_store


def start_raw(port: int) -> subprocess.Popen:
    """The raw baseline under granian, 2 workers."""
    process = subprocess.Popen([str(ROOT / ".venv" / "bin" / "granian"), "--interface", "wsgi", "--workers", "2",
                                "--host", "127.0.0.1", "--port", str(port), "--factory", "bench.raw_endpoint:create"],
                               cwd=ROOT, env={**os.environ, "MONTAGNE_KG_BENCH_BUILD": str(ROOT / "build")},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return answering(process, f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D", "the raw baseline")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--port", type=int, default=8800)
    args = parser.parse_args()
    build = current_build(ROOT / "build")
    if build is None:
        print("no build: run `montagne-kg build` first", file=sys.stderr)
        return 2
    cards = [quote(card_query(i)) for i in entities(build)]
    servers: dict[str, tuple[subprocess.Popen, int, list[str]]] = {}
    try:
        servers["raw granian + pyoxigraph (baseline)"] = (start_raw(args.port + 1), args.port + 1,
                                                          [f"/sparql?query={c}" for c in cards])
        servers["Flask + gunicorn sync (older reference)"] = (start_baseline(args.port + 2), args.port + 2,
                                                              [f"/sparql?query={c}" for c in cards])
        servers["Oxigraph server"] = (start_oxigraph(prepare_disk_store(build), args.port + 3), args.port + 3,
                                      [f"/query?query={c}" for c in cards])
        servers["montagne-kg serve"] = (start(ROOT / "build", args.port, *OURS_FLAGS)[0], args.port,
                                        [f"/sparql?query={c}" for c in cards])
        print(f"{len(cards)} entities, wrk -t2 -c8, {args.seconds} s per server per round\n")
        print("| round | server | answers/s | p99 ms | CPU µs/answer | non-2xx | × baseline |")
        print("|---|---|---|---|---|---|---|")
        for round_ in range(1, args.rounds + 1):
            measured = {name: wrk_with_cpu(process, port, paths, args.seconds)
                        for name, (process, port, paths) in servers.items()}
            base = measured["raw granian + pyoxigraph (baseline)"]["rps"]
            for name, m in measured.items():
                print(f"| {round_} | {name} | {m['rps']:.0f} | {m['p99']:.2f} | {m['cpu_us']:.0f} | "
                      f"{m['non2xx']:.0f} | {m['rps'] / base:.2f} |", flush=True)
    finally:
        for process, _, _ in servers.values():
            stop(process)
    return 0


if __name__ == "__main__":
    sys.exit(main())
