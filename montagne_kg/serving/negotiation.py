"""Content negotiation over the one format table: Accept with q-values and aliases, or an explicit format=."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from werkzeug import exceptions
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import BadRequest
from werkzeug.http import parse_accept_header
from werkzeug.wrappers import Request

from montagne_kg import formats
from montagne_kg.formats import Format

RESULT_KINDS = ("results",)
GRAPH_KINDS = ("graph", "dataset")


def offers(kinds: tuple[str, ...], only: tuple[Format, ...] = ()) -> list[tuple[str, Format]]:
    """(media type, format) pairs offered for ``kinds`` (or exactly ``only``), canonical types first, table order."""
    offered = [f for f in formats.FORMATS if (f in only if only else f.kind in kinds)]
    pairs = [(fmt.media_type, fmt) for fmt in offered]
    for fmt in offered:
        pairs.extend((alias, fmt) for alias in fmt.media_aliases)
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


# What a route offers besides the table's formats: its HTML page, and the JSON twin of a page.
PAGE = Format("html", "text/html", ".html", "page", ("application/xhtml+xml",))
TWIN = Format("json", "application/json", ".json", "twin")


class UnknownFormat(BadRequest):
    """A ``format=`` value naming none of the formats a route offers: a 400 listing them (answered by the one error
    handler, like every HTTPException)."""

    def __init__(self, value: str, names: list[str]) -> None:
        super().__init__(f"format={value!r} is not a format of this resource; use one of: {', '.join(names)}")


@lru_cache(maxsize=512)
def negotiate(accept: str | None, format_param: str | None, kinds: tuple[str, ...] = (),
              only: tuple[Format, ...] = (), page: bool = False, twin: bool = False) -> Choice | None:
    """The same rules on every route: ``format=`` (a short name or media type) wins, and an unknown one raises
    UnknownFormat; else the HTML page for a browser (``page``), else the best Accept match over the formats of
    ``kinds`` (or ``only``), else None (406). A page with a JSON ``twin`` is HTML unless JSON is preferred."""
    offered = [f for f in formats.FORMATS if (f in only if only else f.kind in kinds)] + ([TWIN] if twin else [])
    if format_param:
        candidates = ([PAGE] if page else []) + offered
        fmt = next((f for f in candidates if f.accepts(format_param)), None)
        if fmt is None:
            raise UnknownFormat(format_param, [f.name for f in candidates])
        return Choice(fmt, fmt.media_type)
    if twin:
        return Choice(TWIN, TWIN.media_type) if prefers_json(accept) or not page else Choice(PAGE, PAGE.media_type)
    if page and accepts_html(accept):
        return Choice(PAGE, PAGE.media_type)
    return choose(kinds, accept, None, only) if offered else None


class NotAcceptable(exceptions.NotAcceptable):
    """Nothing a route offers fits the request's Accept: a 406 listing what it offers."""

    def __init__(self, what: str, kinds: tuple[str, ...], only: tuple[Format, ...], page: bool) -> None:
        offered = ", ".join([*(["text/html"] if page else []), *(media for media, _ in offers(kinds, only))])
        super().__init__(f"{what} is served as {offered}")


def for_request(request: Request, kinds: tuple[str, ...] = (), only: tuple[Format, ...] = (), page: bool = False,
                twin: bool = False, what: str = "this resource") -> Choice:
    """``negotiate`` for a request's Accept header and ``format=`` parameter; NotAcceptable when nothing fits."""
    choice = negotiate(request.headers.get("Accept"), request.args.get("format"), kinds, only, page, twin)
    if choice is None:
        raise NotAcceptable(what, kinds, only, page)
    return choice


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
def prefers_json(accept: str | None) -> bool:
    """Whether an Accept header prefers JSON to HTML (browsers and curl's */* get HTML)."""
    if not accept:
        return False
    return parse_accept_header(accept, MIMEAccept).best_match(["text/html", "application/json"]) == "application/json"


def twin_wanted(request: Request) -> bool:
    """For a page with a JSON twin: whether to answer with the twin (``format=json``, or Accept preferring JSON)."""
    return for_request(request, page=True, twin=True).format is TWIN
