"""The layout of an entity's neighbourhood diagram; ``templates/diagram.svg`` draws it.

One box per neighbour (every relation with it on its arrows), arrows that stop at the box edges so their heads show
which way each relation reads, labels wrapped rather than cut (the full text also in a tooltip). Two layouts of the
same edges: radial for wide screens, a column for phones (shown by CSS below 600 px).
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass

MAX_NEIGHBOURS = 14
LINE_HEIGHT = 14
WIDE_WIDTH, WIDE_HEIGHT = 820, 600
NARROW_WIDTH = 360


@dataclass(frozen=True)
class Edge:
    """A relation to draw: the neighbour's label and page, the property's label, and its direction."""

    neighbour: str
    href: str | None
    relation: str
    outgoing: bool


@dataclass(frozen=True)
class Box:
    """A labelled box: its centre, size, wrapped lines, tooltip and link."""

    cx: float
    cy: float
    width: float
    height: float
    lines: tuple[str, ...]
    title: str
    href: str | None = None
    centre: bool = False

    @property
    def x(self) -> float:
        return self.cx - self.width / 2

    @property
    def y(self) -> float:
        return self.cy - self.height / 2

    @property
    def first_baseline(self) -> float:
        return self.cy - (len(self.lines) - 1) * LINE_HEIGHT / 2 + 4

    def edge_point(self, towards_x: float, towards_y: float) -> tuple[float, float]:
        """Where the segment from this box's centre towards a point leaves the box."""
        dx, dy = towards_x - self.cx, towards_y - self.cy
        if dx == dy == 0:
            return self.cx, self.cy
        scale = min(self.width / 2 / abs(dx) if dx else math.inf, self.height / 2 / abs(dy) if dy else math.inf)
        return self.cx + dx * scale, self.cy + dy * scale


@dataclass(frozen=True)
class Arrow:
    """A line with its head at (x2, y2), and its wrapped label placed at (lx, ly)."""

    x1: float
    y1: float
    x2: float
    y2: float
    lines: tuple[str, ...]
    title: str
    lx: float
    ly: float
    anchor: str = "middle"


@dataclass(frozen=True)
class Drawing:
    """Everything the template draws: the canvas, boxes, arrows, and how many neighbours were left out."""

    name: str  # "wide" or "narrow": CSS shows one, and marker ids stay unique in the page
    width: float
    height: float
    label: str
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]
    left_out: int
    trunk: tuple[float, float, float, float] | None = None  # the narrow layout's line standing for the entity


@dataclass
class Neighbour:
    """A neighbour with every relation to it, by direction."""

    label: str
    href: str | None
    outgoing: list[str]
    incoming: list[str]


def neighbours(edges: list[Edge]) -> list[Neighbour]:
    """One neighbour per entity (by page, else by label), in the order of their labels, its relations sorted: the
    drawing does not depend on the order the engine listed the facts in."""
    found: dict[str, Neighbour] = {}
    for edge in edges:
        neighbour = found.setdefault(edge.href or edge.neighbour, Neighbour(edge.neighbour, edge.href, [], []))
        relations = neighbour.outgoing if edge.outgoing else neighbour.incoming
        if edge.relation not in relations:
            relations.append(edge.relation)
    for neighbour in found.values():
        neighbour.outgoing.sort()
        neighbour.incoming.sort()
    return sorted(found.values(), key=lambda n: (n.label.casefold(), n.href or ""))


def wrap(text: str, width: int, max_lines: int = 3) -> tuple[str, ...]:
    lines = textwrap.wrap(text, width) or [""]
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], textwrap.shorten(" ".join(lines[max_lines - 1:]), width, placeholder="…")]
    return tuple(lines)


def box(cx: float, cy: float, width: float, label: str, chars: int, href: str | None = None,
        centre: bool = False) -> Box:
    lines = wrap(label, chars, 4)
    return Box(cx, cy, width, len(lines) * LINE_HEIGHT + 12, lines, label, href, centre)


