"""What one app serves: a build (pinned until reload), its manifest, and the engine its queries run on."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, current_app

from montagne_kg.layout import BUILD, MANIFEST, current_build, project_root, published_engine
from montagne_kg.serving.admission import COUNTS_ENV, ServerCounts, regions_for
from montagne_kg.serving.answers import QueryJob
from montagne_kg.serving.embedded import ZYGOTE_SOCKET_ENV, EmbeddedProcesses, pointed_service_guard
from montagne_kg.serving.federation import ServiceGuard
from montagne_kg.serving.gate import QueryGate
from montagne_kg.serving.querypool import QueryPool
from montagne_kg.serving.settings import Settings
from montagne_kg.serving.supervision import end_with_parent

if TYPE_CHECKING:
    from montagne_kg.serving.remote import EngineConnection

SERVED_BUILD_ENV = "MONTAGNE_KG_SERVING_BUILD"  # set by `serve` for its workers: the build they serve
COUNT_TRIPLES = "SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }"


@dataclass
class KnowledgeGraph:
    """One build, its manifest, the engine its queries run on and the guard of their SERVICE calls (with the
    embedded engine's processes when the app owns them)."""

    build: Path
    manifest: dict
    engine: QueryGate
    settings: Settings
    service_guard: ServiceGuard
    own_processes: EmbeddedProcesses | None = field(default=None)
    counted_triples: int | None = field(default=None)

    @property
    def base(self) -> str:
        return self.manifest["base"]

    def engine_triples(self) -> int | None:
        """The triples of the default graph as the engine counts them (once per worker: a build never changes);
        None when it cannot answer now."""
        if self.counted_triples is None:
            answer = self.engine.run(QueryJob(query=COUNT_TRIPLES, format="json"))
            self.engine.release(answer)
            if answer.status != 200:
                return None
            self.counted_triples = int(json.loads(answer.body)["results"]["bindings"][0]["triples"]["value"])
        return self.counted_triples

    def close(self) -> None:
        self.engine.close()
        self.engine.counts.close()
        if self.own_processes is not None:
            self.own_processes.stop()


def init_app(app: Flask, settings: Settings) -> None:
    """Serve the build that `serve` pinned for its workers (from the zygote it started, or its remote engine), or
    else the newest one, with a zygote and relay of the app's own in embedded mode."""
    processes = None
    pinned = os.environ.get(SERVED_BUILD_ENV)
    if pinned:
        end_with_parent()  # a worker of `serve`: never outlive it, even when it is killed
        build = Path(pinned)
    else:
        out = settings.build_dir or project_root(None) / BUILD
        found = current_build(out)
        if found is None:
            raise RuntimeError(f"no complete build in {out}: run `montagne-kg build` first")
        build = found
    manifest = json.loads((build / MANIFEST).read_text(encoding="utf-8"))
    shared = os.environ.get(COUNTS_ENV)
    counts = ServerCounts(Path(shared), regions_for(settings.workers)) if shared else ServerCounts.private()
    engine: QueryGate
    if settings.engine != "embedded":
        from montagne_kg.serving.remote import RemoteEngine  # aiohttp is loaded only by a front that uses it

        engine = RemoteEngine(engine_connection(build, manifest, settings), settings.max_queries,
                              settings.per_client, settings.queue_wait, counts, settings.client_share,
                           settings.max_answer_bytes)
        guard = ServiceGuard(settings.service_allow, overrides=settings.service_override)
    else:
        if pinned:
            socket_path = Path(os.environ[ZYGOTE_SOCKET_ENV])
            guard = pointed_service_guard(settings)
        else:
            processes = EmbeddedProcesses(build, settings)
            processes.wait_ready()
            socket_path = processes.zygote.socket_path
            guard = processes.service_guard(settings)
        engine = QueryPool(socket_path, settings.time_limit, settings.memory_limit, settings.max_queries,
                           settings.per_client, settings.queue_wait, counts, settings.client_share,
                           settings.max_answer_bytes)
    app.extensions["kg"] = KnowledgeGraph(build, manifest, engine, settings, guard, processes)


class NotPublished(RuntimeError):
    """`engine published` names a build that `montagne-kg publish` has not loaded into an engine."""


def engine_connection(build: Path, manifest: dict, settings: Settings) -> EngineConnection:
    """How to reach the remote engine for ``build``: the ``engine`` URL, or the one `publish` recorded in it."""
    url, default_graph = settings.engine, settings.engine_default_graph
    if url == "published":
        record = published_engine(build)
        if record is None:
            raise NotPublished(f"build {build.name} has not been published to an engine: run `montagne-kg publish`")
        url, default_graph = record["url"], record.get("default_graph", "")
    from montagne_kg.serving.remote import EngineConnection

    return EngineConnection(
        url=url, default_graph=default_graph, named_graphs=tuple(manifest["graphs"]),
        method=settings.engine_method, auth=settings.engine_auth, user=settings.engine_user,
        password=settings.engine_password, token=settings.engine_token,
        connect_timeout=settings.engine_connect_timeout, read_timeout=settings.engine_read_timeout)


def get_kg() -> KnowledgeGraph:
    """The knowledge graph of the current app."""
    return current_app.extensions["kg"]
