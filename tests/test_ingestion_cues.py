"""Agreement and trip rows: which sentences give them, and which do not (texts written for the tests)."""

from __future__ import annotations

from datetime import date

from montagne_kg.building.ingestion.cues import cues, dateline
from montagne_kg.building.ingestion.text import ReleaseText


def found(text: str) -> list[tuple[str, str]]:
    return [(text[c.start:c.end], c.kind) for c in cues(ReleaseText(text))]


def test_a_signing_sentence_gives_one_row_per_agreement_word() -> None:
    text = "La Ville d'Annecy a signé une lettre d'intention et un accord de coopération avec Tomsk."
    assert found(text) == [("lettre d'intention", "LetterOfIntent"), ("accord de coopération", "CooperationAgreement")]
    assert found("Le groupe a conclu un contrat et créé une joint-venture.") == \
        [("contrat", "Contract"), ("joint-venture", "JointVenture")]  # the company the partners form


def test_no_signing_verb_no_agreement_row() -> None:
    assert found("Un accord de coopération est à l'étude avec Tomsk.") == []


def test_a_trip_word_in_a_dated_sentence_or_saying_whose_trip() -> None:
    assert found("Du 3 au 7 mars 2019, une délégation s'est rendue à Tomsk.") == [("délégation", "Visit")]
    # named with whose trip it is, the row's form runs over the name
    assert found("Elle accompagnait le déplacement de Anne Durand.") == [("déplacement de Anne Durand", "Visit")]
    assert found("La délégation « savoyarde » Annecy Mont-Blanc était là.") == \
        [("délégation « savoyarde » Annecy Mont-Blanc", "Visit")]


def test_a_trip_word_alone_gives_no_row() -> None:
    assert found("La mission a été un succès.") == []
    assert found("Sa mission est de former des moniteurs.") == []


def test_a_trip_named_by_the_body_it_comes_from_or_its_nationality() -> None:
    assert found("Nous recevrons une délégation de la région du Tyrol.") == \
        [("délégation de la région du Tyrol", "Visit")]
    assert found("Une délégation japonaise a visité Tignes.") == [("délégation japonaise", "Visit")]
    # a participle after the trip word is no nationality: no row without a date
    assert found("Une délégation conduite par le maire a visité Tignes.") == []


def test_the_dateline_dates_the_release() -> None:
    assert dateline(ReleaseText("Communiqué\n\nGrenoble, le 12 mars 2025\n\nTitre\n")) == date(2025, 3, 12)
    assert dateline(ReleaseText("\n\nDate 20/02/2017\n\nTexte.")) == date(2017, 2, 20)
    assert dateline(ReleaseText("Le Cluster fête le 14 juillet 2014 à Almaty.\n")) is None  # a sentence, no dateline
    assert dateline(ReleaseText("Oslo, le 31 février 2025\n")) is None  # no such day
