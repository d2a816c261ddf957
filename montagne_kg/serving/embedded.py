"""The processes behind the embedded engine: the zygote that holds one build, and the SERVICE relay beside it.

`montagne-kg serve` starts them once per served build and points its workers at them through the environment; an
app created on its own (tests, ``flask run``) starts its own.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from montagne_kg.serving.federation import ServiceGuard
from montagne_kg.serving.querypool import Federation, Zygote
from montagne_kg.serving.relay import Relay
from montagne_kg.serving.settings import Settings

ZYGOTE_SOCKET_ENV = "MONTAGNE_KG_SERVING_ZYGOTE"  # set by `serve` for its workers: the zygote they share
RELAY_ENV = "MONTAGNE_KG_SERVING_RELAY"  # the relay's address (empty: federation off)
CONFINEMENT_ENV = "MONTAGNE_KG_SERVING_CONFINEMENT"  # the confinement of federated queries in force


class EmbeddedProcesses:
    """A zygote for ``build`` and, when any SERVICE is allowed, a relay; both started again if they die."""

    def __init__(self, build: Path, settings: Settings) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="montagne-kg-"))
        self.relay = None
        if settings.service_allow:
            self.relay = Relay(self.directory, settings.service_allow, settings.service_override,
                               settings.time_limit, settings.max_response_bytes)
        federation = Federation(settings.service_confinement, settings.allow_unconfined_federation,
                                str(self.relay.socket_path) if self.relay else "",
                                self.relay.port if self.relay else 0)
        self.zygote = Zygote(build, settings.store, not settings.allow_unsandboxed, federation, self.directory)

    def wait_checked(self) -> None:
        self.zygote.wait_checked()

    def wait_ready(self) -> None:
        self.zygote.wait_ready()

    def point_workers(self) -> None:
        """Tell workers started from now on where the zygote and the relay are."""
        os.environ[ZYGOTE_SOCKET_ENV] = str(self.zygote.socket_path)
        os.environ[RELAY_ENV] = self.relay.base if self.relay else ""
        os.environ[CONFINEMENT_ENV] = self.zygote.confinement

    def service_guard(self, settings: Settings) -> ServiceGuard:
        return embedded_service_guard(settings, self.relay.base if self.relay else None, self.zygote.confinement)

    def stop(self) -> None:
        self.zygote.stop()
        if self.relay is not None:
            self.relay.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


def embedded_service_guard(settings: Settings, relay: str | None, confinement: str) -> ServiceGuard:
    """The SERVICE guard of the embedded engine: allowed IRIs go to ``relay``, run under ``confinement``."""
    return ServiceGuard(settings.service_allow, relay=relay, confinement=confinement,
                        allow_unconfined=settings.allow_unconfined_federation)


def pointed_service_guard(settings: Settings) -> ServiceGuard:
    """The guard of a worker of `serve`, from what ``point_workers`` wrote."""
    return embedded_service_guard(settings, os.environ.get(RELAY_ENV) or None,
                                  os.environ.get(CONFINEMENT_ENV, "none"))
