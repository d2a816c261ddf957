"""The press releases as stored: reading them, locating quotes, and naming their text spans."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SPAN_FRAGMENT = re.compile(r"^char=(\d+),(\d+)$")


@dataclass(frozen=True)
class Span:
    """A passage of a release: code-point offsets [begin, end) and its exact text."""

    release: str
    begin: int
    end: int
    quote: str

    @property
    def fragment(self) -> str:
        return f"char={self.begin},{self.end}"


def release_path(releases_dir: Path, release: str) -> Path:
    """The stored text file of a release id such as ``000``."""
    return releases_dir / f"{release}.txt"


def read_release(releases_dir: Path, release: str) -> str:
    """The release text as stored (UTF-8, newlines untouched)."""
    return release_path(releases_dir, release).read_bytes().decode("utf-8")


def locate(text: str, quote: str, release: str = "") -> list[Span]:
    """Every occurrence of ``quote`` in ``text``, as spans with code-point offsets."""
    if not quote:
        raise ValueError("the quote is empty")
    spans = []
    start = text.find(quote)
    while start != -1:
        spans.append(Span(release, start, start + len(quote), quote))
        start = text.find(quote, start + 1)
    return spans


def span_from_fragment(text: str, release: str, fragment: str) -> Span:
    """The span an RFC 5147 ``char=b,e`` fragment names; ValueError if malformed or out of range."""
    match = SPAN_FRAGMENT.match(fragment)
    if not match:
        raise ValueError(f"not a char=begin,end fragment: {fragment!r}")
    begin, end = int(match.group(1)), int(match.group(2))
    if not 0 <= begin < end <= len(text):
        raise ValueError(f"span {begin},{end} is outside release {release} (length {len(text)})")
    return Span(release, begin, end, text[begin:end])
