"""Where each deep or long query form crashes a query process, as configured: the smallest size at which any form
crashes sets the default of max_terms (half of it). Each query runs in a forked child on a thread with the query
processes' stack (``querypool.QUERY_STACK_BYTES``), as ``_query_process`` runs it; a child killed by a signal (not the
alarm) crashed. Run: `.venv/bin/python bench/query_size.py [--stack BYTES] [--forms not,plus,…]` (minutes)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from montagne_kg.serving.query_bounds import count_terms
from montagne_kg.serving.querypool import QUERY_STACK_BYTES

P = "<http://e/p>"
LARGEST = 600_000  # repetitions tried at most (doubling from 1)
SECONDS = 30  # a child still running after this is counted as not crashed
FORMS: dict[str, Callable[[int], str]] = {
    "not": lambda n: "ASK { FILTER(" + "!" * n + "true) }",
    "plus": lambda n: "ASK { FILTER(" + "+".join(["1"] * n) + " > 0) }",
    "or": lambda n: "ASK { FILTER(" + "||".join(["true"] * n) + ") }",
    "and": lambda n: "ASK { FILTER(" + "&&".join(["true"] * n) + ") }",
    "sequence path": lambda n: "ASK { ?s " + "/".join([P] * n) + " ?o }",
    "alternative path": lambda n: "ASK { ?s " + "|".join([P] * n) + " ?o }",
    "union": lambda n: "ASK { " + " UNION ".join(["{}"] * n) + " }",
    "optional": lambda n: "ASK { " + " ".join(["OPTIONAL { ?s ?p ?o }"] * n) + " }",
    "minus": lambda n: "ASK { ?s ?p ?o " + " ".join(["MINUS { ?s ?p ?o }"] * n) + " }",
    "bind": lambda n: "ASK { " + " ".join(f"BIND(1 AS ?v{i})" for i in range(n)) + " }",
    "filter": lambda n: "ASK { ?s ?p ?o " + " ".join(["FILTER(true)"] * n) + " }",
    "triple patterns": lambda n: "ASK { " + " ".join(f"?s{i} ?p ?o ." for i in range(n)) + " }",
    "values": lambda n: "SELECT * { VALUES ?x { "
                        + " ".join(f"<http://www.wikidata.org/entity/Q{i}>" for i in range(n)) + " } }",
}


def crashes(store: ox.Store, query: str, stack: int) -> bool:
    pid = os.fork()
    if pid == 0:
        signal.alarm(SECONDS)

        def run() -> None:
            try:
                result = store.query(query)
                if not isinstance(result, ox.QueryBoolean):
                    list(result)
            except (SyntaxError, ValueError, OSError, RuntimeError):
                pass

        threading.stack_size(stack)
        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.WIFSIGNALED(status) and os.WTERMSIG(status) != signal.SIGALRM


def smallest_crash(store: ox.Store, form: Callable[[int], str], stack: int) -> int | None:
    """The smallest repetition count that crashes (within 2 %), or None if none up to LARGEST."""
    fine, n = 0, 1
    while not crashes(store, form(n), stack):
        if n >= LARGEST:
            return None
        fine, n = n, min(n * 2, LARGEST)
    while n - fine > max(1, fine // 50):
        middle = (fine + n) // 2
        if crashes(store, form(middle), stack):
            n = middle
        else:
            fine = middle
    return n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stack", type=int, default=QUERY_STACK_BYTES)
    parser.add_argument("--forms", default=",".join(FORMS))
    args = parser.parse_args()
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.NamedNode("http://e/o")))
    print(f"stack {args.stack // 2**20} MiB\n\n| form | crashes at (repetitions) | terms | bytes |\n|---|---|---|---|")
    for name in args.forms.split(","):
        n = smallest_crash(store, FORMS[name], args.stack)
        if n is None:
            query = FORMS[name](LARGEST)
            print(f"| {name} | none up to {LARGEST} | > {count_terms(query)} | > {len(query)} |", flush=True)
        else:
            query = FORMS[name](n)
            print(f"| {name} | {n} | {count_terms(query)} | {len(query)} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
