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


def test_bodies_coordinated_before_the_signing_verb_all_sign() -> None:
    text = "La Fédération Nordique (FN) et l'Union Alpine, l'agence du ski, ont signé un accord."
    names = (("Fédération Nordique", "Federation", "fn"), ("FN", "Federation", "fn"),
             ("Union Alpine", "Organisation", "union-alpine"), ("accord", "Agreement", "accord-1"))
    assert facts(text, *names) == {("accord-1", "mkg:party", "fn"), ("accord-1", "mkg:party", "union-alpine")}
    helped = "Avec l'appui de la Fédération Nordique, l'Union Alpine a signé un accord."
    assert facts(helped, *names[:1], *names[2:]) == {
        ("accord-1", "mkg:party", "union-alpine"), ("accord-1", "mkg:counterpartNotStated", "true")}


def test_la_signature_places_the_agreement_named_before() -> None:
    text = "L'Union Alpine a signé une convention avec le Club Nordique. La signature a eu lieu à Oslo, en marge " \
           "du Forum Blanc."
    rows = [Row("t", form, ((text.index(form), text.index(form) + len(form)),), (), kind, slug, "test")
            for form, kind, slug in (("Union Alpine", "Organisation", "union-alpine"),
                                     ("convention", "PartnershipConvention", "convention-1"),
                                     ("Club Nordique", "Club", "club-nordique"), ("Oslo", "City", "oslo"),
                                     ("Forum Blanc", "Event", "forum-blanc"))]
    found = {(f.subject, f.property, f.object): f.rule for f in propose_facts("t", ReleaseText(text), rows)}
    assert found[("convention-1", "mkg:signingPlace", "oslo")] == "agreement:context"
    assert found[("convention-1", "mkg:signedDuring", "forum-blanc")] == "agreement:context"
    assert facts("La signature a eu lieu à Oslo.", ("Oslo", "City", "oslo")) == set()  # no agreement named before


def test_a_date_without_its_year_takes_the_year_of_the_events_name_or_stays_a_day_of_the_year() -> None:
    named = facts("La Coupe Blanche 2027 aura lieu du 3 au 5 mars à Oslo.",
                  ("Coupe Blanche 2027", "SportsEvent", "coupe-2027"), ("Oslo", "City", "oslo"))
    assert {("coupe-2027", "mkg:startDate", '"2027-03-03"^^xsd:date'),
            ("coupe-2027", "mkg:endDate", '"2027-03-05"^^xsd:date')} <= named
    plain = facts("Le Forum Blanc aura lieu du 3 au 5 mars.", ("Forum Blanc", "Event", "forum-blanc"),
                  written=(date(2026, 1, 10), date(2026, 1, 10)))
    assert {p: o for s, p, o in plain if p != "mkg:dateRangeReason"} == {
        "mkg:dayOfYear": '"--03-03"^^xsd:gMonthDay', "mkg:lastDayOfYear": '"--03-05"^^xsd:gMonthDay',
        "mkg:dateNotBefore": '"2025-01-10"^^xsd:date', "mkg:dateNotAfter": '"2027-01-10"^^xsd:date'}
    other = facts("Le 7 mai 2019, le Comité Blanc a choisi Oslo pour la Coupe Blanche.",
                  ("Comité Blanc", "Organisation", "comite-blanc"), ("Oslo", "City", "oslo"),
                  ("Coupe Blanche", "SportsEvent", "coupe"))
    assert not any(p == "mkg:date" for _, p, _ in other)  # the date is the committee's choice, not the cup's


def test_who_organises_an_event_is_the_subject_of_organiser_or_the_partners_named_before() -> None:
    assert facts("Le Club Nordique et l'Union Alpine organiseront le Forum Blanc.",
                 ("Club Nordique", "Club", "club-nordique"), ("Union Alpine", "Organisation", "union-alpine"),
                 ("Forum Blanc", "Event", "forum-blanc")) == {
        ("forum-blanc", "mkg:organizer", "club-nordique"), ("forum-blanc", "mkg:organizer", "union-alpine")}
    text = "L'Union Alpine a signé une convention avec le Club Nordique. Les deux partenaires organiseront la " \
           "Coupe Blanche."
    names = (("Union Alpine", "Organisation", "union-alpine"), ("convention", "PartnershipConvention", "conv-1"),
             ("Club Nordique", "Club", "club-nordique"), ("Coupe Blanche", "SportsEvent", "coupe"))
    assert {("coupe", "mkg:organizer", "union-alpine"), ("coupe", "mkg:organizer", "club-nordique")} <= \
        facts(text, *names)
    assert facts("Les deux partenaires organiseront la Coupe Blanche.", names[3]) == set()  # no agreement before


