"""`montagne-kg publish`: a build loaded into an engine store of its own, served by that engine's own process.

Each published build gets a fresh store and a fresh engine process on its own loopback port: Oxigraph server
(`oxigraph load`, then `oxigraph serve-read-only`) or Virtuoso (``virtuoso.py``). The store holds the build's named
graphs and, as the default graph (Oxigraph) or a graph the front names as default (Virtuoso), their RDF merge — the
dataset of the embedded mode. Only once the engine answers with the build's own triple count is its URL recorded in
the build directory (``engine.json``), so `serve --engine published` never switches to a half-loaded or mixed
graph; on SIGHUP it switches to the newest build's engine, and the old engine is retired once no front serves its
build any more.

Shared by the `publish` command and the serving process manager; never imported by the workers.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from montagne_kg import formats
from montagne_kg.layout import MANIFEST, PUBLISHED_ENGINE, dump_name, graph_file_name, published_engine
from montagne_kg.serving.settings import Settings

OXIGRAPH_STORE = "engine-oxigraph"  # the published Oxigraph server's store, in the build directory
ENGINE_LOG = "engine.log"
START_SECONDS = 60.0
COUNT_TRIPLES = "SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }"
STARTED: list[subprocess.Popen] = []  # engines started here: they outlive this process on purpose, unreaped till then


class PublishFailed(RuntimeError):
    """The build could not be published; the message says why (the build stays as it was)."""


@dataclass(frozen=True)
class PublishedEngine:
    """What `publish` records in the build directory (``engine.json``)."""

    kind: str  # oxigraph | virtuoso
    url: str  # the SPARQL query endpoint
    pid: int  # the engine process, stopped when the build is retired
    store: str  # the engine's own directory
    triples: int  # the default graph's triples, as the engine counted them
    default_graph: str = ""  # sent as default-graph-uri (Virtuoso's default dataset is every graph)


def engine_command(name: str) -> str:
    """An engine's command: beside this Python (a venv's bin/, where pip puts `oxigraph`), else on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise PublishFailed(f"`{name}` is not installed (pip install oxigraph gives Oxigraph server)")
    return found


def count_triples(url: str, default_graph: str = "", timeout: float = 30.0) -> int | None:
    """The default graph's triples as the engine at ``url`` counts them; None if it does not answer (yet)."""
    fields = {"query": COUNT_TRIPLES, **({"default-graph-uri": default_graph} if default_graph else {})}
    try:
        response = httpx.post(url, data=fields, headers={"Accept": "application/sparql-results+json"},
                              timeout=timeout, trust_env=False)
    except httpx.TransportError:
        return None
    if response.status_code != 200:
        return None
    return int(response.json()["results"]["bindings"][0]["triples"]["value"])


def wait_for_count(url: str, process: subprocess.Popen, expected: int, default_graph: str = "") -> int:
    """Wait until the engine answers; its count, which must be ``expected`` (PublishFailed otherwise)."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise PublishFailed(f"the engine exited with status {process.returncode} before answering")
        counted = count_triples(url, default_graph)
        if counted is not None:
            if counted != expected:
                raise PublishFailed(f"the engine holds {counted} triples in its default graph, the build {expected}")
            return counted
        time.sleep(0.1)
    raise PublishFailed(f"the engine did not answer at {url} within {START_SECONDS:g} s")


def publish_oxigraph(build: Path, host: str, port: int) -> PublishedEngine:
    """`oxigraph load` of the build into a new store (in a temporary directory renamed into place), then
    `oxigraph serve-read-only` on it at ``host:port`` (no --timeout-s: it crashed under load when measured)."""
    oxigraph = engine_command("oxigraph")
    target = build / OXIGRAPH_STORE
    if target.exists():
        raise PublishFailed(f"{target} exists: build {build.name} is already published (or was not retired)")
    quads, merged = (build / dump_name(formats.by_name(name)) for name in ("nquads", "ntriples"))
    loading = Path(tempfile.mkdtemp(prefix=".engine-oxigraph-", dir=build))
    try:
        for dump in (quads, merged):  # the named graphs, then their merge as the default graph
            done = subprocess.run([oxigraph, "load", "--location", str(loading), "--file", str(dump)],
                                  capture_output=True, text=True)
            if done.returncode != 0:
                raise PublishFailed(f"oxigraph load {dump.name} failed: {done.stderr.strip().splitlines()[0]}")
        os.replace(loading, target)
    finally:
        if loading.exists():
            shutil.rmtree(loading)
    url = f"http://{host}:{port}/query"
    process = start_detached([oxigraph, "serve-read-only", "--location", str(target), "--bind", f"{host}:{port}"],
                             build / ENGINE_LOG)
    expected = json.loads((build / MANIFEST).read_text(encoding="utf-8"))["merged_triples"]
    try:
        counted = wait_for_count(url, process, expected)
    except PublishFailed:
        stop_process(process.pid)
        shutil.rmtree(target)
        raise
    return PublishedEngine("oxigraph", url, process.pid, str(target), counted)


VIRTUOSO_STORE = "engine-virtuoso"  # the published Virtuoso instance's directory, in the build directory
VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = {host}:{isql_port}
NumberOfBuffers = 170000
MaxDirtyBuffers = 130000
DirsAllowed = {dir}
ThreadsPerQuery = 1
MaxQueryMem = {memory_limit}M

[HTTPServer]
ServerPort = {host}:{port}
ServerThreads = 8
MaxClientConnections = 8

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = {time_limit}
MaxQueryCostEstimationTime = 0
"""
SQL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
VIRTUOSO_GSP = "/sparql-graph-crud-auth"  # the Graph Store Protocol with digest authentication


