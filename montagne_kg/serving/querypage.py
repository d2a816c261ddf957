"""The query page a browser gets at GET /sparql: editor, highlighting, examples, results; works offline."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template, request
from flask.typing import ResponseReturnValue

from montagne_kg.serving.knowledge_graph import get_kg


@dataclass(frozen=True)
class Example:
    stem: str
    summary: str
    text: str


def example_queries() -> list[Example]:
    """The build's example queries with their one-line summaries."""
    folder = get_kg().build / "queries"
    examples = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0] if text else ""
        summary = first.removeprefix("#+ summary:").strip() if first.startswith("#+ summary:") else path.stem
        examples.append(Example(path.stem, summary, text))
    return examples


def query_page() -> ResponseReturnValue:
    """The page, with ?query= prefilled and run on load (a shared URL shows its result)."""
    kg = get_kg()
    return render_template("query.html", query=request.args.get("query", ""), examples=example_queries(),
                           time_limit=kg.settings.time_limit, max_rows=kg.settings.max_rows, base=kg.base)
