"""The build: errors name file and line, failures leave the previous build, output is deterministic and faithful."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import VOID

from montagne_kg import cli
from montagne_kg.building.build import Assembled, build, prune
from montagne_kg.building.description import dataset_iri
from montagne_kg.building.project import Project
from montagne_kg.layout import MANIFEST, PUBLISHED_ENGINE, current_build
from montagne_kg.namespaces import CC_BY_4, DEFAULT_BASE, MKG
from tests.conftest import ROOT
from tests.rdf_asserts import assert_isomorphic


@pytest.fixture
def copy(tmp_path: Path) -> Project:
    """A throw-away copy of the project's sources, safe to break."""
    for folder in ("ontology", "data"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return Project(tmp_path)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def run_build(project: Project, out: Path, capsys: pytest.CaptureFixture, *extra: str) -> tuple[int, str]:
    code = cli.main(["--root", str(project.root), "build", "--out", str(out), *extra])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_turtle_syntax_error_names_file_and_line(copy: Project, tmp_path: Path, capsys) -> None:
    lines = (copy.data / "003.ttl").read_text(encoding="utf-8").splitlines()
    broken_line = next(i for i, line in enumerate(lines, 1) if line.startswith(":oslo a"))
    broken = ':oslo a mkg:City ; rdfs:label "unterminated ;'
    replace_in(copy.data / "003.ttl", ":oslo a mkg:City ;", broken)
    code, output = run_build(copy, tmp_path / "out", capsys)
    assert code == 1
    assert f"data/003.ttl:{broken_line}:{len(broken) + 1}: Turtle syntax error" in output  # at the line jump


def break_file(project: Project, case: str) -> None:
    """Break the copy of the sources in one of the ways reported in issue 9."""
    ttl = project.data / "003.ttl"
    if case == "missing 003.ttl":
        ttl.unlink()
    elif case == "missing 000.txt":
        (project.releases / "000.txt").unlink()
    elif case == "missing releases.ttl":
        (project.data / "releases.ttl").unlink()
    elif case == "IRI with a space":
        spaced = "<https://w3id.org/montagne-kg/id/os lo> a mkg:City .\n"
        replace_in(ttl, ":oslo a mkg:City ;", spaced + ":oslo a mkg:City ;")
    elif case == "invalid UTF-8":
        data = ttl.read_bytes()
        at = data.index(b":oslo a mkg:City ;")
        ttl.write_bytes(data[:at] + b"# \xff\n" + data[at:])
    elif case == "missing final dot":
        text = ttl.read_text(encoding="utf-8").rstrip()
        ttl.write_text(text.removesuffix(".") + "\n", encoding="utf-8")
    elif case == "empty 000.ttl":  # issue 25: built with release graph 000 empty
        (project.data / "000.ttl").write_bytes(b"")
    elif case == "000.ttl without mentions":  # prefixes and a comment only
        (project.data / "000.ttl").write_text("@prefix mkg: <https://w3id.org/montagne-kg/ontology#> .\n# cut\n",
                                              encoding="utf-8")
    elif case == "missing links":  # issue 25: built with the links graph empty
        (project.links / "wikidata.ttl").unlink()


def oslo_line(project: Project) -> int:
    lines = (project.data / "003.ttl").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(":oslo a"))


@pytest.mark.parametrize("case,expected", [
    ("missing 003.ttl", "data/003.ttl: missing file: data/releases/003.txt has no curated triples"),
    ("missing 000.txt", "data/releases/000.txt: missing file: data/000.ttl curates release 000"),
    ("missing releases.ttl", "data/releases.ttl: missing file"),
    ("IRI with a space", "data/003.ttl:{oslo}:1: Turtle syntax error: Invalid IRI code point ' '"),
    ("invalid UTF-8", "data/003.ttl:{oslo}:3: not UTF-8 (byte 0xff)"),
    ("missing final dot", "data/003.ttl:{last}: Turtle syntax error at the end of the file"),
    ("empty 000.ttl", "data/000.ttl: release 000 is described in data/releases.ttl, but this file mentions no entity "
                      "in it"),
    ("000.ttl without mentions", "data/000.ttl: release 000 is described in data/releases.ttl, but this file "
                                 "mentions no entity in it"),
    ("missing links", "data/links/wikidata.ttl: missing file: the Wikidata links file must exist"),
])
def test_a_broken_source_is_one_line_naming_file_and_line(copy: Project, tmp_path: Path, capsys,
                                                          case: str, expected: str) -> None:
    """Issue 9: each was a successful build without a release, a wrong message, or a raw traceback."""
    oslo = oslo_line(copy)
    last = len((copy.data / "003.ttl").read_text(encoding="utf-8").splitlines())
    break_file(copy, case)
    code, output = run_build(copy, tmp_path / "out", capsys)
    assert code == 1
    assert f"build failed: {expected.format(oslo=oslo, last=last)}" in output, output
    assert "Traceback" not in output and not (tmp_path / "out").exists()


