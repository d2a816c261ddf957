"""Fact proposals, one test per family with the case it must leave alone (sentences written for the tests; the
names are given as review rows, so that only the fact rules are tested)."""

from __future__ import annotations

from datetime import date

from montagne_kg.building.ingestion.facts import propose_facts
from montagne_kg.building.ingestion.review import Row
from montagne_kg.building.ingestion.text import ReleaseText


def facts(text: str, *names: tuple[str, str, str], written: tuple[date, date] | None = None) -> \
        set[tuple[str, str, str]]:
    """Fact rows proposed for ``text`` whose names rows are ``names`` as (quote, kind, slug): every occurrence of a
    quote is a mention of its row."""
    rows = []
    for quote, kind, slug in names:
        mentions, start = [], text.find(quote)
        while start >= 0:
            mentions.append((start, start + len(quote)))
            start = text.find(quote, start + len(quote))
        assert mentions, quote
        rows.append(Row("t", quote, tuple(mentions), (), kind, slug, "test"))
    return {(f.subject, f.property, f.object) for f in propose_facts("t", ReleaseText(text), rows, written)}


def test_an_office_is_a_post_in_the_body_its_role_names() -> None:
    text = "Anne Roy, présidente de l'Union Alpine, a ouvert la séance."
    assert facts(text, ("Anne Roy", "Person", "anne-roy"), ("Union Alpine", "Organisation", "union-alpine")) == {
        ("poste-anne-roy-union-alpine", "a", "mkg:Post"),
        ("poste-anne-roy-union-alpine", "rdfs:label", '"présidente de l\'Union Alpine"@fr'),
        ("poste-anne-roy-union-alpine", "mkg:holder", "anne-roy"),
        ("poste-anne-roy-union-alpine", "mkg:postIn", "union-alpine")}
    assert facts("Anne Roy, présidente, a ouvert la séance.", ("Anne Roy", "Person", "anne-roy")) == set()


def test_a_post_under_a_mayor_is_in_the_municipality_never_the_place() -> None:
    text = "Luc Petit, adjoint au Maire de Grenoble, était présent."
    found = facts(text, ("Luc Petit", "Person", "luc-petit"), ("Grenoble", "City", "grenoble"))
    assert ("poste-luc-petit-ville-de-grenoble", "mkg:postIn", "ville-de-grenoble") in found
    assert {("ville-de-grenoble", "a", "mkg:Municipality"),
            ("ville-de-grenoble", "mkg:hasJurisdictionOver", "grenoble")} <= found
    assert not any(o == "grenoble" and p == "mkg:postIn" for _, p, o in found)
    with_authority = facts("La Ville de Grenoble recevra Luc Petit, adjoint au Maire de Grenoble.",
                           ("Ville de Grenoble", "Municipality", "ville-de-grenoble"),
                           ("Luc Petit", "Person", "luc-petit"), ("Grenoble", "City", "grenoble"))
    assert ("poste-luc-petit-ville-de-grenoble", "mkg:postIn", "ville-de-grenoble") in with_authority
    assert not any(p == "mkg:hasJurisdictionOver" for _, p, _ in with_authority)  # the release's row is used


def test_an_agreement_binds_the_subject_and_the_body_after_avec() -> None:
    text = "Le Club Alpin a signé à Turin une convention avec la Fédération Neige."
    assert facts(text, ("Club Alpin", "Club", "club-alpin"), ("Turin", "City", "turin"),
                 ("convention", "PartnershipConvention", "convention-1"),
                 ("Fédération Neige", "Federation", "federation-neige")) == {
        ("convention-1", "mkg:party", "club-alpin"), ("convention-1", "mkg:party", "federation-neige"),
        ("convention-1", "mkg:signingPlace", "turin")}
    alone = "Le Club Alpin a signé une convention de partenariat."
    assert facts(alone, ("Club Alpin", "Club", "club-alpin"),
                 ("convention de partenariat", "PartnershipConvention", "convention-1")) == {
        ("convention-1", "mkg:party", "club-alpin"), ("convention-1", "mkg:counterpartNotStated", "true")}
    during = "En marge du Forum Neige, le Club Alpin a signé une convention pour la formation des moniteurs."
    assert facts(during, ("Forum Neige", "Event", "forum-neige"), ("Club Alpin", "Club", "club-alpin"),
                 ("convention", "PartnershipConvention", "convention-1")) >= {
        ("convention-1", "mkg:signedDuring", "forum-neige"),
        ("convention-1", "mkg:purpose", '"la formation des moniteurs"@fr')}
    occasion = "Le Forum Neige s'est ouvert. À cette occasion, afin de former des moniteurs, le Club Alpin a signé " \
               "une convention."
    found = {(f.property, f.object, f.rule) for f in propose_facts("t", ReleaseText(occasion), [
        Row("t", "Forum Neige", ((3, 14),), (), "Event", "forum-neige", "test"),
        Row("t", "Club Alpin", ((occasion.index("Club Alpin"), occasion.index("Club Alpin") + 10),), (), "Club",
            "club-alpin", "test"),
        Row("t", "convention", ((occasion.index("convention"), occasion.index("convention") + 10),), (),
            "PartnershipConvention", "convention-1", "test")])}
    assert ("mkg:signedDuring", "forum-neige", "agreement:context") in found  # the occasion is the curators' reading
    assert facts("Le Club Alpin prépare une convention.", ("Club Alpin", "Club", "club-alpin"),
                 ("convention", "PartnershipConvention", "convention-1")) == set()  # nothing signed


