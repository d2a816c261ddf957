"""Where the sources of the graph live, found from one configured project root."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Project:
    """The sources of the graph: ontology, curated data, release texts, links and example queries."""

    root: Path

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

    def taken_release_id(self, release: str) -> str | None:
        """The existing release (a text in data/releases/ or data/<id>.ttl) that ``release`` names, compared as
        written and, for digits, as a number too (``3`` is ``003``); None if the id is free."""
        existing = {p.stem for p in self.releases.glob("*.txt")} | {p.stem for p in self.data.glob("*.ttl")}
        for taken in sorted(existing):
            if taken == release or (taken.isdigit() and release.isdigit() and int(taken) == int(release)):
                return taken
        return None
