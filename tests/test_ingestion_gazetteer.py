"""Known names: matched whatever the case, accents, apostrophes and hyphens; longest first; never in debris."""

from __future__ import annotations

from pathlib import Path

from montagne_kg.building.ingestion.gazetteer import Gazetteer, KnownName, known_entities
from montagne_kg.building.ingestion.text import ReleaseText, fold_key

MKG = "https://w3id.org/montagne-kg/ontology#"
ID = "https://w3id.org/montagne-kg/id/"


def known(name: str, slug: str, kind: str) -> KnownName:
    return KnownName(fold_key(name), name, ID + slug, MKG + kind)


GAZETTEER = Gazetteer([known("Pékin", "pekin", "City"), known("Poma", "poma", "Firm"),
                       known("Auvergne-Rhône-Alpes", "auvergne-rhone-alpes", "AdministrativeRegion"),
                       known("Jeux Olympiques d'hiver de 2022", "jo-2022", "SportsEvent"),
                       known("Chambéry", "chambery", "City"),
                       known("Chambéry métropole", "chambery-metropole", "Intercommunality")])


def found(text: str) -> list[tuple[str, str]]:
    return [(text[m.start:m.end], m.known.iri.rsplit("/", 1)[1]) for m in GAZETTEER.find(ReleaseText(text))]


def test_variants_of_a_known_name_are_found() -> None:
    text = "A PEKIN, la société POMA et la région Auvergne Rhône Alpes, pour les Jeux olympiques d’Hiver de 2022."
    assert found(text) == [("PEKIN", "pekin"), ("POMA", "poma"), ("Auvergne Rhône Alpes", "auvergne-rhone-alpes"),
                           ("Jeux olympiques d’Hiver de 2022", "jo-2022")]


def test_the_longest_name_wins_and_words_are_whole() -> None:
    assert found("Chambéry métropole et Chambéry, pas Chambérysien.") == \
        [("Chambéry métropole", "chambery-metropole"), ("Chambéry", "chambery")]


def test_no_name_inside_contact_details() -> None:
    assert found("courriel contact@chambery.fr\nà Chambéry") == [("Chambéry", "chambery")]


def test_the_build_gives_lasting_entities_only(build_dir: Path) -> None:
    names = Gazetteer.from_build(build_dir).names
    iris = {n.iri.rsplit("/", 1)[1] for n in names}
    assert {"pekin", "cluster-montagne", "jeux-olympiques-d-hiver-de-2022"} <= iris
    kinds = {k.slug: k.kind for k in known_entities(build_dir).values()}
    one_off = {slug for slug, kind in kinds.items() if kind in ("Visit", "Celebration", "Decision")}
    assert one_off and not one_off & iris  # a later « délégation » or « 14 juillet » is another one
    assert all(any(c.isupper() for c in n.name) for n in names)  # « service communication » says what, not which