def test_a_trip_has_its_destination_leaders_and_dates() -> None:
    text = "Du 3 au 7 mars 2019, une délégation conduite par Anne Roy et Luc Petit s'est rendue à Tomsk."
    assert facts(text, ("délégation", "Visit", "delegation-1"), ("Anne Roy", "Person", "anne-roy"),
                 ("Luc Petit", "Person", "luc-petit"), ("Tomsk", "City", "tomsk")) == {
        ("delegation-1", "mkg:destination", "tomsk"), ("delegation-1", "mkg:ledBy", "anne-roy"),
        ("delegation-1", "mkg:ledBy", "luc-petit"),
        ("delegation-1", "mkg:startDate", '"2019-03-03"^^xsd:date'),
        ("delegation-1", "mkg:endDate", '"2019-03-07"^^xsd:date')}
    later = "Une délégation est partie. Cette mission menée par Anne Roy a été un succès, selon Luc Petit."
    assert facts(later, ("délégation", "Visit", "delegation-1"), ("Anne Roy", "Person", "anne-roy"),
                 ("Luc Petit", "Person", "luc-petit")) == {("delegation-1", "mkg:ledBy", "anne-roy")}


def test_an_event_has_its_place_and_organiser() -> None:
    text = "Le Salon Neige 2026 aura lieu à Lyon, organisé par l'Union Alpine."
    assert facts(text, ("Salon Neige 2026", "Event", "salon-neige-2026"), ("Lyon", "City", "lyon"),
                 ("Union Alpine", "Organisation", "union-alpine")) == {
        ("salon-neige-2026", "mkg:eventLocation", "lyon"), ("salon-neige-2026", "mkg:organizer", "union-alpine")}
    assert facts("Les Jeux de Pékin 2030.", ("Jeux de Pékin 2030", "SportsEvent", "jeux-2030"),
                 ("Pékin", "City", "pekin")) == {("jeux-2030", "mkg:eventLocation", "pekin")}
    assert facts("Le Salon Neige 2026 a séduit Lyon.", ("Salon Neige 2026", "Event", "salon-neige-2026"),
                 ("Lyon", "City", "lyon")) == set()


def test_places_are_located_and_bodies_based() -> None:
    text = "Almaty, au Kazakhstan, accueille Alpha, basée à Almaty."
    assert facts(text, ("Almaty", "City", "almaty"), ("Kazakhstan", "Country", "kazakhstan"),
                 ("Alpha", "Firm", "alpha")) == {("almaty", "mkg:locatedIn", "kazakhstan"),
                                                 ("alpha", "mkg:basedIn", "almaty")}
    assert facts("Almaty et le Kazakhstan.", ("Almaty", "City", "almaty"),
                 ("Kazakhstan", "Country", "kazakhstan")) == set()
    assert facts("l'Ambassadeur de France au Kazakhstan", ("France", "Country", "france"),
                 ("Kazakhstan", "Country", "kazakhstan")) == set()  # a country is only in a wider area
    assert facts("le consul d'Italie au Québec", ("Italie", "Place", "italie"),
                 ("Québec", "Place", "quebec")) == set()  # the country a diplomat represents


