"""Wikidata links: confirmed links only, each with its record; never reasoned over; exported and described."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS, VOID

from montagne_kg.building.build import Assembled
from montagne_kg.building.linking import STATUSES
from montagne_kg.building.project import Project
from montagne_kg.namespaces import DEFAULT_BASE, GRAPH, MKG

WIKIDATA_ITEM = re.compile(r"^http://www\.wikidata\.org/entity/Q[1-9][0-9]*$")
LINKABLE = (MKG.Place, MKG.Agent, MKG.Event)


def linkable_entities(graph: Graph) -> set[str]:
    return {str(s) for c in LINKABLE for s in graph.subjects(RDF.type, c) if str(s).startswith(DEFAULT_BASE + "id/")}


def wikidata_links(graph: Graph) -> list[tuple[URIRef, URIRef]]:
    return sorted((s, o) for s, o in graph.subject_objects(OWL.sameAs) if "wikidata.org" in str(o))


def test_every_link_is_an_item_iri_with_exact_match_and_a_complete_record(graph: Graph) -> None:
    links = wikidata_links(graph)
    assert len(links) >= 5
    for entity, item in links:
        assert WIKIDATA_ITEM.match(str(item)), f"{item} is not a Wikidata entity IRI"
        assert (entity, SKOS.exactMatch, item) in graph
        record = URIRef(f"{DEFAULT_BASE}link/{str(entity).rsplit('/', 1)[1]}")
        assert (record, RDF.type, MKG.LinkRecord) in graph
        assert graph.value(record, MKG.linkSubject) == entity and graph.value(record, MKG.linkTarget) == item
        assert graph.value(record, MKG.itemLabel) is not None and graph.value(record, MKG.itemDescription) is not None
        source = str(graph.value(record, DCTERMS.source))
        commit = str(graph.value(record, MKG.sourceCommit))
        assert source.startswith("https://") and commit in source, "the source names the exact version consulted"
        assert graph.value(record, DCTERMS.date) is not None
        excerpt = graph.value(record, MKG.sourceExcerpt)
        assert excerpt is None or str(item).rsplit("/", 1)[1] in str(excerpt), "an excerpt shows the QID"


def test_only_places_agents_and_events_get_same_as(graph: Graph) -> None:
    for entity, _item in wikidata_links(graph):
        types = set(graph.objects(entity, RDF.type))
        assert types & set(LINKABLE), f"{entity} is not a place, agent or event"
        assert not types & {MKG.Post, MKG.Agreement, MKG.CooperationDomain, MKG.CooperationAction}


def test_links_are_never_reasoned_over(assembled: Assembled) -> None:
    inferred = assembled.graphs[URIRef(GRAPH.inferred)]
    assert not any("wikidata.org" in str(t) for triple in inferred for t in triple)


def test_no_dump_triple_has_a_wikidata_subject(build_dir: Path) -> None:
    for name in ("montagne-kg.nq", "montagne-kg.nt"):
        for line in (build_dir / name).read_text(encoding="utf-8").splitlines():
            assert not line.startswith("<http://www.wikidata.org/"), line


def test_every_linkable_entity_is_linked_or_a_candidate_exactly_once(project: Project, graph: Graph) -> None:
    entities = linkable_entities(graph)
    linked = {str(s) for s, _ in wikidata_links(graph)}
    with open(project.links / "candidates.csv", encoding="utf-8") as f:
        candidates = list(csv.DictReader(f))
    listed = [row["entity"] for row in candidates]
    assert len(listed) == len(set(listed))
    assert set(listed) | linked == entities
    assert not set(listed) & linked, "a candidate must not be published"
    for row in candidates:
        assert row["reason"].strip(), row["entity"]
        assert row["status"] in STATUSES


def test_the_csv_export_has_one_row_per_entity(build_dir: Path, graph: Graph) -> None:
    rows = list(csv.DictReader(io.StringIO((build_dir / "wikidata-links.csv").read_text(encoding="utf-8"))))
    entities = linkable_entities(graph)
    assert [r["entity"] for r in rows] == sorted(entities)
    by_entity = {r["entity"]: r for r in rows}
    assert by_entity[DEFAULT_BASE + "id/france"]["wikidata"] == "http://www.wikidata.org/entity/Q142"
    assert by_entity[DEFAULT_BASE + "id/france"]["class"] == "Country"
    assert by_entity[DEFAULT_BASE + "id/chambery"]["label_fr"] == "Chambéry"
    assert by_entity[DEFAULT_BASE + "id/almaty"]["wikidata"] == "http://www.wikidata.org/entity/Q35493"
    assert by_entity[DEFAULT_BASE + "id/zhangjiakou"]["wikidata"] == ""
    assert sum(1 for r in rows if r["wikidata"]) == len(wikidata_links(graph))


def test_void_describes_the_linkset(build_dir: Path, graph: Graph) -> None:
    void = Graph().parse(build_dir / "void.ttl")
    linkset = URIRef(DEFAULT_BASE + "dataset/wikidata-links")
    assert (linkset, RDF.type, VOID.Linkset) in void
    assert (linkset, VOID.linkPredicate, OWL.sameAs) in void
    assert (linkset, VOID.subjectsTarget, URIRef(DEFAULT_BASE + "dataset")) in void
    target = void.value(linkset, VOID.objectsTarget)
    assert str(void.value(target, VOID.uriSpace)) == "http://www.wikidata.org/entity/"
    assert (target, VOID.sparqlEndpoint, URIRef("https://query.wikidata.org/sparql")) in void
    assert int(void.value(linkset, VOID.triples)) == len(wikidata_links(graph))


def test_entity_pages_show_the_wikidata_link(client: FlaskClient) -> None:
    html = client.get("/page/france").get_data(as_text=True)
    assert 'href="https://www.wikidata.org/wiki/Q142"' in html and "Q142</a> — France" in html
    assert "Q35493</a> — Almaty" in client.get("/page/almaty").get_data(as_text=True)
    assert 'class="wikidata"' not in client.get("/page/zhangjiakou").get_data(as_text=True)


def test_the_export_is_downloadable(client: FlaskClient) -> None:
    rows = {r["name"]: r for r in client.get("/dumps/?format=json").get_json()["files"]}
    assert rows["wikidata-links.csv"]["format"] == "csv"
    with client.get("/dumps/wikidata-links.csv") as r:
        assert r.mimetype == "text/csv" and r.data.startswith(b"entity,label_fr,class,wikidata")
