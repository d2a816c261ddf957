"""What one app serves: a build (pinned until reload), its manifest, and the query pool over its store."""

from __future__ import annotations

import ctypes
import json
import os
import signal
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app

from montagne_kg.layout import MANIFEST, current_build
from montagne_kg.serving.querypool import QueryPool, Zygote
from montagne_kg.serving.settings import Settings

ZYGOTE_SOCKET_ENV = "MONTAGNE_KG_SERVING_ZYGOTE"  # set by `serve` for its workers: the zygote they share
SERVED_BUILD_ENV = "MONTAGNE_KG_SERVING_BUILD"  # and the build that zygote holds
PR_SET_PDEATHSIG = 1


@dataclass
class KnowledgeGraph:
    """One build, its manifest, and the query pool over its store (with the zygote when the app owns it)."""

    build: Path
    manifest: dict
    pool: QueryPool
    settings: Settings
    own_zygote: Zygote | None = field(default=None)

    @property
    def base(self) -> str:
        return self.manifest["base"]

    def close(self) -> None:
        self.pool.close()
        if self.own_zygote is not None:
            self.own_zygote.stop()


def init_app(app: Flask, settings: Settings) -> None:
    """Serve the build that `serve` pinned for its workers, or else the newest one with a zygote of the app's own."""
    zygote = None
    if os.environ.get(ZYGOTE_SOCKET_ENV) and os.environ.get(SERVED_BUILD_ENV):
        end_with_parent()  # a worker of `serve`: never outlive it, even when it is killed
        build = Path(os.environ[SERVED_BUILD_ENV])
        socket_path = Path(os.environ[ZYGOTE_SOCKET_ENV])
    else:
        found = current_build(settings.build_dir)
        if found is None:
            raise RuntimeError(f"no complete build in {settings.build_dir}: run `montagne-kg build` first")
        build = found
        zygote = Zygote(build, settings.store, sandboxed=not settings.allow_unsandboxed)
        zygote.wait_ready()
        socket_path = zygote.socket_path
    manifest = json.loads((build / MANIFEST).read_text(encoding="utf-8"))
    pool = QueryPool(socket_path, settings.time_limit, settings.memory_limit, settings.max_queries,
                     settings.per_client, settings.queue_wait)
    app.extensions["kg"] = KnowledgeGraph(build, manifest, pool, settings, zygote)


def end_with_parent() -> None:
    """Ask the kernel to send this process SIGTERM when its parent dies (Linux prctl PR_SET_PDEATHSIG)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() == 1:  # the parent died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


def get_kg() -> KnowledgeGraph:
    """The knowledge graph of the current app."""
    return current_app.extensions["kg"]