def test_figures_are_counted_on_what_they_count() -> None:
    text = "La station de Val Neige comprendra à terme 5 000 lits touristiques et 12 remontées mécaniques."
    assert facts(text, ("station de Val Neige", "SkiResort", "val-neige")) == {
        ("val-neige", "mkg:touristBeds", "quantity:5000 Bed Planned"),
        ("val-neige", "mkg:skiLifts", "quantity:12 SkiLift Planned")}
    town = "Tomsk est au nord. Cette ville de plus de 500 000 habitants est jumelée."
    assert facts(town, ("Tomsk", "City", "tomsk")) == {("tomsk", "mkg:population",
                                                        "quantity:500000 Inhabitant LowerBound")}
    deal = "Alpha a signé un contrat de 12 millions d'euros."
    assert facts(deal, ("Alpha", "Firm", "alpha"), ("contrat", "Contract", "contrat-1")) >= {
        ("contrat-1", "mkg:amount", "amount:12000000 EUR")}
    assert facts("Tomsk compte 12 musées.", ("Tomsk", "City", "tomsk")) == set()  # nothing it knows to count


def test_a_subject_taken_from_an_earlier_sentence_is_the_curators_conclusion() -> None:
    text = "Une délégation est partie. Cette mission menée par Anne Roy a réussi. Ce site comptera 40 pistes."
    rows = [Row("t", form, ((text.index(form), text.index(form) + len(form)),), (), kind, slug, "test")
            for form, kind, slug in (("délégation", "Visit", "delegation-1"), ("Anne Roy", "Person", "anne-roy"))]
    rows.append(Row("t", "Val Neige", (), (), "SkiResort", "val-neige", "test"))  # named in no sentence: no subject
    found = {(f.subject, f.property, f.object): (f.rule, f.note) for f in propose_facts("t", ReleaseText(text), rows)}
    assert found == {("delegation-1", "mkg:ledBy", "anne-roy"): (
        "trip:context", "« Cette mission » est lu comme le déplacement nommé avant, « délégation ».")}
    went = "Une délégation est partie. Cette mission s'est rendue à Tomsk."
    rows = [Row("t", form, ((went.index(form), went.index(form) + len(form)),), (), kind, slug, "test")
            for form, kind, slug in (("délégation", "Visit", "delegation-1"), ("Tomsk", "City", "tomsk"))]
    assert {(f.property, f.object, f.rule) for f in propose_facts("t", ReleaseText(went), rows)} == \
        {("mkg:destination", "tomsk", "trip:context")}  # where the trip named before went: read from context too
    stated = "La délégation, conduite par Anne Roy, est partie."
    rows = [Row("t", form, ((stated.index(form), stated.index(form) + len(form)),), (), kind, slug, "test")
            for form, kind, slug in (("délégation", "Visit", "delegation-1"), ("Anne Roy", "Person", "anne-roy"))]
    assert [(f.rule, f.note) for f in propose_facts("t", ReleaseText(stated), rows)] == [("trip", "")]


def test_an_event_date_is_never_more_exact_than_the_text() -> None:
    fair = ("salon-1", "Event", "salon-1")
    assert facts("Le Salon Alpin se tiendra du 22 au 24 avril 2026.", ("Salon Alpin", *fair[1:])) >= {
        ("salon-1", "mkg:startDate", '"2026-04-22"^^xsd:date'), ("salon-1", "mkg:endDate", '"2026-04-24"^^xsd:date')}
    assert ("salon-1", "mkg:date", '"2025-03-12"^^xsd:date') in \
        facts("Le Salon Alpin a eu lieu le 12 mars 2025.", ("Salon Alpin", *fair[1:]))
    day = facts("La Fête Alpine aura lieu le 14 juillet.", ("Fête Alpine", "Celebration", "fete-1"),
                written=(date(2014, 7, 7), date(2014, 9, 30)))
    assert {p: o for s, p, o in day if s == "fete-1" and p != "mkg:dateRangeReason"} == {
        "mkg:dayOfYear": '"--07-14"^^xsd:gMonthDay', "mkg:dateNotBefore": '"2013-07-07"^^xsd:date',
        "mkg:dateNotAfter": '"2015-09-30"^^xsd:date'}
    assert not any(p in ("mkg:date", "mkg:startDate") for _, p, _ in day)  # no exact date the text does not give
    undated = facts("La Fête Alpine aura lieu le 14 juillet.", ("Fête Alpine", "Celebration", "fete-1"))
    assert undated == {("fete-1", "mkg:dayOfYear", '"--07-14"^^xsd:gMonthDay')}  # no release date: no bounds
