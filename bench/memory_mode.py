"""Memory mode at ~1 M triples: when /-/health says ready, whether queries are answered then, and what killing
a query process costs (loopback only). Run after `make build`: `.venv/bin/python bench/memory_mode.py`."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import card_query, synthetic_build  # noqa: E402
from montagne_kg.layout import current_build  # noqa: E402

ID = "https://w3id.org/montagne-kg/id/"


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def main() -> int:
    port = 8799
    card = f"http://127.0.0.1:{port}/sparql?query={quote(card_query(ID + 'c7-chambery'))}"
    with tempfile.TemporaryDirectory(dir=ROOT / "build") as tmp:
        out = Path(tmp)
        large = synthetic_build(current_build(ROOT / "build"), 430, out / "large")
        (out / "current").symlink_to("large")
        began = time.perf_counter()
        server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "montagne-kg"), "serve", "--build-dir", str(out),
                                   "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            first_health = loading = None
            while True:
                try:
                    status, body = get(f"http://127.0.0.1:{port}/-/health")
                except OSError:
                    time.sleep(0.05)
                    continue
                first_health = first_health or time.perf_counter() - began
                if status == 503:
                    loading = json.loads(body)["status"]
                if status == 200:
                    ready = time.perf_counter() - began
                    break
                time.sleep(0.05)
            at = time.perf_counter()
            status, _ = get(card)
            first_query = time.perf_counter() - at
            zygote = subprocess.run(["pgrep", "-f", "multiprocessing.spawn"], capture_output=True,
                                    text=True).stdout.split()
            children = [p for z in zygote for p in subprocess.run(["pgrep", "-P", z], capture_output=True,
                                                                   text=True).stdout.split()]
            subprocess.run(["kill", "-9", *children], check=True)
            at = time.perf_counter()
            after_kill = [get(card)[0] for _ in range(3)]
            after = time.perf_counter() - at
            size = json.loads((large / "manifest.json").read_text())["merged_triples"]
            print(f"{size} triples in memory: /-/health answered after {first_health:.2f} s ({loading} until ready), "
                  f"ready after {ready:.2f} s; first card then {status} in {first_query * 1000:.1f} ms; "
                  f"{len(children)} query processes killed, the next 3 cards {after_kill} in {after * 1000:.1f} ms")
        finally:
            server.terminate()
            server.wait(timeout=60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
