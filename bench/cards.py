"""Entity cards only: the fixed baseline and `montagne-kg serve` in interleaved rounds (a quick check; `load.py` runs
everything). Run after `make bench` has installed wrk and gunicorn: `.venv/bin/python bench/cards.py [--rounds 3]`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import OURS_FLAGS, ROOT, card_query, entities, start, start_baseline, stop, wrk_with_cpu
from montagne_kg.layout import current_build


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
    paths = [f"/sparql?query={quote(card_query(i))}" for i in entities(build)]
    baseline = start_baseline(args.port + 2)
    try:
        ours, _ = start(ROOT / "build", args.port, *OURS_FLAGS)
        try:
            for round_ in range(1, args.rounds + 1):
                bare = wrk_with_cpu(baseline, args.port + 2, paths, args.seconds)
                mine = wrk_with_cpu(ours, args.port, paths, args.seconds)
                print(f"round {round_}: baseline {bare['rps']:.0f} q/s, p99 {bare['p99']:.2f} ms, "
                      f"{bare['cpu_us']:.0f} µs CPU/card | ours {mine['rps']:.0f} q/s, p99 {mine['p99']:.2f} ms, "
                      f"{mine['cpu_us']:.0f} µs CPU/card, non-2xx {mine['non2xx']} | "
                      f"{mine['rps'] / bare['rps']:.2f}x", flush=True)
        finally:
            stop(ours)
    finally:
        stop(baseline)
    return 0


if __name__ == "__main__":
    sys.exit(main())
