"""Search: entities by their names (every word of the query, accents and case ignored, exact names first), the
release texts in full (the sentences that hold every word, linked to their place in the release), suggestions as
you type; each with its JSON twin."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

from flask import Blueprint, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from montagne_kg.serving import negotiation
from montagne_kg.serving.catalogue import Catalogue, fold, get_catalogue
from montagne_kg.serving.clients import counted_as_page
from montagne_kg.serving.errors import refuse
from montagne_kg.serving.knowledge_graph import get_kg

bp = Blueprint("search", __name__)
T = TypeVar("T")

PAGE_SIZE = 20
SUGGESTIONS = 8
PASSAGES = 20
CHECK_EVERY = 256  # names or sentences looked at between two looks at the clock
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[«\"(]?[A-ZÀ-Ý0-9*-])|\n\s*\n|\n(?=\s*[-•] )")
RELEASE_FILE = re.compile(r"^[0-9a-z][0-9a-z-]*$")


@dataclass(frozen=True)
class Found:
    slug: str
    label: str
    kind: str  # its class's English label (the JSON twins')
    kind_iri: str
    name: str  # the name that matched
    rank: int  # 0 the whole name, 1 its start, 2 whole words, 3 inside words


@dataclass(frozen=True)
class Passage:
    release: str
    start: int
    end: int
    text: str


def _plain(text: str) -> str:
    """Folded character by character (same length): accents and case off, apostrophes and hyphens to spaces."""
    out = []
    for char in text:
        folded = fold(char)
        out.append(" " if char in "'’-" else folded if len(folded) == 1 else char)
    return "".join(out)


def words(query: str) -> list[str]:
    return _plain(query).split()


def highlighted(sentence: str, needles: list[str]) -> list[tuple[str, bool]]:
    """The sentence cut into (text, is it a match) pieces, for the template to mark."""
    plain = _plain(sentence)
    hit = bytearray(len(sentence))
    for needle in needles:
        for match in re.finditer(re.escape(needle), plain):
            hit[match.start():match.end()] = b"\x01" * len(needle)
    pieces: list[tuple[str, bool]] = []
    for char, flag in zip(sentence, hit, strict=True):
        if pieces and pieces[-1][1] == bool(flag):
            pieces[-1] = (pieces[-1][0] + char, bool(flag))
        else:
            pieces.append((char, bool(flag)))
    return pieces


def _rank(folded: str, needles: list[str]) -> int | None:
    """How well a name (already plain, single-spaced) matches every needle; None if one is missing."""
    if not all(n in folded for n in needles):
        return None
    whole = " ".join(needles)
    if folded == whole:
        return 0
    if folded.startswith(whole):
        return 1
    tokens = set(folded.split())
    return 2 if all(n in tokens for n in needles) else 3


class SearchTooSlow(Exception):
    """A search past its deadline."""


def past(deadline: float, seen: int) -> None:
    """SearchTooSlow if ``deadline`` (monotonic clock) has passed; looked at once every CHECK_EVERY items."""
    if seen % CHECK_EVERY == 0 and time.monotonic() > deadline:
        raise SearchTooSlow


class SearchIndex:
    """Names and release sentences of one build, folded once per worker."""

    def __init__(self, catalogue: Catalogue, releases_dir: Path) -> None:
        self.catalogue = catalogue
        self.releases_dir = releases_dir

    def entities(self, query: str, deadline: float = float("inf")) -> list[Found]:
        needles = words(query)
        if not needles:
            return []
        best: dict[str, Found] = {}
        for seen, (plain, name, slug, kind) in enumerate(self.names):
            past(deadline, seen)
            rank = _rank(plain, needles)
            if rank is None:
                continue
            label = self.catalogue.label(f"{self.catalogue.base}id/{slug}") or name
            found = Found(slug, label, self.catalogue.label(kind, "en") if kind else "", kind, name, rank)
            if slug not in best or (rank, len(name)) < (best[slug].rank, len(best[slug].name)):
                best[slug] = found
        return sorted(best.values(), key=lambda f: (f.rank, len(f.name), fold(f.label), f.slug))

    @cached_property
    def names(self) -> list[tuple[str, str, str, str]]:
        """(plain name, name, slug, class IRI) of every label and altLabel, made plain once per worker."""
        return [(" ".join(_plain(name).split()), name, slug, kind)
                for name, slug, kind in self.catalogue.entity_names]

    @cached_property
    def sentences(self) -> list[tuple[str, int, int, str, str]]:
        """(release, start, end, sentence, folded sentence) of every release text, in order."""
        out = []
        for path in sorted(self.releases_dir.glob("*.txt")):
            if not RELEASE_FILE.match(path.stem):
                continue
            text = path.read_bytes().decode("utf-8")
            start = 0
            for cut in [*SENTENCE_END.finditer(text), None]:
                end = cut.start() if cut else len(text)
                piece = text[start:end]
                left = len(piece) - len(piece.lstrip())
                sentence = piece.strip()
                if sentence:
                    folded = " ".join(_plain(sentence).split())
                    out.append((path.stem, start + left, start + left + len(sentence), sentence, folded))
                start = cut.end() if cut else end
        return out

    def passages(self, query: str, deadline: float = float("inf")) -> list[Passage]:
        needles = words(query)
        if not needles:
            return []
        found = []
        for seen, (rid, start, end, sentence, folded) in enumerate(self.sentences):
            past(deadline, seen)
            if all(n in folded for n in needles):
                found.append(Passage(rid, start, end, sentence))
        return found


def search_index() -> SearchIndex:
    if "search_index" not in current_app.extensions:
        current_app.extensions["search_index"] = SearchIndex(get_catalogue(), get_kg().build / "releases")
    return current_app.extensions["search_index"]


def search_text() -> tuple[str, float]:
    """The search text of the request (``q``), within its bounds (else 400), and the search's deadline."""
    settings = get_kg().settings
    text = request.args.get("q", "")
    if len(text) > settings.max_search_chars:
        refuse(400, f"the search text has {len(text)} characters; at most {settings.max_search_chars} "
                    "(max_search_chars)")
    if (count := len(words(text))) > settings.max_search_words:
        refuse(400, f"the search text has {count} words; at most {settings.max_search_words} (max_search_words)")
    return text, time.monotonic() + settings.search_time_limit


