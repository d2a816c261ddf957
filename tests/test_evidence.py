"""Every entity is evidenced by the releases: quotes sit at their offsets and name the entity."""

from __future__ import annotations

import hashlib
import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from montagne_kg.building.build import Assembled, load_turtle
from montagne_kg.building.project import Project
from montagne_kg.building.releases import read_release
from montagne_kg.layout import SPAN_IRI
from montagne_kg.namespaces import ID, MKG, PROV, release_iri

ENTITY_CLASSES = (MKG.Place, MKG.Agent, MKG.Event)
PHONE = re.compile(r"\d\d[ .]\d\d[ .]\d\d[ .]\d\d")
EMAIL = re.compile(r"\S+@\S+\.\w+")


def entities(graph: Graph) -> set[URIRef]:
    return {s for cls in ENTITY_CLASSES for s in graph.subjects(RDF.type, cls)}


def spans(graph: Graph) -> set[URIRef]:
    return set(graph.subjects(RDF.type, MKG.TextSpan))


def test_release_texts_are_the_received_bytes(project: Project, graph: Graph) -> None:
    for rid in project.release_ids():
        iri = URIRef(release_iri(rid))
        data = project.releases.joinpath(f"{rid}.txt").read_bytes()
        assert hashlib.sha256(data).hexdigest() == str(graph.value(iri, MKG.sha256))
        assert str(graph.value(iri, MKG.originalFileName)).startswith(f"{rid}_")
        data.decode("utf-8")


def test_every_span_quote_sits_at_its_offsets(project: Project, graph: Graph) -> None:
    found = spans(graph)
    assert len(found) > 100
    for span in found:
        match = SPAN_IRI.match(str(span))
        assert match, span
        text = read_release(project.releases, match.group("id"))
        begin, end = int(graph.value(span, MKG.beginIndex)), int(graph.value(span, MKG.endIndex))
        assert match.group("fragment") == f"char={begin},{end}"
        assert text[begin:end] == str(graph.value(span, MKG.exactQuote))
        assert graph.value(span, MKG.inRelease) == URIRef(match.group("release"))


def test_every_mention_quote_is_a_label_of_its_entity(graph: Graph) -> None:
    checked = 0
    for entity, span in graph.subject_objects(MKG.mention):
        names = {str(n).casefold() for p in (RDFS.label, SKOS.altLabel) for n in graph.objects(entity, p)}
        quote = str(graph.value(span, MKG.exactQuote))
        assert quote.casefold() in names, f"{entity}: quote {quote!r} is none of its labels {sorted(names)}"
        checked += 1
    assert checked > 100


def nested_mentions(graph: Graph) -> list[tuple[URIRef, URIRef, URIRef]]:
    """(inner entity, outer entity, inner span) for every mention lying inside another entity's mention."""
    placed = []
    for entity, span in graph.subject_objects(MKG.mention):
        match = SPAN_IRI.match(str(span))
        begin, end = (int(n) for n in match.group("fragment").removeprefix("char=").split(","))
        placed.append((match.group("id"), begin, end, entity, span))
    return sorted((inner, outer, inner_span)
                  for rid, b1, e1, inner, inner_span in placed for rid2, b2, e2, outer, _ in placed
                  if rid == rid2 and inner != outer and b2 <= b1 and e1 <= e2 and (b1, e1) != (b2, e2))


def test_a_mention_inside_another_entitys_mention_is_justified_by_a_fact(graph: Graph) -> None:
    """Issue 10: « Mont Blanc » inside « université de Savoie Mont Blanc » is not a mention of the mountain.

    A name inside another name counts only when the data relates the two (the host city of the Games, the
    place a club is based in, the territory a delegation comes from): the fact is the curation's reason.
    """
    unjustified = [(str(inner), str(outer), str(span)) for inner, outer, span in nested_mentions(graph)
                   if not set(graph.predicates(outer, inner)) | set(graph.predicates(inner, outer))]
    assert unjustified == []


def test_the_nested_mention_check_catches_a_name_inside_a_name() -> None:
    """The negative: a mention inside another entity's mention, with no fact between them, is found."""
    g = Graph()
    g.add((URIRef("https://w3id.org/montagne-kg/id/mont-blanc"), MKG.mention,
           URIRef(f"{release_iri('000')}#char=3436,3446")))
    g.add((URIRef("https://w3id.org/montagne-kg/id/universite-savoie-mont-blanc"), MKG.mention,
           URIRef(f"{release_iri('000')}#char=3415,3446")))
    assert [str(inner).rsplit("/", 1)[1] for inner, _, _ in nested_mentions(g)] == ["mont-blanc"]


