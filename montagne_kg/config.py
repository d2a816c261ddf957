"""Project layout and defaults, found from one configured project root."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from montagne_kg.namespaces import DEFAULT_BASE, WIKIDATA_QUERY_SERVICE

CHECKOUT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Project:
    """Where the sources of the graph live."""

    root: Path = CHECKOUT

    @property
    def ontology(self) -> Path:
        return self.root / "ontology" / "montagne.ttl"

    @property
    def shapes(self) -> Path:
        return self.root / "ontology" / "shapes.ttl"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def releases(self) -> Path:
        return self.root / "data" / "releases"

    @property
    def links(self) -> Path:
        return self.root / "data" / "links"

    @property
    def queries(self) -> Path:
        return self.root / "queries"

    def release_ids(self) -> list[str]:
        """Ids of the releases that have both a text and curated triples, sorted."""
        return sorted(p.stem for p in self.releases.glob("*.txt") if (self.data / f"{p.stem}.ttl").exists())


DEFAULT_BUILD_DIR = CHECKOUT / "build"

__all__ = ["CHECKOUT", "DEFAULT_BASE", "DEFAULT_BUILD_DIR", "Project", "Settings"]


def _env(name: str, default: str) -> str:
    return os.environ.get(f"MONTAGNE_KG_{name}", default)


def parse_overrides(text: str) -> dict[str, str]:
    """``IRI=URL`` pairs separated by spaces or commas."""
    pairs = {}
    for item in text.replace(",", " ").split():
        iri, sep, url = item.partition("=")
        if not sep or not iri or not url:
            raise ValueError(f"a SERVICE override must be IRI=URL, not {item!r}")
        pairs[iri] = url
    return pairs


@dataclass(frozen=True)
class Settings:
    """How the server runs; every field has a MONTAGNE_KG_* environment variable and a serve flag."""

    build_dir: Path = DEFAULT_BUILD_DIR
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    time_limit: float = 10.0
    max_rows: int = 10_000
    max_body: int = 1_000_000
    store: str = "memory"
    service_allow: tuple[str, ...] = (WIKIDATA_QUERY_SERVICE,)
    service_overrides: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Settings:
        """Defaults overridden by MONTAGNE_KG_* environment variables."""
        return cls(
            build_dir=Path(_env("BUILD_DIR", str(DEFAULT_BUILD_DIR))),
            host=_env("HOST", "127.0.0.1"),
            port=int(_env("PORT", "8000")),
            workers=int(_env("WORKERS", "2")),
            time_limit=float(_env("TIME_LIMIT", "10")),
            max_rows=int(_env("MAX_ROWS", "10000")),
            max_body=int(_env("MAX_BODY", "1000000")),
            store=_env("STORE", "memory"),
            service_allow=tuple(_env("SERVICE_ALLOW", WIKIDATA_QUERY_SERVICE).replace(",", " ").split()),
            service_overrides=parse_overrides(_env("SERVICE_OVERRIDE", "")),
        )