def isql(port: int, password: str, statements: str) -> None:
    """Run SQL statements as dba through Virtuoso's isql (PublishFailed with its message if they fail)."""
    done = subprocess.run(["isql-vt", str(port), "dba", password, f"exec={statements}"], capture_output=True,
                          text=True, timeout=600)
    if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
        raise PublishFailed(f"virtuoso refused {statements.split(';')[0]!r}: {(done.stdout + done.stderr).strip()}")


def publish_virtuoso(build: Path, settings: Settings) -> PublishedEngine:
    """A fresh Virtuoso database in an instance of its own (a throwaway virtuoso.ini, loopback ports: HTTP at
    ``publish_port``, isql at the next port): dba's password replaced by a random one (kept in the instance
    directory, mode 600), a loader account that is not dba, and every graph PUT by the Graph Store Protocol with
    digest authentication — the named graphs as they are, their merge in a graph of its own that the front names as
    the default graph. The engine's limits are set from the front's: MaxQueryExecutionTime, ResultSetMaxRows (one
    more than the row cap, so that the front sees the cut and says so) and MaxQueryMem."""
    virtuoso = engine_command("virtuoso-t")
    target = build / VIRTUOSO_STORE
    if target.exists():
        raise PublishFailed(f"{target} exists: build {build.name} is already published (or was not retired)")
    target.mkdir()
    host, port = settings.publish_host, settings.publish_port
    (target / "virtuoso.ini").write_text(VIRTUOSO_INI.format(
        dir=target, host=host, port=port, isql_port=port + 1, max_rows=settings.max_rows + 1,
        time_limit=int(settings.time_limit), memory_limit=settings.memory_limit), encoding="utf-8")
    process = start_detached([virtuoso, "+foreground", "+configfile", str(target / "virtuoso.ini")],
                             build / ENGINE_LOG, cwd=target)
    try:
        return load_virtuoso(build, target, process, settings)
    except (PublishFailed, OSError, subprocess.SubprocessError, httpx.HTTPError):
        stop_process(process.pid)
        shutil.rmtree(target, ignore_errors=True)
        raise