def test_implied_entities_are_marked_as_curators_conclusions(graph: Graph) -> None:
    implied = set(graph.subjects(MKG.impliedBy, None))
    assert implied, "the ministry and the embassy are implied, not named"
    for entity in implied:
        assert (entity, PROV.wasAttributedTo, URIRef("https://w3id.org/montagne-kg/id/curation")) in graph
        assert graph.value(entity, RDFS.comment) is not None


CURATION = URIRef("https://w3id.org/montagne-kg/id/curation")


def misattributed(graph: Graph) -> list[str]:
    """Curation attributions that say too much or too little.

    A whole node is the curators' only when it is implied (named by no release); what they concluded about a node
    the text names is one statement (rdf:Statement naming an asserted triple), with its reason. (Wikidata link
    records are the curation's too, with their evidence: tests/test_links.py checks them.)
    """
    problems = []
    for node in sorted(graph.subjects(PROV.wasAttributedTo, CURATION)):
        if (node, RDF.type, MKG.LinkRecord) in graph:
            continue
        if (node, RDF.type, RDF.Statement) in graph:
            triple = (graph.value(node, RDF.subject), graph.value(node, RDF.predicate), graph.value(node, RDF.object))
            if None in triple or triple not in graph:
                problems.append(f"{node}: its statement is not in the graph")
        elif next(graph.objects(node, MKG.mention), None) is not None:
            problems.append(f"{node}: named by a release, yet attributed whole to the curation")
        if graph.value(node, RDFS.comment) is None:
            problems.append(f"{node}: no reason given")
    return problems


def test_curation_is_credited_with_what_it_concluded_and_no_more(graph: Graph) -> None:
    """Issue 10: the delegation and the celebration were attributed whole; only partOf and the year were concluded."""
    assert misattributed(graph) == []
    concluded = {(graph.value(s, RDF.subject), graph.value(s, RDF.predicate))
                 for s in graph.subjects(PROV.wasAttributedTo, CURATION) if (s, RDF.type, RDF.Statement) in graph}
    assert (ID["delegation-montagne-auvergne-rhone-alpes-2017"], MKG.partOf) in concluded
    assert (ID["convention-partenariat-cluster-montagne-federation-de-ski-kazakh"], MKG.dateNotAfter) in concluded
    assert (ID.hebei, MKG.locatedIn) in concluded  # « Zhangjiakou (province du Hebei) » and « en Chine »


def test_the_attribution_check_catches_a_named_node_attributed_whole_and_a_statement_of_nothing() -> None:
    g = Graph()
    g.add((ID.visit, MKG.mention, URIRef(f"{release_iri('000')}#char=1,5")))
    g.add((ID.visit, PROV.wasAttributedTo, CURATION))
    g.add((ID.visit, RDFS.comment, Literal("why")))
    statement = ID.statement
    for p, o in ((RDF.type, RDF.Statement), (RDF.subject, ID.visit), (RDF.predicate, MKG.partOf),
                 (RDF.object, ID.trip), (PROV.wasAttributedTo, CURATION)):
        g.add((statement, p, o))
    assert misattributed(g) == [f"{ID.statement}: its statement is not in the graph",
                                f"{ID.statement}: no reason given",
                                f"{ID.visit}: named by a release, yet attributed whole to the curation"]


def test_every_entity_is_named_or_implied_by_a_release(graph: Graph) -> None:
    found = entities(graph)
    assert len(found) >= 70
    for entity in found:
        assert set(graph.objects(entity, MKG.mention)) | set(graph.objects(entity, MKG.impliedBy)), entity


NOT_A_FACT = {RDF.type, RDFS.label, SKOS.altLabel, RDFS.comment, PROV.wasDerivedFrom, PROV.wasAttributedTo,
              URIRef("http://purl.org/dc/terms/description")}


def orphans(stated: Graph, candidates: set[URIRef]) -> list[str]:
    """Entities that the stated triples only name: no fact about them, none pointing to them."""
    return sorted(str(e) for e in candidates
                  if not set(stated.predicates(e, None)) - NOT_A_FACT and next(stated.subjects(None, e), None) is None)


