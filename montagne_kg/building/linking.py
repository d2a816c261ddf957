"""Wikidata linking tools: ranked candidates from Wikidata's public API, and re-checks of published links.

Candidates are never published: a link is published only when a stored public source confirms the QID beside
the entity's name (see data/links/wikidata.ttl). The type hints below only rank API results.
"""

from __future__ import annotations

import csv
import json
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS

from montagne_kg.namespaces import DEFAULT_BASE, MKG, WD, WIKIDATA_API

API = WIKIDATA_API
USER_AGENT = "montagne-kg/0.1 (https://w3id.org/montagne-kg/; linking tool)"
NO_ITEM_EXPECTED = "no-item-expected"  # a curator's verdict (trips, local celebrations…): kept, never looked up
STATUSES = ("unconfirmed", "candidate", "no-item", NO_ITEM_EXPECTED)
CANDIDATE_FIELDS = ["entity", "label", "class", "qid", "item_label", "item_description", "status", "reason", "evidence"]
# Instance-of (P31) values that fit each of our kinds: ranking hints only, never a confirmation.
TYPE_HINTS: dict[str, set[str]] = {
    "Country": {"Q6256", "Q3624078"},
    "City": {"Q515", "Q484170", "Q1549591", "Q200250", "Q748149"},
    "Person": {"Q5"},
}


class LinkingError(Exception):
    """The API could not be reached or answered something unreadable."""


@dataclass
class WikidataApi:
    """A small client of the Wikidata action API (the URL is configurable so tests use a loopback stand-in)."""

    url: str = API
    timeout: float = 20.0

    def get(self, **params: str) -> dict:
        query = urllib.parse.urlencode({**params, "format": "json"})
        request = urllib.request.Request(f"{self.url}?{query}", headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read())
        except (OSError, ValueError) as err:
            raise LinkingError(f"{self.url}: {err}") from err

    def search(self, label: str, language: str = "fr") -> list[str]:
        """QIDs of items whose label or alias matches ``label`` (wbsearchentities)."""
        answer = self.get(action="wbsearchentities", search=label, language=language, uselang=language,
                          type="item", limit="5")
        return [hit["id"] for hit in answer.get("search", [])]

    def entities(self, qids: list[str]) -> dict:
        """Labels, descriptions and claims of ``qids`` (wbgetentities), keyed by the id asked for."""
        if not qids:
            return {}
        answer = self.get(action="wbgetentities", ids="|".join(qids), props="labels|descriptions|claims",
                          languages="fr|en")
        return answer.get("entities", {})


def _claim_ids(item: dict, prop: str) -> set[str]:
    ids = set()
    for claim in item.get("claims", {}).get(prop, []):
        value = claim.get("mainsnak", {}).get("datavalue", {}).get("value", {})
        if isinstance(value, dict) and "id" in value:
            ids.add(value["id"])
    return ids


def _text(item: dict, key: str) -> str:
    values = item.get(key, {})
    for lang in ("fr", "en"):
        if lang in values:
            return values[lang]["value"]
    return ""


@dataclass
class Linkable:
    iri: str
    label: str
    kind: str
    country_qid: str | None


def linkables(graph: Graph) -> list[Linkable]:
    """Places, agents and events without a Wikidata link, with their kind and (linked) country if known."""
    out = []
    kinds = (MKG.Place, MKG.Agent, MKG.Event)
    entities = {s for k in kinds for s in graph.subjects(RDF.type, k) if str(s).startswith(f"{DEFAULT_BASE}id/")}
    for entity in sorted(entities):
        if any(str(o).startswith(str(WD)) for o in graph.objects(entity, OWL.sameAs)):
            continue
        label = next((str(x) for x in graph.objects(entity, RDFS.label) if x.language == "fr"), "")
        kind = sorted(str(t).rsplit("#", 1)[1] for t in graph.objects(entity, RDF.type) if str(t).startswith(str(MKG)))
        country = None
        for place in [entity, *graph.transitive_objects(entity, MKG.locatedIn)]:
            if (place, RDF.type, MKG.Country) in graph:
                country = next((str(o).rsplit("/", 1)[1] for o in graph.objects(place, OWL.sameAs)
                                if str(o).startswith(str(WD))), None)
        specific = next((k for k in kind if k in TYPE_HINTS), kind[0] if kind else "")
        out.append(Linkable(str(entity), label, specific, country))
    return out