def test_people_counted_are_employees_attendance_or_exhibitors() -> None:
    assert facts("Fondée à Oslo, l'entreprise Alpha emploie 140 personnes.", ("Oslo", "City", "oslo"),
                 ("Alpha", "Firm", "alpha")) == {("alpha", "mkg:employees", "quantity:140 Employee")}
    text = "La Coupe Blanche aura lieu à Oslo. Plus de 300 jeunes skieurs sont attendus."
    rows = [Row("t", form, ((text.index(form), text.index(form) + len(form)),), (), kind, slug, "test")
            for form, kind, slug in (("Coupe Blanche", "SportsEvent", "coupe"), ("Oslo", "City", "oslo"))]
    found = {(f.subject, f.property, f.object): f.rule for f in propose_facts("t", ReleaseText(text), rows)}
    assert found[("coupe", "mkg:attendance", "quantity:300 Participant LowerBound Planned")] == "figures:context"
    assert ("salon", "mkg:exhibitors", "quantity:250 Exhibitor") in facts(
        "Le Salon Blanc réunit 250 exposants.", ("Salon Blanc", "Event", "salon"))
    assert facts("Alpha a reçu 140 personnes.", ("Alpha", "Firm", "alpha")) == set()  # nobody employed, no event
    jobs = "Alpha a signé un contrat à Oslo. Une centaine d'emplois seront ainsi créés."
    rows = [Row("t", form, ((jobs.index(form), jobs.index(form) + len(form)),), (), kind, slug, "test")
            for form, kind, slug in (("Alpha", "Firm", "alpha"), ("contrat", "Contract", "contrat-1"))]
    assert ("contrat-1", "mkg:expectedJobs", "quantity:100 Job Approximate Planned") in {
        (f.subject, f.property, f.object) for f in propose_facts("t", ReleaseText(jobs), rows)}


def test_an_office_shaped_noun_is_a_role_and_a_title_implies_its_body() -> None:
    host = ("ville de Bariloche", "Municipality", "ville-de-bariloche")
    found = facts("Reçue par la ville de Bariloche, Ana Ruiz, intendante de Bariloche, a parlé.", host,
                  ("Ana Ruiz", "Person", "ana-ruiz"), ("Bariloche", "City", "bariloche"))
    assert ("poste-ana-ruiz-ville-de-bariloche", "mkg:postIn", "ville-de-bariloche") in found
    assert facts("Ana Ruiz, originaire de Bariloche, a parlé.", ("Ana Ruiz", "Person", "ana-ruiz"),
                 ("Bariloche", "City", "bariloche")) == set()  # where she is from is no office
    assert facts("Ana Ruiz, intendante de Bariloche, a parlé.", ("Ana Ruiz", "Person", "ana-ruiz"),
                 ("Bariloche", "City", "bariloche")) == set()  # which body of Bariloche: only a mayor's is known
    minister = facts("Paul Roy, ministre des Sports, est venu.", ("Paul Roy", "Person", "paul-roy"))
    assert {("ministere-charge-des-sports", "a", "mkg:Ministry"),
            ("poste-paul-roy-ministere-charge-des-sports", "mkg:postIn", "ministere-charge-des-sports")} <= minister
    envoy = facts("Avec l'Ambassadeur de France en Norvège, M. Paul Roy, le club a signé.",
                  ("France", "Country", "france"), ("Norvège", "Country", "norvege"),
                  ("Paul Roy", "Person", "paul-roy"))
    assert {("ambassade-de-france-en-norvege", "a", "mkg:Embassy"),
            ("ambassade-de-france-en-norvege", "mkg:country", "france"),
            ("poste-paul-roy-ambassade-de-france-en-norvege", "mkg:holder", "paul-roy")} <= envoy
    region = facts("Anne Roy, présidente de la région Alpes Sud, a parlé.", ("Anne Roy", "Person", "anne-roy"),
                   ("Alpes Sud", "AdministrativeRegion", "alpes-sud"))
    assert {("region-alpes-sud", "a", "mkg:RegionalAuthority"), ("region-alpes-sud", "mkg:hasJurisdictionOver",
                                                                  "alpes-sud")} <= region
