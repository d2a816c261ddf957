"""Virtuoso Open Source (Debian's virtuoso-opensource-7-bin) as the benchmark runs it beside us.

A private instance in a directory of its own: the build's named graphs bulk-loaded, and its merge in a graph of its
own that queries name as their default graph, with the build's named graphs as named graphs (Virtuoso's default
dataset is the union of all graphs, its own system graphs included; our default graph is the RDF merge). Limits as a
public endpoint would set them: `MaxQueryExecutionTime` 10 s and `ResultSetMaxRows` 10 000 (our defaults), one
thread per query. `make bench` installs the package when `virtuoso-t` is missing.

Answers are not checked against ours: with this dataset every example gives our row count except `agreements`
(2 rows of 13; its `GRAPH ?release` with `rdfs:subClassOf*`; cause not investigated), so its figure is not like
for like.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

from montagne_kg.formats import by_name
from montagne_kg.layout import dump_name
from montagne_kg.publication import VIRTUOSO_INI

MERGE_GRAPH = "https://w3id.org/montagne-kg/graph/merge"  # the bench's own name for the merge inside Virtuoso


def named_graphs(build: Path) -> list[str]:
    """The named graphs of the build (the last term of each N-Quads line)."""
    found = set()
    with open(build / dump_name(by_name("nquads")), encoding="utf-8") as quads:
        for line in quads:
            found.add(line.rstrip(" .\n").rsplit(" ", 1)[1].strip("<>"))
    return sorted(found)


def query_path(query: str, graphs: list[str]) -> str:
    """The GET path of ``query`` over the merge, with the build's named graphs (SPARQL 1.1 Protocol dataset)."""
    dataset = "".join(f"&named-graph-uri={quote(g)}" for g in graphs)
    return f"/sparql?default-graph-uri={quote(MERGE_GRAPH)}{dataset}&query={quote(query)}"


def isql(isql_port: int, statements: str) -> None:
    subprocess.run(["isql-vt", str(isql_port), "dba", "dba", f"exec={statements}"], check=True, capture_output=True,
                   timeout=3600)


def start_virtuoso(build: Path, workdir: Path, port: int) -> tuple[subprocess.Popen, float]:
    """Virtuoso serving ``build`` at http://127.0.0.1:<port>/sparql; returns the process and the load time (s)."""
    workdir.mkdir(parents=True, exist_ok=True)
    data = workdir / "data"
    data.mkdir(exist_ok=True)
    quads, merged = (build / dump_name(by_name(name)) for name in ("nquads", "ntriples"))
    shutil.copy(quads, data / quads.name)
    shutil.copy(merged, data / merged.name)
    isql_port = port + 1000
    (workdir / "virtuoso.ini").write_text(VIRTUOSO_INI.format(  # the ini `montagne-kg publish` writes
        dir=workdir, host="127.0.0.1", port=port, isql_port=isql_port, max_rows=10_000, time_limit=10,
        memory_limit=1024), encoding="utf-8")
    process = subprocess.Popen(["virtuoso-t", "+foreground", "+configfile", str(workdir / "virtuoso.ini")],
                               cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        if subprocess.run(["isql-vt", str(isql_port), "dba", "dba", "exec=status();"], capture_output=True,
                          timeout=30).returncode == 0:
            break
        time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError(f"virtuoso did not start (see {workdir}/virtuoso.log)")
    began = time.perf_counter()
    isql(isql_port, f"ld_dir('{data}', '{quads.name}', 'urn:unused'); "
                    f"ld_dir('{data}', '{merged.name}', '{MERGE_GRAPH}'); rdf_loader_run(); checkpoint;")
    return process, time.perf_counter() - began