def run_search(find: Callable[[], T]) -> T:
    """``find()``, or a 503 when it passes its deadline."""
    try:
        return find()
    except SearchTooSlow:
        limit = get_kg().settings.search_time_limit
        refuse(503, f"the search took longer than {limit:g} s (search_time_limit); try fewer or longer words",
               [("Retry-After", "1")])


def _page(count: int) -> int:
    pages = max(1, -(-count // PAGE_SIZE))
    value = request.args.get("page", "1")
    if not value.isdigit() or not 1 <= int(value) <= pages:
        refuse(400, f"page must be a whole number from 1 to {pages} (got {value!r})")
    return int(value)


@bp.route("/search")
@counted_as_page
def search() -> ResponseReturnValue:
    """Entities by name (?q=, every word, exact names first, ?page=), and the release sentences holding every word;
    ?format=json for the machine twin."""
    text, deadline = search_text()
    index = search_index()
    found = run_search(lambda: index.entities(text, deadline))
    passages = run_search(lambda: index.passages(text, deadline))
    page = _page(len(found))
    shown = found[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    pages = max(1, -(-len(found) // PAGE_SIZE))
    base = index.catalogue.base
    located = [(p, f"{base}id/release/{p.release}#char={p.start},{p.end}") for p in passages[:PASSAGES]]
    if negotiation.twin_wanted(request):
        return jsonify(
            query=text, total=len(found), page=page, pages=pages,
            results=[{"slug": f.slug, "label": f.label, "class": f.kind, "matched": f.name, "page": f"/page/{f.slug}",
                      "iri": f"{base}id/{f.slug}"} for f in shown],
            passages=[{"release": p.release, "start": p.start, "end": p.end, "text": p.text, "iri": iri,
                       "page": index.catalogue.page_path(iri)} for p, iri in located],
            passages_total=len(passages))
    def page_url(page: int) -> str:
        return f"/search?q={quote(text)}&page={page}"

    return render_template("search.html", q=text, results=shown, total=len(found), page=page, pages=pages,
                           page_url=page_url,
                           passages=[(p, highlighted(p.text, words(text)), index.catalogue.page_path(iri))
                                     for p, iri in located],
                           passages_total=len(passages),
                           alternates=[(f"/search?q={quote(text)}&format=json", "application/json", "json")])


@bp.route("/search/suggest")
@counted_as_page
def suggest() -> ResponseReturnValue:
    """Up to eight entities for what is typed so far (JSON): names that start with it first."""
    negotiation.for_request(request, twin=True)  # JSON only
    text, deadline = search_text()
    found = run_search(lambda: search_index().entities(text, deadline))
    return jsonify(query=text, suggestions=[{"label": f.label, "slug": f.slug, "class": f.kind,
                                             "page": f"/page/{f.slug}"} for f in found[:SUGGESTIONS]])
