"""The review file: one row per proposed form, the curator's decision beside it; written, read and checked.

TSV, UTF-8, a header line, rows sorted by first offset. Columns: release, form, mentions (``start,end`` code-point
spans of the stored text, ``;``-separated), sentences (the spans of the sentences they are in), kind (an ontology
class, local name), iri (a known entity's IRI, or the slug of a new one), why (gazetteer, NER label, rule names),
decision, note.

Decisions, several joined by `` | `` where they combine: ``accept``; ``reject``; ``same:<slug or IRI>`` (the form
is another name of an existing entity or of another row's new one); ``kind:<Class>``; ``rename:<label>``;
``span:<start>,<end>[;…]`` (replaces the mentions); ``parties:<slug>,<slug>[,…]`` (an agreement's parties, which
its shape requires). ``kind:``, ``rename:``, ``span:`` and ``parties:`` imply ``accept``.

A row added by hand for a name the proposals missed may leave ``mentions``, ``sentences`` and ``iri`` empty: every
occurrence of its form in the text is then a mention, and its slug is made from the form.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

COLUMNS = ("release", "form", "mentions", "sentences", "kind", "iri", "why", "decision", "note")
SPAN = re.compile(r"^(\d+),(\d+)$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ACTIONS = ("accept", "reject", "same", "kind", "rename", "span", "parties")


class ReviewError(ValueError):
    """A review file that cannot be applied; the message starts with ``file:line:``."""


@dataclass(frozen=True)
class Row:
    release: str
    form: str
    mentions: tuple[tuple[int, int], ...]
    sentences: tuple[tuple[int, int], ...]
    kind: str
    iri: str
    why: str
    decision: str = ""
    note: str = ""
    line: int = 0  # where it was read, for messages

    def cells(self) -> list[str]:
        return [self.release, self.form, format_spans(self.mentions), format_spans(self.sentences), self.kind,
                self.iri, self.why, self.decision, self.note]

    @property
    def slug(self) -> str:
        """The slug of the entity the row names: its known entity's, or the new one it proposes."""
        return self.iri.rsplit("/id/", 1)[-1]


@dataclass
class Decision:
    """What the curator decided for one row, parsed."""

    reject: bool = False
    same: str | None = None
    kind: str | None = None
    rename: str | None = None
    spans: tuple[tuple[int, int], ...] | None = None
    parties: tuple[str, ...] = field(default=())


def format_spans(spans: tuple[tuple[int, int], ...]) -> str:
    return ";".join(f"{start},{end}" for start, end in spans)


def parse_spans(value: str, where: str) -> tuple[tuple[int, int], ...]:
    spans = []
    for part in value.split(";"):
        match = SPAN.match(part.strip())
        if not match:
            raise ReviewError(f"{where}: {part.strip()!r} is not a span (start,end)")
        start, end = int(match.group(1)), int(match.group(2))
        if start >= end:
            raise ReviewError(f"{where}: span {start},{end} is empty or reversed")
        spans.append((start, end))
    return tuple(spans)


def write_table(path: Path, columns: tuple[str, ...], rows: list[list[str]]) -> None:
    """A review table: UTF-8, tab-separated, a header line of ``columns``."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def read_table(path: Path, columns: tuple[str, ...]) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    """The rows of a review table as (line number, values by column), and a problem per malformed row (all of
    them); ReviewError when the file is not UTF-8 or its header is not ``columns``."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        line = path.read_bytes()[: err.start].count(b"\n") + 1
        raise ReviewError(f"{path}:{line}: not UTF-8 ({err.reason})") from None
    lines = list(csv.reader(io.StringIO(text), delimiter="\t"))
    if not lines or tuple(lines[0]) != columns:
        raise ReviewError(f"{path}:1: the header must be the columns {', '.join(columns)} (tab-separated)")
    rows, problems = [], []
    for number, cells in enumerate(lines[1:], start=2):
        if not any(cells):
            continue
        where = f"{path}:{number}"
        if len(cells) != len(columns):
            problems.append(f"{where}: {len(cells)} columns, expected {len(columns)} (tab-separated)")
            continue
        rows.append((number, dict(zip(columns, cells, strict=True))))
    return rows, problems


def write_review(path: Path, rows: list[Row]) -> None:
    ordered = sorted(rows, key=lambda r: (r.mentions[0] if r.mentions else (0, 0), r.form, r.kind, r.iri))
    write_table(path, COLUMNS, [row.cells() for row in ordered])


def read_review(path: Path) -> list[Row]:
    """The rows of a review file; ReviewError (file:line, one line per malformed row, all of them) when it is not
    UTF-8 or rows are malformed."""
    table, problems = read_table(path, COLUMNS)
    rows = []
    for number, values in table:
        where = f"{path}:{number}"
        try:
            mentions = parse_spans(values["mentions"], where) if values["mentions"].strip() else ()
            rows.append(Row(values["release"], values["form"], mentions,
                            parse_spans(values["sentences"], where) if values["sentences"] else (), values["kind"],
                            values["iri"], values["why"], values["decision"].strip(), values["note"], number))
        except ReviewError as err:
            problems.append(str(err))
    if problems:  # every malformed row at once, one line each
        raise ReviewError("\n".join(problems))
    return rows


def parse_decision(row: Row, where: str) -> Decision:
    """The row's decision; ReviewError when it is empty (undecided) or not one of the decisions."""
    if not row.decision:
        raise ReviewError(f"{where}: « {row.form} » is undecided: write accept, reject, same:<slug>, kind:<Class>, "
                          "rename:<label>, span:<start>,<end> or parties:<slug>,<slug> in the decision column")
    decision = Decision()
    for part in (p.strip() for p in row.decision.split("|")):
        action, _, value = part.partition(":")
        action = action.strip().lower()
        if action not in ACTIONS or (action in ("accept", "reject")) == bool(value):
            raise ReviewError(f"{where}: {part!r} is not a decision (accept, reject, same:<slug>, kind:<Class>, "
                              "rename:<label>, span:<start>,<end>, parties:<slug>,<slug>)")
        value = value.strip()
        if action == "reject":
            decision.reject = True
        elif action == "same":
            decision.same = value
        elif action == "kind":
            decision.kind = value
        elif action == "rename":
            decision.rename = value
        elif action == "span":
            decision.spans = parse_spans(value, where)
        elif action == "parties":
            decision.parties = tuple(p.strip() for p in value.split(",") if p.strip())
    if decision.reject and row.decision.strip().lower() != "reject":
        raise ReviewError(f"{where}: reject cannot be combined with another decision")
    return decision


def decided(row: Row, decision: str) -> Row:
    return replace(row, decision=decision)