def test_every_place_agent_and_event_takes_part_in_a_fact(assembled: Assembled, graph: Graph) -> None:
    """Issue 10: the FIS was only named; « les critères sportifs de la Fédération Internationale de Ski »."""
    stated = Graph()
    for name, g in assembled.graphs.items():
        if "/graph/release/" in str(name):
            for t in g:
                stated.add(t)
    assert orphans(stated, entities(graph)) == []
    lone = URIRef("https://w3id.org/montagne-kg/id/lone")
    assert orphans(Graph().add((lone, RDFS.label, Literal("lone"))), {lone}) == [str(lone)]  # the negative


DATES = (MKG.date, MKG.startDate, MKG.endDate, MKG.dateNotBefore, MKG.dateNotAfter, MKG.plannedStart)


def undated(graph: Graph) -> list[str]:
    """Events and agreements with no date the text supports, and date ranges given without their reason."""
    problems = []
    for node in sorted({s for cls in (MKG.Event, MKG.Agreement) for s in graph.subjects(RDF.type, cls)}):
        if not any(graph.value(node, p) is not None for p in DATES):
            problems.append(f"{node}: no date")
        ranged = graph.value(node, MKG.dateNotBefore) is not None or graph.value(node, MKG.dateNotAfter) is not None
        if ranged and graph.value(node, MKG.dateRangeReason) is None:
            problems.append(f"{node}: a date range without its reason")
    return problems


def test_every_event_and_agreement_has_the_date_range_the_text_supports(graph: Graph) -> None:
    """Issue 10: three agreements signed during undated trips had no reachable date."""
    assert undated(graph) == []
    trip = URIRef("https://w3id.org/montagne-kg/id/trip")
    g = Graph().add((trip, RDF.type, MKG.Event))
    assert undated(g) == [f"{trip}: no date"]  # the negative
    g.add((trip, MKG.dateNotAfter, Literal("2017-02-20")))
    assert undated(g) == [f"{trip}: a date range without its reason"]


def test_fact_nodes_point_to_their_source_sentences(graph: Graph) -> None:
    fact_classes = (MKG.Post, MKG.Agreement, MKG.Event, MKG.Decision, MKG.Quantity, MKG.MonetaryAmount,
                    MKG.CooperationAction)
    facts = {s for cls in fact_classes for s in graph.subjects(RDF.type, cls)}
    assert len(facts) > 30
    for fact in facts:
        sources = set(graph.objects(fact, PROV.wasDerivedFrom))
        assert sources, f"{fact} has no source sentence"
        assert all((s, RDF.type, MKG.TextSpan) in graph for s in sources)


def test_no_personal_contact_details_are_modelled(graph: Graph) -> None:
    for _s, _p, o in graph:
        if isinstance(o, Literal):
            assert not PHONE.search(str(o)), f"phone number in {o!r}"
            assert not EMAIL.search(str(o)), f"e-mail address in {o!r}"


@pytest.mark.parametrize("rid", ["000", "003"])
def test_every_sentence_of_substance_is_cited(rid: str, project: Project, graph: Graph) -> None:
    """Every letter and digit of a release is inside some cited span, except known page debris."""
    text = read_release(project.releases, rid)
    covered = [False] * len(text)
    for span in spans(graph):
        if SPAN_IRI.match(str(span)).group("id") == rid:
            for i in range(int(graph.value(span, MKG.beginIndex)), int(graph.value(span, MKG.endIndex))):
                covered[i] = True
    debris = {"000": ("tél.", "courriel", "nombre de pages", ", 04 79 60 23 05"),
              "003": ("Laisser un commentaire", "treize − huit =")}[rid]
    for d in debris:
        start = text.index(d)
        for i in range(start, text.index("\n", start) if "\n" in text[start:] else len(text)):
            covered[i] = True
    uncited = "".join(c if not covered[i] and c.isalnum() else " " for i, c in enumerate(text)).split()
    assert uncited == [], f"release {rid}: uncited words {uncited[:20]}"


def test_an_entity_named_by_both_releases_has_type_and_label_in_both_files(project: Project) -> None:
    files = {rid: load_turtle(project.data / f"{rid}.ttl", project.root) for rid in project.release_ids()}
    mentioned = {rid: set(g.subjects(MKG.mention, None)) for rid, g in files.items()}
    shared = set.intersection(*mentioned.values())
    assert {URIRef("https://w3id.org/montagne-kg/id/cluster-montagne"),
            URIRef("https://w3id.org/montagne-kg/id/pekin")} <= shared
    for entity in shared:
        for rid, g in files.items():
            assert g.value(entity, RDF.type) is not None, f"{entity}: no type in data/{rid}.ttl"
            assert any(lbl.language == "fr" for lbl in g.objects(entity, RDFS.label)), f"{entity}: data/{rid}.ttl"
