"""What one search costs a worker at the bounds (max_search_chars, max_search_words), worst texts first: words that
occur in nearly every name and sentence, so that every check runs. Run after `make build`:
`.venv/bin/python bench/search.py` (the target: at most 50 ms at the bounds)."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from montagne_kg.serving import create_app  # noqa: E402
from montagne_kg.serving.settings import BY_NAME, Settings  # noqa: E402

ROUNDS = 20
COMMON = "aeiounrstlcmpdgbfhvz"  # letters, most common first in French names


def texts() -> dict[str, str]:
    words, chars = int(BY_NAME["max_search_words"].default), int(BY_NAME["max_search_chars"].default)
    letters = " ".join(COMMON[:words])
    pairs = " ".join(COMMON[i:i + 2] for i in range(words))
    long_words = " ".join(["chambery"] * words)[:chars]
    return {f"{words} one-letter words": letters, f"{words} two-letter words": pairs,
            f"{len(long_words)} characters of repeated names": long_words, "one common word": "de"}


def main() -> int:
    app = create_app({"SETTINGS": Settings(build_dir=ROOT / "build", search_time_limit=60)})
    client = app.test_client()
    client.get("/search?q=x")  # the index is folded once per worker
    print("| search text | route | median | max |\n|---|---|---|---|")
    try:
        for name, text in texts().items():
            for route, fmt in (("/search", "html"), ("/search", "json"), ("/search/suggest", "json")):
                took = []
                for _ in range(ROUNDS):
                    began = time.perf_counter()
                    response = client.get(route, query_string={"q": text, "format": fmt})
                    took.append(time.perf_counter() - began)
                    assert response.status_code == 200, response.data
                median, most = statistics.median(took) * 1000, max(took) * 1000
                print(f"| {name} | `{route}` {fmt} | {median:.1f} ms | {most:.1f} ms |")
    finally:
        app.extensions["kg"].close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
