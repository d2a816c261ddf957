"""Content negotiation over the one format table: Accept with q-values and aliases, or an explicit format=."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from montagne_kg import formats
from montagne_kg.formats import Format

RESULT_KINDS = ("results",)
GRAPH_KINDS = ("graph", "dataset")


def offers(kinds: tuple[str, ...], only: tuple[Format, ...] = ()) -> list[tuple[str, Format]]:
    """(media type, format) pairs offered for ``kinds`` (or exactly ``only``), canonical types first, table order."""
    offered = [f for f in formats.FORMATS if (f in only if only else f.kind in kinds)]
    pairs = [(fmt.media_type, fmt) for fmt in offered]
    for fmt in offered:
        pairs.extend((alias, fmt) for alias in fmt.aliases if "/" in alias)
    return pairs


@dataclass(frozen=True)
class Choice:
    """The chosen format and the media type to label the answer with (an alias when the client asked for one)."""

    format: Format
    media_type: str

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.format.charset else self.media_type


@lru_cache(maxsize=512)  # pure in its (hashable) arguments; clients send a handful of Accept values, parsed once
def choose(kinds: tuple[str, ...], accept: str | None, format_param: str | None = None,
           only: tuple[Format, ...] = ()) -> Choice | None:
    """The format to answer with: ``format=`` if given, else the best Accept match; None means 406.

    No Accept header (or ``*/*``) gives the first format of ``kinds`` in the table; q-values are honoured.
    """
    if format_param:
        fmt = formats.find(format_param, kinds)
        return Choice(fmt, fmt.media_type) if fmt and (not only or fmt in only) else None
    offered = offers(kinds, only)
    default = Choice(offered[0][1], offered[0][0])
    if not accept:
        return default
    parsed = parse_accept_header(accept, MIMEAccept)
    if not parsed:
        return default
    best = parsed.best_match([media for media, _ in offered])
    if best is None:
        return None
    fmt = dict(offered)[best]
    canonical = parsed.quality(fmt.media_type)
    return Choice(fmt, fmt.media_type if canonical > 0 and canonical >= parsed.quality(best) else best)


@lru_cache(maxsize=512)
def accepts_html(accept: str | None) -> bool:
    """Whether a client names HTML and prefers it over every RDF and results format (a browser, not curl's */*)."""
    if not accept:
        return False
    parsed = parse_accept_header(accept, MIMEAccept)
    if not any(value in ("text/html", "application/xhtml+xml") and quality > 0 for value, quality in parsed):
        return False
    candidates = ["text/html"] + [media for media, _ in offers(RESULT_KINDS + GRAPH_KINDS)]
    return parsed.best_match(candidates) == "text/html"


@lru_cache(maxsize=512)
def wants_json(accept: str | None, format_param: str | None) -> bool:
    """For pages with a JSON twin: ``format=json``, or an Accept preferring JSON to HTML (browsers, curl: HTML)."""
    if format_param == "json":
        return True
    if not accept:
        return False
    return parse_accept_header(accept, MIMEAccept).best_match(["text/html", "application/json"]) == "application/json"
