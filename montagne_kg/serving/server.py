"""Running the front under granian (a Rust HTTP server, ASGI): slow or idle clients cost a socket, never a thread.

The serving process pins one build; in embedded mode it starts one zygote for it, and every worker answers from that
zygote's query processes, so all workers serve the same build until SIGHUP, which loads the newest build in a new
zygote first and then replaces the workers one by one (the old zygote is retired once they are gone). With a remote
engine the workers send queries to it; with ``engine published``, SIGHUP switches to the engine `montagne-kg publish`
loaded the newest build into, and the old build's engine is retired once no front serves it.
"""

from __future__ import annotations

import os
import resource
import shutil
import sys
import tempfile
import threading
from pathlib import Path

from granian import Granian
from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings
from granian.log import LogLevels

from montagne_kg import publication
from montagne_kg.layout import current_build, in_use, mark_in_use, published_engine
from montagne_kg.serving import succession
from montagne_kg.serving.admission import COUNTS_ENV, ServerCounts, regions_for
from montagne_kg.serving.embedded import EmbeddedProcesses
from montagne_kg.serving.knowledge_graph import SERVED_BUILD_ENV, NotPublished
from montagne_kg.serving.settings import Settings, environment
from montagne_kg.serving.supervision import StartFailed

RESPAWN_SECONDS = 2.0  # between starting a new worker and stopping the old one, on SIGHUP


def raise_open_files_limit() -> int:
    """Raise this process's soft limit of open files to its hard limit (idle connections are files); the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


class ServedBuild:
    """The build being served, its zygote and relay (embedded mode) and its in-use marker; replaced as a whole on
    reload."""

    def __init__(self, build: Path, settings: Settings) -> None:
        self.build = build
        self.published = settings.engine == "published"
        if self.published and published_engine(build) is None:
            raise NotPublished(f"build {build.name} has not been published to an engine: run `montagne-kg publish`")
        self.processes = None
        if settings.engine == "embedded":
            self.processes = EmbeddedProcesses(build, settings)
        self.marker = mark_in_use(build, os.getpid())

    def wait_checked(self) -> None:
        if self.processes is not None:
            self.processes.wait_checked()

    def wait_ready(self) -> None:
        """Until queries can be answered: the zygote has loaded the build, or the published engine answers."""
        if self.processes is not None:
            self.processes.wait_ready()
        elif self.published:
            engine = published_engine(self.build)
            if publication.count_triples(engine["url"], engine.get("default_graph", "")) != engine["triples"]:
                raise NotPublished(f"the engine of build {self.build.name} at {engine['url']} does not answer with "
                                   f"its {engine['triples']} triples")

    def point_workers(self) -> None:
        """Point workers started from now on at this build."""
        os.environ[SERVED_BUILD_ENV] = str(self.build)
        if self.processes is not None:
            self.processes.point_workers()

    def release(self) -> None:
        """Stop serving this build: its zygote and relay stop, its marker goes."""
        if self.processes is not None:
            self.processes.stop()
        self.marker.unlink(missing_ok=True)

    def retire(self) -> None:
        """Release the build, and stop its published engine once no front serves it."""
        self.release()
        if self.published and not in_use(self.build):
            publication.retire(self.build)


def serve(settings: Settings) -> None:
    """Serve until interrupted; SIGHUP switches to the newest build. Raises StartFailed if queries cannot run."""
    open_files = raise_open_files_limit()  # granian's backpressure counts connections, idle ones included
    build = current_build(settings.build_dir)
    if build is None:
        raise RuntimeError(f"no complete build in {settings.build_dir}")
    served = ServedBuild(build, settings)
    try:
        served.wait_checked()
        if served.published:
            served.wait_ready()
    except BaseException:
        served.release()
        raise
    served.point_workers()
    counts_dir = Path(tempfile.mkdtemp(prefix="montagne-kg-serve-"))
    ServerCounts(counts_dir / "counts", regions_for(settings.workers)).close()  # each worker maps it itself
    os.environ[COUNTS_ENV] = str(counts_dir / "counts")
    pointer = counts_dir / "served"
    succession.point(pointer, served.build)
    os.environ[succession.POINTER_ENV] = str(pointer)
    os.environ.update(environment(settings))  # workers build their app from the environment
    server = Granian(
        "montagne_kg.serving:create_front", factory=True, interface=Interfaces.ASGI, http=HTTPModes.http1,
        address=settings.host, port=settings.port, workers=settings.workers, backpressure=open_files,
        websockets=False, respawn_failed_workers=True, respawn_interval=RESPAWN_SECONDS,
        http1_settings=HTTP1Settings(header_read_timeout=int(settings.header_timeout * 1000)),
        workers_kill_timeout=int(settings.time_limit) + 2,  # killed if not gone by then (no query lasts longer)
        log_level=LogLevels.error,
    )
    state = {"served": served}

    def reload() -> None:
        newest = current_build(settings.build_dir)
        old = state["served"]
        if newest is None or newest == old.build:
            return
        fresh = None
        try:
            fresh = ServedBuild(newest, settings)
            fresh.wait_ready()
        except (NotPublished, StartFailed) as err:
            if fresh is not None:
                fresh.release()
            print(f"montagne-kg serve: still serving {old.build.name}: {err}", file=sys.stderr)
            return
        fresh.point_workers()
        succession.point(pointer, fresh.build)  # the old workers now ask their clients to reconnect
        state["served"] = fresh
        retire_after = settings.workers * RESPAWN_SECONDS + settings.time_limit + 5
        retirement = threading.Timer(retire_after, old.retire)
        retirement.daemon = True  # a shutdown before it fires must not wait for it (the zygote dies with us)
        retirement.start()

    server.on_reload(reload)
    try:
        server.serve()
    finally:
        state["served"].release()  # a published engine outlives the server: the next start serves it again
        shutil.rmtree(counts_dir, ignore_errors=True)
