"""``montagne-kg ingest review``: a local page for deciding a review (build side, loopback only).

The release text with every proposed name highlighted by kind, the names rows and the facts (grouped by sentence)
beside it with their controls, keyboard driven (j/k to move, a to accept, r to reject); a missed name is added by
selecting its text, a missed fact from menus (properties offered by the subject's and object's classes). Every
decision is checked and saved to the same file at once. Machine twins: ``/rows.json`` and ``/facts.json``. It is its
own small server, never part of ``montagne-kg serve``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from itertools import pairwise
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from montagne_kg.building.ingestion.addition import Ontology, ReviewFiles, located
from montagne_kg.building.ingestion.facts import FactRow, read_facts, write_facts
from montagne_kg.building.ingestion.review import ReviewError, Row, parse_decision, read_review, write_review
from montagne_kg.building.ingestion.scoring import COARSE, coarse
from montagne_kg.building.ingestion.text import ReleaseText

bp = Blueprint("review", __name__)


@dataclass(frozen=True)
class Segment:
    """A run of the text from ``start``, with the rows whose mentions cover it (the innermost one gives the
    colour)."""

    start: int
    text: str
    lines: tuple[int, ...]
    kind: str


@dataclass(frozen=True)
class ReviewState:
    files: ReviewFiles
    ontology: Ontology


def segments(text: str, rows: list[Row], ontology: Ontology) -> list[Segment]:
    """The text cut at every mention's ends; each piece knows the rows that cover it."""
    spans = [(start, end, row) for row in rows for start, end in row.mentions if end <= len(text)]
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    out = []
    for begin, end in pairwise(cuts):
        covering = sorted((e - s, row.line, row) for s, e, row in spans if s <= begin and end <= e)
        kind = coarse(covering[0][2].kind, ontology) if covering else ""
        out.append(Segment(begin, text[begin:end], tuple(sorted({line for _, line, _ in covering})),
                           kind if kind in COARSE else "Other" if covering else ""))
    return out


def _state() -> ReviewState:
    return current_app.extensions["review"]


def _rows() -> list[Row]:
    return read_review(_state().files.table)


def _written_whole(target: Path, write: Callable[[Path], None]) -> None:
    """Write the file whole, then move it into place: a crash never leaves half a review."""
    handle, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(handle)
    write(Path(partial))
    os.replace(partial, target)


def _save(rows: list[Row]) -> None:
    _written_whole(_state().files.table, lambda path: write_review(path, rows))


def _row_json(row: Row) -> dict:
    values = asdict(row)
    values["mentions"] = [list(m) for m in row.mentions]
    values["sentences"] = [list(s) for s in row.sentences]
    return values


def _facts() -> list[FactRow]:
    facts = _state().files.facts
    return read_facts(facts) if facts.exists() else []


def _save_facts(facts: list[FactRow]) -> None:
    _written_whole(_state().files.facts, lambda path: write_facts(path, facts))


def _fact_json(fact: FactRow) -> dict:
    values = asdict(fact)
    values["sentence"] = list(fact.sentence)
    return values


def _text() -> str:
    return _state().files.text.read_bytes().decode("utf-8")


def vocabulary(rows: list[Row], ontology: Ontology) -> dict:
    """What the fact menus offer: each property with its domain and range, each names row's slug with its class and
    the class's ancestors (a property fits a subject whose classes hold its domain)."""
    return {"properties": {f"mkg:{name}": {"domain": prop.domain, "range": prop.range, "datatype": prop.datatype}
                           for name, prop in sorted(ontology.properties.items())},
            "entities": {row.slug: [row.kind, *sorted(ontology.ancestors(row.kind))] for row in rows}}


@bp.get("/")
def page() -> str:
    state = _state()
    rows = _rows()
    facts = _facts()
    text = _text()
    kinds = {row.line: coarse(row.kind, state.ontology) for row in rows}
    groups: dict[tuple[int, int], list[FactRow]] = {}
    for fact in facts:
        groups.setdefault(fact.sentence, []).append(fact)
    return render_template("review.html", release=state.files.release, rows=rows, kinds=kinds,
                           segments=segments(text, rows, state.ontology), classes=sorted(state.ontology.classes),
                           table=f"{state.files.directory.name}/{state.files.table.name}",
                           facts_table=f"{state.files.directory.name}/{state.files.facts.name}",
                           fact_groups=[(span, text[span[0]:span[1]], group) for span, group in sorted(groups.items())],
                           facts=facts, vocabulary=vocabulary(rows, state.ontology))


@bp.get("/facts.json")
def facts_json() -> Response:
    return jsonify(release=_state().files.release, facts=[_fact_json(f) for f in _facts()])


@bp.post("/facts/<int:line>")
def decide_fact(line: int) -> Response:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or payload.get("decision") not in ("accept", "reject", ""):
        abort(400, description='send JSON {"decision": "accept"} or "reject" (or "" to undecide)')
    facts = _facts()
    index = next((i for i, fact in enumerate(facts) if fact.line == line), None)
    if index is None:
        abort(404, description=f"no fact at line {line} of {_state().files.facts.name}")
    facts[index] = replace(facts[index], decision=payload["decision"])
    _save_facts(facts)
    return jsonify(fact=_fact_json(facts[index]))


