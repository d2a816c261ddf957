"""The review file: written and read back unchanged; every malformed line refused with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from montagne_kg.building.ingestion.review import COLUMNS, ReviewError, Row, parse_decision, read_review, write_review

ROW = Row("004", "Pékin", ((10, 15), (40, 45)), ((0, 30), (31, 60)), "City", "https://w3id.org/montagne-kg/id/pekin",
          "gazetteer", "", "")


def write_lines(path: Path, *lines: str) -> Path:
    path.write_text("\t".join(COLUMNS) + "\n" + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_a_review_file_reads_back_as_written(tmp_path: Path) -> None:
    second = Row("004", "Zhangjiakou « ville »\tx", ((3, 14),), ((0, 30),), "City", "zhangjiakou", "NER:LOC", "accept",
                 "a note")
    write_review(tmp_path / "004.tsv", [ROW, second])
    rows = read_review(tmp_path / "004.tsv")
    assert [r.cells() for r in rows] == [second.cells(), ROW.cells()]  # sorted by first offset
    assert [r.line for r in rows] == [2, 3]


def test_not_utf8_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "004.tsv"
    path.write_bytes(("\t".join(COLUMNS) + "\n").encode() + b"004\tP\xe9kin\t1,2\t\tCity\tpekin\tx\taccept\t\n")
    with pytest.raises(ReviewError, match=r"004\.tsv:2: not UTF-8"):
        read_review(path)


@pytest.mark.parametrize(("line", "message"), [
    ("004\tPékin\t10,15", r"004\.tsv:2: 3 columns, expected 9"),
    ("004\tPékin\t10-15\t\tCity\tpekin\tx\taccept\t", r"004\.tsv:2: '10-15' is not a span"),
    ("004\tPékin\t15,10\t\tCity\tpekin\tx\taccept\t", r"004\.tsv:2: span 15,10 is empty or reversed"),
])
def test_malformed_rows_are_refused_with_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    with pytest.raises(ReviewError, match=message):
        read_review(write_lines(tmp_path / "004.tsv", line))


def test_every_malformed_row_is_reported_at_once(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "004.tsv", "004\tPékin\t10,15",
                       "004\tPékin\t10,15\t\tCity\tpekin\tx\taccept\t",
                       "004\tPékin\t10-15\t\tCity\tpekin\tx\taccept\t",
                       "004\tPékin\t15,10\t\tCity\tpekin\tx\taccept\t")
    with pytest.raises(ReviewError) as refused:
        read_review(path)
    assert str(refused.value).splitlines() == [
        f"{path}:2: 3 columns, expected 9 (tab-separated)",
        f"{path}:4: '10-15' is not a span (start,end)",
        f"{path}:5: span 15,10 is empty or reversed",
    ]


def test_a_wrong_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "004.tsv"
    path.write_text("form\tdecision\n", encoding="utf-8")
    with pytest.raises(ReviewError, match=r"004\.tsv:1: the header must be"):
        read_review(path)


@pytest.mark.parametrize(("decision", "expected"), [
    ("accept", {}),
    ("reject", {"reject": True}),
    ("same:pekin", {"same": "pekin"}),
    ("kind:Municipality | rename:Ville de Pékin", {"kind": "Municipality", "rename": "Ville de Pékin"}),
    ("span:10,15;40,45", {"spans": ((10, 15), (40, 45))}),
    ("parties:poma,thaiwoo", {"parties": ("poma", "thaiwoo")}),
])
def test_decisions(decision: str, expected: dict) -> None:
    parsed = parse_decision(Row(**{**ROW.__dict__, "decision": decision}), "f:2")
    for name, value in expected.items():
        assert getattr(parsed, name) == value
    assert parsed.reject == expected.get("reject", False)


@pytest.mark.parametrize(("decision", "message"), [
    ("", r"f:2: « Pékin » is undecided"),
    ("maybe", r"f:2: 'maybe' is not a decision"),
    ("accept:yes", r"f:2: 'accept:yes' is not a decision"),
    ("same:", r"f:2: 'same:' is not a decision"),
    ("reject | kind:City", r"f:2: reject cannot be combined"),
    ("span:4", r"f:2: '4' is not a span"),
])
def test_bad_decisions_are_refused(decision: str, message: str) -> None:
    with pytest.raises(ReviewError, match=message):
        parse_decision(Row(**{**ROW.__dict__, "decision": decision}), "f:2")