def test_an_inconsistency_fails_the_build_naming_the_file(copy: Project, tmp_path: Path, capsys) -> None:
    replace_in(copy.data / "003.ttl", ":oslo a mkg:City ;", ":oslo a mkg:City, mkg:Firm ;")
    code, output = run_build(copy, tmp_path / "out", capsys)
    assert code == 1
    assert "build failed: data/003.ttl: OWL 2 RL inconsistency: Disjoint classes" in output
    assert "have a common individual https://w3id.org/montagne-kg/id/oslo" in output


def test_shacl_violation_names_node_path_constraint_message_and_file(copy: Project, tmp_path: Path, capsys) -> None:
    replace_in(copy.data / "000.ttl", '        mkg:currency "EUR" ;\n', "")
    code, output = run_build(copy, tmp_path / "out", capsys)
    assert code == 1
    assert "data/000.ttl" in output
    assert "path=mkg:currency" in output and "sh:MinCountConstraintComponent" in output
    assert "An amount has no currency." in output


def test_a_changed_release_text_fails_the_build(copy: Project, tmp_path: Path, capsys) -> None:
    with open(copy.releases / "003.txt", "ab") as f:
        f.write(b"\n")
    code, output = run_build(copy, tmp_path / "out", capsys)
    assert code == 1 and "data/releases/003.txt: SHA-256" in output


def test_a_span_outside_its_release_fails_the_build(copy: Project, tmp_path: Path, capsys) -> None:
    replace_in(copy.data / "003.ttl", "<release/003#char=652,656>", "<release/003#char=652,99999>")
    code, output = run_build(copy, tmp_path / "out", capsys)
    assert code == 1 and "data/003.ttl" in output and "outside release 003" in output


def test_a_failing_build_leaves_the_previous_build_untouched(copy: Project, tmp_path: Path, capsys) -> None:
    """A syntax error, and the partial data of issue 25 (each broken in turn, on one good build)."""
    out = tmp_path / "out"
    good = build(copy, out)
    before = {p.relative_to(good): p.read_bytes() for p in good.rglob("*") if p.is_file()}
    sources = {path: path.read_bytes() for path in (copy.data / "000.ttl", copy.links / "wikidata.ttl")}
    for case in ("syntax error", "empty 000.ttl", "missing links"):
        if case == "syntax error":
            replace_in(copy.data / "000.ttl", ":poma a mkg:Firm ;", ":poma a mkg:Firm ; rdfs:label \"unterminated ;")
        else:
            break_file(copy, case)
        code, _ = run_build(copy, out, capsys)
        assert code == 1, case
        assert current_build(out) == good, case
        assert {p.relative_to(good): p.read_bytes() for p in good.rglob("*") if p.is_file()} == before, case
        assert not [p for p in out.iterdir() if p.name.startswith(".incomplete-")], case
        for path, data in sources.items():
            path.write_bytes(data)


def test_two_builds_with_different_hash_seeds_are_byte_identical(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "4242"):
        out = tmp_path / f"out-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "montagne_kg.cli", "build", "--out", str(out)], check=True, env=env,
                       cwd=ROOT, capture_output=True)
        built = current_build(out)
        outputs.append({p.relative_to(built): p.read_bytes() for p in built.rglob("*") if p.is_file()})
    assert outputs[0].keys() == outputs[1].keys()
    for name in outputs[0]:
        assert outputs[0][name] == outputs[1][name], f"{name} differs between hash seeds"


DEFAULT_GRAPH = URIRef("urn:default")


def parse_quads(path: Path, fmt: ox.RdfFormat) -> dict[URIRef, Graph]:
    """Graphs of a dump file, read by Oxigraph's parser (independent of our writer and of rdflib's)."""
    lines: dict[str, list[str]] = {}
    for quad in ox.parse(path=str(path), format=fmt):
        name = str(DEFAULT_GRAPH) if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
        lines.setdefault(name, []).append(f"{quad.subject} {quad.predicate} {quad.object} .")
    return {URIRef(name): Graph().parse(data="\n".join(ls), format="nt") for name, ls in lines.items()}


@pytest.mark.parametrize("name,fmt", [("montagne-kg.ttl", ox.RdfFormat.TURTLE),
                                      ("montagne-kg.nt", ox.RdfFormat.N_TRIPLES),
                                      ("montagne-kg.jsonld", ox.RdfFormat.JSON_LD)])
