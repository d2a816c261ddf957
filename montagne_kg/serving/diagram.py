"""An SVG drawing of an entity's neighbourhood: the entity in the middle, its direct neighbours around it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

MAX_NEIGHBOURS = 14
WIDTH, HEIGHT, RADIUS = 760, 520, 200


@dataclass(frozen=True)
class Edge:
    """A link to draw: the neighbour's label and page, the property's label, and its direction."""

    neighbour: str
    href: str | None
    relation: str
    outgoing: bool


def _short(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def neighbourhood_svg(label: str, edges: list[Edge]) -> str:
    """A readable radial diagram: at most MAX_NEIGHBOURS neighbours, each edge labelled; all text escaped."""
    shown = edges[:MAX_NEIGHBOURS]
    cx, cy = WIDTH / 2, HEIGHT / 2
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'class="diagram" aria-label={quoteattr("Neighbourhood of " + label)}>',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#7a8793"/></marker></defs>']
    for i, edge in enumerate(shown):
        angle = 2 * math.pi * i / max(len(shown), 1) - math.pi / 2
        x, y = cx + RADIUS * 1.45 * math.cos(angle), cy + RADIUS * math.sin(angle)
        start, end = ((cx, cy), (x, y)) if edge.outgoing else ((x, y), (cx, cy))
        mx, my = (cx + x) / 2, (cy + y) / 2
        parts.append(f'<line x1="{start[0]:.0f}" y1="{start[1]:.0f}" x2="{end[0]:.0f}" y2="{end[1]:.0f}" '
                     'stroke="#7a8793" stroke-width="1.4" marker-end="url(#arrow)"/>')
        parts.append(f'<text x="{mx:.0f}" y="{my - 4:.0f}" class="edge" text-anchor="middle">'
                     f"{escape(_short(edge.relation, 30))}</text>")
        node = (f'<rect x="{x - 78:.0f}" y="{y - 15:.0f}" width="156" height="30" rx="6" class="node"/>'
                f'<text x="{x:.0f}" y="{y + 5:.0f}" text-anchor="middle">{escape(_short(edge.neighbour, 24))}</text>')
        if edge.href:
            node = f"<a href={quoteattr(edge.href)}>{node}</a>"
        parts.append(node)
    parts.append(f'<rect x="{cx - 95:.0f}" y="{cy - 20:.0f}" width="190" height="40" rx="8" class="centre"/>'
                 f'<text x="{cx:.0f}" y="{cy + 6:.0f}" text-anchor="middle" class="centre-label">'
                 f"{escape(_short(label, 28))}</text>")
    if len(edges) > len(shown):
        parts.append(f'<text x="10" y="{HEIGHT - 10}" class="edge">{len(edges) - len(shown)} more links below'
                     "</text>")
    parts.append("</svg>")
    return "".join(parts)