@bp.post("/facts")
def add_fact() -> Response:
    """A fact the proposals missed, from the menus: subject and object are names rows (or a literal object), the
    property one whose domain and range fit their classes; its sentence is the one of the subject's first mention."""
    payload = request.get_json(silent=True)
    fields = ("subject", "property", "object")
    if not isinstance(payload, dict) or not all(isinstance(payload.get(f), str) and payload[f].strip()
                                                for f in fields):
        abort(400, description='send JSON {"subject": "<slug>", "property": "mkg:…", "object": "<slug or literal>"}')
    subject, prop_name, obj = (payload[f].strip() for f in fields)
    rows = {row.slug: row for row in _rows()}
    ontology = _state().ontology
    prop = ontology.properties.get(prop_name.removeprefix("mkg:"))
    if subject not in rows:
        abort(400, description=f"{subject} is not a names row of this review")
    if prop is None:
        abort(400, description=f"{prop_name!r} is not a property of the ontology")
    kind = rows[subject].kind
    if prop.domain and not (kind == prop.domain or ontology.is_a(kind, prop.domain)):
        abort(400, description=f"{prop_name} is for a {prop.domain}; {subject} is a {kind}")
    if not prop.datatype and prop.range not in ("Quantity", "MonetaryAmount"):
        if obj not in rows:
            abort(400, description=f"{obj} is not a names row of this review")
        if prop.range and not (rows[obj].kind == prop.range or ontology.is_a(rows[obj].kind, prop.range)):
            abort(400, description=f"{prop_name} points to a {prop.range}; {obj} is a {rows[obj].kind}")
    mention = rows[subject].mentions[0] if rows[subject].mentions else (0, 0)
    sentence = ReleaseText(_text()).sentence_at(mention[0])
    facts = _facts()
    added = FactRow(_state().files.release, subject, prop_name, obj,
                    (sentence.start, sentence.end) if sentence else rows[subject].sentences[0], "curator", "accept",
                    line=(max((f.line for f in facts), default=1) + 1))
    _save_facts([*facts, added])
    return jsonify(fact=_fact_json(added))


@bp.post("/rows")
def add_name() -> Response:
    """A name the proposals missed, from a selection of the text: every occurrence of the selected form becomes a
    mention (offsets are computed, never typed)."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("start"), int) \
            or not isinstance(payload.get("end"), int) or not isinstance(payload.get("kind"), str):
        abort(400, description='send JSON {"start": <offset>, "end": <offset>, "kind": "<Class>"}')
    text = _text()
    start, end, kind = payload["start"], payload["end"], payload["kind"]
    form = " ".join(text[start:end].split()) if 0 <= start < end <= len(text) else ""
    if not form:
        abort(400, description=f"{start},{end} selects no text of the release")
    if kind not in _state().ontology.classes:
        abort(400, description=f"{kind!r} is not a class of the ontology")
    rows = _rows()
    added = located(Row(_state().files.release, form, (), (), kind, "", "curator:selection", "accept",
                        line=max((r.line for r in rows), default=1) + 1), text)
    if not added.mentions:
        added = replace(added, mentions=((start, end),))
    _save([*rows, added])
    return jsonify(row=_row_json(added))


@bp.get("/rows.json")
def rows_json() -> Response:
    return jsonify(release=_state().files.release, rows=[_row_json(r) for r in _rows()])


@bp.post("/rows/<int:line>")
def decide(line: int) -> Response:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("decision"), str):
        abort(400, description='send JSON {"decision": "…"}')
    rows = _rows()
    index = next((i for i, row in enumerate(rows) if row.line == line), None)
    if index is None:
        abort(404, description=f"no row at line {line} of {_state().files.table.name}")
    decision = " ".join(payload["decision"].split())
    updated = replace(rows[index], decision=decision)
    if decision:
        where = f"{_state().files.table.name}:{line}"
        parsed = parse_decision(updated, where)
        if parsed.kind is not None and parsed.kind not in _state().ontology.classes:
            raise ReviewError(f"{where}: {parsed.kind!r} is not a class of the ontology")
    rows[index] = updated
    _save(rows)
    return jsonify(row=_row_json(updated))


def _refused(error: ReviewError) -> tuple[Response, int]:
    """A decision the review file cannot hold: 400 with the same file:line message ``apply`` would print."""
    return jsonify(error=str(error)), 400


def _http_error(error: HTTPException) -> tuple[Response, int]:
    return jsonify(error=error.description), error.code


def create_review_app(files: ReviewFiles, ontology: Ontology) -> Flask:
    app = Flask(__name__)
    app.extensions["review"] = ReviewState(files, ontology)
    app.register_blueprint(bp)
    app.register_error_handler(ReviewError, _refused)
    app.register_error_handler(HTTPException, _http_error)
    return app
