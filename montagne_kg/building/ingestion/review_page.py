"""``montagne-kg ingest review``: a local page for deciding a review file (build side, loopback only).

The release text with every proposal highlighted by kind, the rows beside it with their controls, keyboard driven
(j/k to move, a to accept, r to reject); every decision is checked and saved to the same TSV at once. Its machine
twin is ``/rows.json``. It is its own small server, never part of ``montagne-kg serve``.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import asdict, dataclass, replace
from itertools import pairwise
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from montagne_kg.building.ingestion.addition import Ontology, ReviewFiles
from montagne_kg.building.ingestion.review import ReviewError, Row, parse_decision, read_review, write_review
from montagne_kg.building.ingestion.scoring import COARSE, coarse

bp = Blueprint("review", __name__)


@dataclass(frozen=True)
class Segment:
    """A run of the text with the rows whose mentions cover it (the innermost one gives the colour)."""

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
        out.append(Segment(text[begin:end], tuple(sorted({line for _, line, _ in covering})),
                           kind if kind in COARSE else "Other" if covering else ""))
    return out


def _state() -> ReviewState:
    return current_app.extensions["review"]


def _rows() -> list[Row]:
    return read_review(_state().files.table)


def _save(rows: list[Row]) -> None:
    """Write the file whole, then move it into place: a crash never leaves half a review."""
    table = _state().files.table
    handle, partial = tempfile.mkstemp(dir=table.parent, prefix=f".{table.name}.")
    os.close(handle)
    write_review(Path(partial), rows)
    os.replace(partial, table)


def _row_json(row: Row) -> dict:
    values = asdict(row)
    values["mentions"] = [list(m) for m in row.mentions]
    values["sentences"] = [list(s) for s in row.sentences]
    return values


@bp.get("/")
def page() -> str:
    state = _state()
    rows = _rows()
    text = state.files.text.read_bytes().decode("utf-8")
    kinds = {row.line: coarse(row.kind, state.ontology) for row in rows}
    return render_template("review.html", release=state.files.release, rows=rows, kinds=kinds,
                           segments=segments(text, rows, state.ontology), classes=sorted(state.ontology.classes),
                           table=f"{state.files.directory.name}/{state.files.table.name}")


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
