"""The release text as the ingestion reads it: folding, debris rules, sentences — offsets always of the stored file."""

from __future__ import annotations

import pytest

from montagne_kg.building.ingestion.text import ReleaseText, fold, fold_key


def debris(text: str) -> list[tuple[str, str]]:
    release = ReleaseText(text)
    return [(d.rule, text[d.start:d.end]) for d in release.debris]


def sentences(text: str) -> list[str]:
    release = ReleaseText(text)
    return [text[s.start:s.end] for s in release.sentences]


def test_folding_keeps_the_length_and_folds_case_accents_apostrophes_and_hyphens() -> None:
    text = "Pékin, POMA, Auvergne-Rhône-Alpes, d’hiver, Cœur"
    assert len(fold(text)) == len(text)
    assert fold(text) == "pekin, poma, auvergne rhone alpes, d'hiver, cœur"
    assert fold_key("Auvergne-Rhône-Alpes") == fold_key("Auvergne Rhône  Alpes") == "auvergne rhone alpes"
    assert fold_key("Pekin") == fold_key("Pékin")


@pytest.mark.parametrize(("text", "expected"), [
    (" tél. 04 79 96 87 35\n", [("phone number", "tél. 04 79 96 87 35")]),
    ("Appelez le +33 4 79 60 23 05.", [("phone number", "+33 4 79 60 23 05")]),
    ("courriel communication@chambery-metropole.fr", [("e-mail address",
                                                      "courriel communication@chambery-metropole.fr")]),
    ("Laisser un commentaire\n", [("comment form", "Laisser un commentaire")]),
    ("treize − huit =\n", [("captcha", "treize − huit =")]),
    ("3 + 4 = \n", [("captcha", "3 + 4 = ")]),
    ("Partager sur Facebook Twitter LinkedIn\n", [("share buttons", "Partager sur Facebook Twitter LinkedIn")]),
    ("Date 20/02/2017\n", [("fax header field", "Date 20/02/2017")]),
    ("nombre de pages y compris celle-ci 1\n", [("fax header field", "nombre de pages y compris celle-ci 1")]),
])
def test_each_debris_rule(text: str, expected: list[tuple[str, str]]) -> None:
    assert debris(text) == expected


@pytest.mark.parametrize("text", [
    "Une centaine d'emplois seront créés en 2017.",  # a year is not a phone number
    "Le contrat de 110 millions d'euros a été signé.",
    "Répondre aux besoins de formation des stations.",  # a sentence, not a comment form's button
    "La délégation a partagé son expérience.",
])
def test_ordinary_sentences_are_not_debris(text: str) -> None:
    assert debris(text) == []


def test_debris_is_blanked_for_analysis_and_offsets_keep_their_place() -> None:
    text = "Plus d'informations : Samuel Caillault, 04 79 60 23 05\nLaisser un commentaire\n"
    release = ReleaseText(text)
    assert len(release.analysed) == len(text)
    assert "04 79" not in release.analysed and "commentaire" not in release.analysed
    assert release.analysed.index("Samuel Caillault") == text.index("Samuel Caillault")


def test_analysis_straightens_apostrophes_and_blanks_markdown() -> None:
    text = "- **Coopération dans le domaine du Sport**, l’expérience"
    release = ReleaseText(text)
    assert release.analysed == "    Coopération dans le domaine du Sport  , l'expérience"


def test_sentences_end_at_full_stops_blank_lines_and_list_items_not_abbreviations() -> None:
    text = ("Titre sans point\n\nLe Cluster signe sous la bienveillance de M. Francis Etienne une convention. "
            "L’occasion est unique !\n- **Coopération** universitaire\n- Sport")
    assert sentences(text) == ["Titre sans point", "Le Cluster signe sous la bienveillance de M. Francis Etienne "
                               "une convention.", "L’occasion est unique !", "- **Coopération** universitaire",
                               "- Sport"]


def test_a_sentence_stops_before_the_contact_details_that_end_it() -> None:
    text = "de la part de service communication\n tél. 04 79 96 87 35\n courriel a@b.fr\n\nSuite."
    assert sentences(text) == ["de la part de service communication", "Suite."]


def test_sentence_offsets_are_code_points_of_the_stored_text(project) -> None:
    text = (project.releases / "003.txt").read_text(encoding="utf-8")
    release = ReleaseText(text)
    # the curated data cites these sentences of 003 (data/003.ttl)
    spans = {(s.start, s.end) for s in release.sentences}
    assert {(108, 342), (495, 693), (873, 987), (988, 1125), (1127, 1356), (1357, 1679), (1681, 1968)} <= spans
