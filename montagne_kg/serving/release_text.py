"""A release text as HTML: its Markdown emphasis rendered, every mention linked, a search hit marked.

Offsets stay those of the text as received (the IRIs of passages are character offsets into it): emphasis is a
style per character and its asterisks are hidden characters, so links and the marked passage are cut at the same
offsets as the data says, and every tag is opened and closed within one piece (always well nested).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import groupby

from markupsafe import Markup, escape

STRONG = re.compile(r"\*\*(?=\S)([^*\n]+?)(?<=\S)\*\*")
EMPHASIS = re.compile(r"(?<!\*)\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?!\*)")
HIDDEN = "hidden"


@dataclass(frozen=True)
class Mark:
    """A mention to link: its offsets in the text, its page and its title (the entity's label)."""

    begin: int
    end: int
    href: str
    title: str


def styles(text: str) -> list[str]:
    """The style of each character: "strong", "em", "" or HIDDEN (an emphasis delimiter)."""
    style = [""] * len(text)
    for pattern, name, width in ((STRONG, "strong", 2), (EMPHASIS, "em", 1)):
        for match in pattern.finditer(text):
            if any(style[i] for i in range(match.start(), match.end())):
                continue  # already inside a strong span (or its delimiters)
            style[match.start():match.start() + width] = [HIDDEN] * width
            style[match.end() - width:match.end()] = [HIDDEN] * width
            style[match.start(1):match.end(1)] = [name] * (match.end(1) - match.start(1))
    return style


def styled(text: str, style: list[str], begin: int, end: int) -> str:
    """text[begin:end] escaped, each run of one style in its tag, delimiters left out."""
    out = []
    for name, run in groupby(range(begin, end), key=style.__getitem__):
        indices = list(run)
        if name == HIDDEN:
            continue
        piece = str(escape(text[indices[0]:indices[-1] + 1]))
        out.append(f"<{name}>{piece}</{name}>" if name else piece)
    return "".join(out)


def release_html(text: str, marks: list[Mark], passage: tuple[int, int] | None = None) -> Markup:
    """The text with its emphasis, each mention a link (overlapping mentions keep the first), and ``passage``
    (a search hit) marked as ``#passage``; a mention across the passage's edges stays plain text."""
    style = styles(text)
    pieces = [(0, len(text))] if passage is None else [(0, passage[0]), passage, (passage[1], len(text))]
    out = []
    for index, (start, stop) in enumerate(pieces):
        if index == 1:
            out.append('<mark id="passage">')
        position = start
        for mark in sorted(marks, key=lambda m: (m.begin, -m.end)):
            if mark.begin < position or mark.end > stop:
                continue
            out.append(styled(text, style, position, mark.begin))
            out.append(f'<a class="mention" href="{escape(mark.href)}" title="{escape(mark.title)}">'
                       f"{styled(text, style, mark.begin, mark.end)}</a>")
            position = mark.end
        out.append(styled(text, style, position, stop))
        if index == 1:
            out.append("</mark>")
    return Markup("".join(out))