def rank(entity: Linkable, items: dict) -> tuple[dict | None, str]:
    """The best item for ``entity`` and why; (None, reason) when none is acceptable."""
    best, best_score, notes = None, -1, []
    for qid, item in items.items():
        if "missing" in item:
            continue
        labels = {v["value"].casefold() for v in item.get("labels", {}).values()}
        score = 2 if entity.label.casefold() in labels else 0
        hints = TYPE_HINTS.get(entity.kind)
        if hints and _claim_ids(item, "P31") & hints:
            score += 2
        countries = _claim_ids(item, "P17")
        if entity.country_qid and countries and entity.country_qid not in countries:
            notes.append(f"{qid} rejected: country {sorted(countries)} is not {entity.country_qid}")
            continue
        if entity.country_qid and entity.country_qid in countries:
            score += 1
        if score > best_score:
            best, best_score = {"qid": qid, **item}, score
    if best is None:
        return None, "; ".join(notes) or "no item found by wbsearchentities"
    return best, f"score {best_score}/5 (label, type hint, country)" + (f"; {'; '.join(notes)}" if notes else "")


def read_candidates(path: Path) -> dict[str, dict]:
    """The rows of a candidates file, by entity IRI (empty if there is no file)."""
    if not path.exists():
        return {}
    with open(path, encoding="utf-8") as f:
        return {row["entity"]: row for row in csv.DictReader(f)}


def find_candidates(graph: Graph, api: WikidataApi, only: set[str] | None = None,
                    skip: set[str] = frozenset()) -> list[dict]:
    """Ranked candidates for every unlinked entity (or those in ``only``) but the ``skip`` IRIs, as rows."""
    rows = []
    today = date.today().isoformat()
    for entity in linkables(graph):
        slug = entity.iri.rsplit("/", 1)[1]
        if (only and slug not in only) or entity.iri in skip:
            continue
        qids = api.search(entity.label)
        best, why = rank(entity, api.entities(qids))
        row = {"entity": entity.iri, "label": entity.label, "class": entity.kind, "qid": "", "item_label": "",
               "item_description": "", "status": "no-item", "reason": why,
               "evidence": f"wbsearchentities {entity.label!r} (fr) on {today}: {', '.join(qids) or 'no result'}"}
        if best is not None:
            row.update(qid=best["qid"], item_label=_text(best, "labels"), item_description=_text(best, "descriptions"),
                       status="candidate",
                       reason=f"API match ({why}); not published until a stored public source confirms it")
        rows.append(row)
    return rows


def write_candidates(path: Path, rows: list[dict]) -> None:
    """Merge ``rows`` into the candidates file (by entity), sorted, keeping other entities' rows and every
    ``no-item-expected`` verdict."""
    existing = read_candidates(path)
    existing.update({row["entity"]: row for row in rows
                     if existing.get(row["entity"], {}).get("status") != NO_ITEM_EXPECTED})
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=CANDIDATE_FIELDS)
        writer.writeheader()
        writer.writerows(existing[key] for key in sorted(existing))


def check_links(graph: Graph, api: WikidataApi) -> list[str]:
    """Problems with published links: item deleted, redirected, or its label no longer the one recorded."""
    records = {}
    for record in graph.subjects(RDF.type, MKG.LinkRecord):
        qid = str(graph.value(record, MKG.linkTarget)).rsplit("/", 1)[1]
        records[qid] = (graph.value(record, MKG.linkSubject), graph.value(record, MKG.itemLabel))
    items = api.entities(sorted(records))
    for item in list(items.values()):
        redirected_from = item.get("redirects", {}).get("from")
        if redirected_from:
            items[redirected_from] = item
    problems = []
    for qid, (entity, label) in sorted(records.items()):
        item = items.get(qid)
        if item is None or "missing" in item:
            problems.append(f"{entity}: {qid} no longer exists")
        elif item.get("id") != qid or "redirects" in item:
            problems.append(f"{entity}: {qid} now redirects to {item.get('id')}")
        elif str(label).casefold() not in {v["value"].casefold() for v in item.get("labels", {}).values()}:
            problems.append(f"{entity}: {qid} is no longer labelled {str(label)!r} ({_text(item, 'labels')!r} now)")
    return problems