def arrows_between(centre: Box, other: Box, neighbour: Neighbour, chars: int) -> list[Arrow]:
    """The arrow of each direction between the centre and a neighbour (offset apart when both exist)."""
    out = []
    both = bool(neighbour.outgoing and neighbour.incoming)
    dx, dy = other.cx - centre.cx, other.cy - centre.cy
    length = math.hypot(dx, dy) or 1
    nx, ny = -dy / length, dx / length  # unit normal, to set two arrows apart
    for relations, outgoing, side in ((neighbour.outgoing, True, 1), (neighbour.incoming, False, -1)):
        if not relations:
            continue
        shift = 7 * side if both else 0
        start = centre.edge_point(other.cx + nx * shift, other.cy + ny * shift)
        end = other.edge_point(centre.cx + nx * shift, centre.cy + ny * shift)
        start, end = (start[0] + nx * shift, start[1] + ny * shift), (end[0] + nx * shift, end[1] + ny * shift)
        if not outgoing:
            start, end = end, start
        text = ", ".join(relations)
        lines = wrap(text, chars, 2)
        mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
        offset = 10 + (len(lines) - 1) * LINE_HEIGHT / 2 if both else 0
        out.append(Arrow(*start, *end, lines, text, mx + nx * offset * side, my + ny * offset * side - 4))
    return out


def wide_layout(label: str, edges: list[Edge]) -> Drawing:
    """The entity in the middle, its neighbours on an ellipse around it."""
    found = neighbours(edges)
    shown = found[:MAX_NEIGHBOURS]
    cx, cy = WIDE_WIDTH / 2, WIDE_HEIGHT / 2
    centre = box(cx, cy, 200, label, 22, centre=True)
    boxes, arrows = [centre], []
    for i, neighbour in enumerate(shown):
        angle = 2 * math.pi * i / max(len(shown), 1) - math.pi / 2
        other = box(cx + 315 * math.cos(angle), cy + 235 * math.sin(angle), 160, neighbour.label, 20,
                    neighbour.href)
        boxes.append(other)
        arrows.extend(arrows_between(centre, other, neighbour, 24))
    return Drawing("wide", WIDE_WIDTH, WIDE_HEIGHT, label, tuple(boxes), tuple(arrows), len(found) - len(shown))


def narrow_layout(label: str, edges: list[Edge]) -> Drawing:
    """For a phone: the entity on top, a trunk down its left side, one row per neighbour with its arrows."""
    found = neighbours(edges)
    shown = found[:MAX_NEIGHBOURS]
    centre = box(NARROW_WIDTH / 2, 0, NARROW_WIDTH - 8, label, 38, centre=True)
    centre = Box(centre.cx, centre.height / 2 + 4, centre.width, centre.height, centre.lines, centre.title,
                 centre=True)
    boxes, arrows = [centre], []
    trunk_x, y = 18.0, centre.y + centre.height + 16
    for neighbour in shown:
        other = box(NARROW_WIDTH - 92, 0, 176, neighbour.label, 24, neighbour.href)
        rows = [(", ".join(relations), outgoing) for relations, outgoing in ((neighbour.outgoing, True),
                                                                            (neighbour.incoming, False)) if relations]
        labels = [wrap(text, 24, 2) for text, _ in rows]
        heights = [13 * len(lines) + 14 for lines in labels]
        height = max(other.height, sum(heights))
        other = Box(other.cx, y + height / 2, other.width, other.height, other.lines, other.title, other.href)
        boxes.append(other)
        row_y = y + (height - sum(heights)) / 2
        for (text, outgoing), lines, row_height in zip(rows, labels, heights, strict=True):
            row_y += row_height
            start, end = (trunk_x, row_y - 6), (other.x, row_y - 6)
            if not outgoing:
                start, end = end, start
            arrows.append(Arrow(*start, *end, lines, text, trunk_x + 6, row_y - 10, "start"))
        y += height + 14
    return Drawing("narrow", NARROW_WIDTH, y + 10, label, tuple(boxes), tuple(arrows), len(found) - len(shown),
                   (trunk_x, centre.y + centre.height, trunk_x, y - 14))