def load_virtuoso(build: Path, target: Path, process: subprocess.Popen, settings: Settings) -> PublishedEngine:
    host, port = settings.publish_host, settings.publish_port
    deadline = time.monotonic() + START_SECONDS
    while subprocess.run(["isql-vt", str(port + 1), "dba", "dba", "exec=status();"], capture_output=True,
                         timeout=30).returncode != 0:
        if process.poll() is not None or time.monotonic() > deadline:
            raise PublishFailed(f"virtuoso did not start (see {target}/virtuoso.log)")
        time.sleep(0.2)
    dba_password = secrets.token_urlsafe(18)
    loader, loader_password = settings.loader_user, settings.loader_password or secrets.token_urlsafe(18)
    if not SQL_NAME.fullmatch(loader) or "'" in loader_password:
        raise PublishFailed("loader_user must be letters, digits and _, and loader_password must not hold a quote")
    isql(port + 1, "dba", f"USER_SET_PASSWORD('dba', '{dba_password}');")  # a throwaway instance's own secrets
    secret = target / "dba-password"
    secret.touch(mode=0o600)
    secret.write_text(dba_password + "\n", encoding="utf-8")
    isql(port + 1, dba_password, f"DB.DBA.USER_CREATE('{loader}', '{loader_password}'); "
                                 f"GRANT SPARQL_UPDATE TO \"{loader}\"; "
                                 f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{loader}', 3);")
    manifest = json.loads((build / MANIFEST).read_text(encoding="utf-8"))
    merge = f"urn:montagne-kg:merge:{build.name}"
    files = {name: build / "graphs" / graph_file_name(name, manifest["base"]) for name in manifest["graphs"]}
    files[merge] = build / dump_name(formats.by_name("ntriples"))
    auth = httpx.DigestAuth(loader, loader_password)
    with httpx.Client(auth=auth, timeout=600, trust_env=False) as client:
        for graph, path in files.items():
            response = client.put(f"http://{host}:{port}{VIRTUOSO_GSP}", params={"graph-uri": graph},
                                  content=path.read_bytes(), headers={"Content-Type": "text/turtle"})
            if response.status_code not in (200, 201, 204):
                raise PublishFailed(f"virtuoso refused graph {graph} ({path.name}): HTTP {response.status_code} "
                                    f"{response.text.strip()[:500]}")
    isql(port + 1, dba_password, "checkpoint;")
    url = f"http://{host}:{port}/sparql"
    counted = wait_for_count(url, process, manifest["merged_triples"], default_graph=merge)
    return PublishedEngine("virtuoso", url, process.pid, str(target), counted, default_graph=merge)


def start_detached(command: list[str], log: Path, env: dict[str, str] | None = None,
                   cwd: Path | None = None) -> subprocess.Popen:
    """An engine process in a session of its own (it outlives `publish`), its output appended to ``log``."""
    with open(log, "ab") as output:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True, env=env, cwd=cwd)
    STARTED.append(process)
    return process


def record(build: Path, engine: PublishedEngine) -> None:
    """Write ``engine.json`` (atomically: a front reading it sees the whole record or none)."""
    partial = build / f".{PUBLISHED_ENGINE}.{os.getpid()}"
    partial.write_text(json.dumps(asdict(engine), indent=1) + "\n", encoding="utf-8")
    os.replace(partial, build / PUBLISHED_ENGINE)


def publish(build: Path, settings: Settings) -> PublishedEngine:
    """Load ``build`` into a fresh store of the ``publish_engine`` served at ``publish_host:publish_port``, and
    record it in the build."""
    if published_engine(build) is not None:
        raise PublishFailed(f"build {build.name} is already published: {published_engine(build)['url']}")
    if settings.publish_engine == "oxigraph":
        engine = publish_oxigraph(build, settings.publish_host, settings.publish_port)
    else:
        engine = publish_virtuoso(build, settings)
    record(build, engine)
    return engine


def stop_process(pid: int) -> None:
    """SIGTERM, then SIGKILL after 10 s; nothing if it is gone. Our own child (an engine this process started) is
    reaped."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(100):
        if not running(pid):
            break
        time.sleep(0.1)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    for process in STARTED:
        if process.pid == pid:
            process.wait(timeout=10)


def running(pid: int) -> bool:
    """Whether ``pid`` is a process that has not ended (an ended one waiting for its parent is a zombie)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def retire(build: Path) -> None:
    """Stop the engine `publish` started for ``build`` and delete its store and record (no front serves it now)."""
    engine = published_engine(build)
    if engine is None:
        return
    if serves_store(engine["pid"], engine["store"]):  # a pid can be reused: only the process named with the store
        stop_process(engine["pid"])
    shutil.rmtree(engine["store"], ignore_errors=True)
    (build / PUBLISHED_ENGINE).unlink()  # last: a build without a record is wholly retired


def serves_store(pid: int, store: str) -> bool:
    """Whether process ``pid`` has ``store`` in one of its arguments (the engine `publish` started for it)."""
    try:
        arguments = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace").split("\0")
    except OSError:
        return False
    return any(store in argument for argument in arguments)
