"""Proposals from known names and the model's entities together (texts and names written for the tests; the model is
replaced by the spans each test gives, so that only the proposing is tested)."""

from __future__ import annotations

from montagne_kg.building.ingestion.gazetteer import Gazetteer, KnownName
from montagne_kg.building.ingestion.proposals import propose
from montagne_kg.building.ingestion.recognition import Recognised
from montagne_kg.building.ingestion.text import fold_key

MKG = "https://w3id.org/montagne-kg/ontology#"
ID = "https://w3id.org/montagne-kg/id/"
GAZETTEER = Gazetteer([KnownName(fold_key(name), name, ID + slug, MKG + kind) for name, slug, kind in (
    ("Espagne", "espagne", "Country"), ("Poma", "poma", "Firm"), ("Pékin", "pekin", "City"),
    ("Chambéry", "chambery", "City"), ("Mont Blanc", "mont-blanc", "Mountain"),
    ("université de Savoie Alpes", "universite-savoie-alpes", "University"),
    ("Cluster Glisse", "cluster-glisse", "Cluster"), ("province du Tyrol", "tyrol", "AdministrativeRegion"),
    ("province du Tyrol", "province-du-tyrol", "RegionalAuthority"))])


def rows(text: str, *entities: tuple[str, str]) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """Propose for ``text``, the model giving ``entities`` as (quote, label); rows as (form, kind, slug or IRI's
    slug, quotes of its mentions), cue rows left out."""
    def recogniser(_: str) -> list[Recognised]:
        found, start = [], 0
        for quote, label in entities:
            start = text.index(quote, start)
            found.append(Recognised(start, start + len(quote), label))
            start += len(quote)
        return found

    return [(r.form, r.kind, r.iri.rsplit("/", 1)[-1], tuple(text[s:e] for s, e in r.mentions))
            for r in propose("t", text, GAZETTEER, recogniser) if not r.why.startswith("cue:")]


def test_a_known_name_inside_a_longer_proper_name_is_not_a_mention_of_it() -> None:
    # the model saw nothing: the capitalised words written on to the known name make the name
    assert rows("Espagne Neige Export ouvre un bureau.") == \
        [("Espagne Neige Export", "Organisation", "espagne-neige-export", ("Espagne Neige Export",))]
    # the model saw the longer name
    assert rows("Le Trophée Poma des Cimes aura lieu.", ("Trophée Poma des Cimes", "MISC")) == \
        [("Trophée Poma des Cimes", "SportsEvent", "trophee-poma-des-cimes", ("Trophée Poma des Cimes",))]
    assert rows("Elle étudie à l'Institut Mont Blanc.", ("Institut Mont Blanc", "ORG")) == \
        [("Institut Mont Blanc", "Organisation", "institut-mont-blanc", ("Institut Mont Blanc",))]


def test_a_known_name_standing_alone_is_still_linked() -> None:
    assert rows("En Espagne, Poma construit un téléphérique.") == \
        [("Espagne", "Country", "espagne", ("Espagne",)), ("Poma", "Firm", "poma", ("Poma",))]
    assert rows("Le Président Chambéry n'existe pas ; Monsieur Poma non plus.") == \
        [("Chambéry", "City", "chambery", ("Chambéry",)), ("Poma", "Firm", "poma", ("Poma",))]


def test_a_place_in_an_event_name_or_a_description_stays_a_mention() -> None:
    assert rows("Les Jeux d'Hiver de Pékin 2030.", ("Jeux d'Hiver de Pékin 2030", "MISC")) == [
        ("Jeux d'Hiver de Pékin 2030", "SportsEvent", "jeux-d-hiver-de-pekin-2030", ("Jeux d'Hiver de Pékin 2030",)),
        ("Pékin", "City", "pekin", ("Pékin",))]
    assert rows("le club de ski de Chambéry", ("Chambéry", "LOC")) == [
        ("club de ski de Chambéry", "Club", "club-de-ski-de-chambery", ("club de ski de Chambéry",)),
        ("Chambéry", "City", "chambery", ("Chambéry",))]


def test_known_names_joined_by_et_are_not_one_name() -> None:
    assert rows("Vols entre Pékin et Chambéry.", ("Pékin et Chambéry", "LOC")) == \
        [("Pékin", "City", "pekin", ("Pékin",)), ("Chambéry", "City", "chambery", ("Chambéry",))]


def test_a_known_name_but_for_its_function_words_is_linked() -> None:
    assert rows("À l'Université Savoie Alpes, un colloque.", ("Université Savoie Alpes", "ORG")) == \
        [("Université Savoie Alpes", "University", "universite-savoie-alpes", ("Université Savoie Alpes",))]
    assert rows("À l'Université Savoie, un colloque.", ("Université Savoie", "ORG")) == \
        [("Université Savoie", "University", "universite-savoie", ("Université Savoie",))]


def test_short_forms_join_the_full_name() -> None:
    text = ("Le Cluster Glisse et la Fédération Alpine de Ski (FAS) ont signé. Le Cluster financera ; la Fédération "
            "formera. La FAS compte 40 clubs ; une fédération voisine aussi.")
    assert rows(text, ("Fédération Alpine de Ski", "ORG"), ("FAS", "ORG"), ("Cluster", "ORG"), ("FAS", "ORG")) == [
        ("Cluster Glisse", "Cluster", "cluster-glisse", ("Cluster Glisse", "Cluster")),
        ("Fédération Alpine de Ski", "Federation", "federation-alpine-de-ski",
         ("Fédération Alpine de Ski", "FAS", "Fédération", "FAS"))]
    places = "À San Martín de los Andes, puis à Andes, et à Martín."  # only the last word of a place's name
    assert rows(places, ("San Martín de los Andes", "LOC"), ("Andes", "LOC"), ("Martín", "LOC")) == [
        ("San Martín de los Andes", "Place", "san-martin-de-los-andes", ("San Martín de los Andes", "Andes")),
        ("Martín", "Place", "martin", ("Martín",))]


def test_a_name_of_a_place_and_of_its_government_is_read_from_what_comes_before() -> None:
    assert rows("Une délégation de la province du Tyrol est venue.") == \
        [("province du Tyrol", "RegionalAuthority", "province-du-tyrol", ("province du Tyrol",))]
    assert rows("Ils skient dans la province du Tyrol.") == \
        [("province du Tyrol", "AdministrativeRegion", "tyrol", ("province du Tyrol",))]
    assert rows("La province du Tyrol est belle.") == [  # nothing says which: the curator picks
        ("province du Tyrol", "RegionalAuthority", "province-du-tyrol", ("province du Tyrol",)),
        ("province du Tyrol", "AdministrativeRegion", "tyrol", ("province du Tyrol",))]