def test_merged_dumps_round_trip(name: str, fmt: ox.RdfFormat, build_dir: Path, assembled: Assembled) -> None:
    parsed = parse_quads(build_dir / name, fmt)
    assert list(parsed) == [DEFAULT_GRAPH]
    assert_isomorphic(assembled.union(), parsed[DEFAULT_GRAPH])
    with gzip.open(build_dir / f"{name}.gz") as f:
        assert f.read() == (build_dir / name).read_bytes()


@pytest.mark.parametrize("name,fmt", [("montagne-kg.trig", ox.RdfFormat.TRIG),
                                      ("montagne-kg.nq", ox.RdfFormat.N_QUADS)])
def test_named_graph_dumps_round_trip(name: str, fmt: ox.RdfFormat, build_dir: Path, assembled: Assembled) -> None:
    parsed = parse_quads(build_dir / name, fmt)
    assert set(parsed) == {n for n, g in assembled.graphs.items() if len(g)}
    for graph_name, expected in parsed.items():
        assert_isomorphic(assembled.graphs[graph_name], expected)


def test_per_graph_downloads_round_trip(build_dir: Path, assembled: Assembled) -> None:
    for graph_name, expected in assembled.graphs.items():
        file = str(graph_name)[len(DEFAULT_BASE + "graph/"):].replace("/", "-") + ".ttl"
        assert_isomorphic(expected, Graph().parse(build_dir / "graphs" / file, format="turtle"))


def test_gzip_dumps_have_no_timestamp(build_dir: Path) -> None:
    for gz in build_dir.glob("*.gz"):
        header = gz.read_bytes()[:10]
        assert header[4:8] == b"\x00\x00\x00\x00", gz.name


def test_dumps_hold_no_blank_nodes(build_dir: Path) -> None:
    assert "_:" not in (build_dir / "montagne-kg.nq").read_text(encoding="utf-8")


def test_void_counts_match_the_dumps(build_dir: Path) -> None:
    void = Graph().parse(build_dir / "void.ttl")
    ds = dataset_iri(DEFAULT_BASE)
    quads = (build_dir / "montagne-kg.nq").read_text(encoding="utf-8").count("\n")
    distinct = (build_dir / "montagne-kg.nt").read_text(encoding="utf-8").count("\n")
    assert distinct < quads  # a triple stated by both releases is one triple of the merge, two quads
    assert int(void.value(ds, VOID.triples)) == distinct
    assert int(void.value(ds, MKG.quadCount)) == quads
    manifest = json.loads((build_dir / "manifest.json").read_text())
    for name, count in manifest["graphs"].items():
        assert int(void.value(URIRef(name), VOID.triples)) == count
    assert (ds, URIRef("http://purl.org/dc/terms/license"), URIRef(CC_BY_4)) in void
    sizes = {str(d): int(void.value(d, URIRef("http://www.w3.org/ns/dcat#byteSize")))
             for d in void.subjects(URIRef("http://www.w3.org/ns/dcat#byteSize"), None)}
    for file in ("montagne-kg.ttl", "montagne-kg.nq.gz"):
        assert sizes[f"{DEFAULT_BASE}dumps/{file}"] == (build_dir / file).stat().st_size


def test_the_base_iri_is_a_build_option(tmp_path: Path, capsys) -> None:
    base = "http://example.org/kg/"
    code, _ = run_build(Project(ROOT), tmp_path / "out", capsys, "--base", base)
    assert code == 0
    built = current_build(tmp_path / "out")
    nt = (built / "montagne-kg.nq").read_text(encoding="utf-8")
    assert DEFAULT_BASE not in nt
    assert f"<{base}id/chambery>" in nt and f"<{base}graph/release/000>" in nt
    assert json.loads((built / "manifest.json").read_text())["base"] == base


def test_locate_prints_every_occurrence(capsys) -> None:
    assert cli.main(["locate", "003", "Almaty"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"149\t155\t<{DEFAULT_BASE}id/release/003#char=149,155>",
                     f"568\t574\t<{DEFAULT_BASE}id/release/003#char=568,574>",
                     f"980\t986\t<{DEFAULT_BASE}id/release/003#char=980,986>"]
    assert cli.main(["locate", "003", "Grenoble"]) == 1


def test_pruning_keeps_the_newest_builds_and_any_published_to_an_engine(tmp_path: Path) -> None:
    ages = {"a": 50, "b": 40, "c": 30, "d": 20, "e": 10}  # seconds ago; e is the newest
    for name, age in ages.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / MANIFEST).write_text("{}")
        if name == "a":
            (tmp_path / name / PUBLISHED_ENGINE).write_text('{"url": "http://127.0.0.1:7878/query"}')
        os.utime(tmp_path / name, (time.time() - age, time.time() - age))
    prune(tmp_path, keep=tmp_path / "e")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "c", "d", "e"]  # b: old and not published
