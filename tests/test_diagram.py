"""The neighbourhood diagram's layout (diagram.py) and its drawing (templates/diagram.svg) on entity pages."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from montagne_kg.serving.diagram import Box, Edge, narrow_layout, neighbours, wide_layout

EDGES = [
    Edge("Shawinigan", "/page/shawinigan", "partner city", True),
    Edge("Ville de Chambéry", "/page/ville-de-chambery", "has jurisdiction over", False),
    Edge("coopération en développement durable Chambéry – Zhangjiakou", "/page/cooperation", "contributor", False),
    Edge("CCZMMA", "/page/cczmma", "joint-venture partner", True),
    Edge("CCZMMA", "/page/cczmma", "party", False),
    Edge("CCZMMA", "/page/cczmma", "joint-venture partner", True),
]


def on_border(box: Box, x: float, y: float) -> bool:
    inside = box.x - 0.5 <= x <= box.x + box.width + 0.5 and box.y - 0.5 <= y <= box.y + box.height + 0.5
    near_edge = min(abs(x - box.x), abs(x - box.x - box.width), abs(y - box.y), abs(y - box.y - box.height)) < 0.5
    return inside and near_edge


def test_one_neighbour_per_entity_with_each_relation_once_by_direction() -> None:
    found = {n.href: (n.outgoing, n.incoming) for n in neighbours(EDGES)}
    assert found["/page/cczmma"] == (["joint-venture partner"], ["party"])
    assert len(found) == 4


@pytest.mark.parametrize("layout", [wide_layout, narrow_layout])
def test_each_arrow_points_the_way_its_relation_reads_and_stops_at_the_box(layout) -> None:
    drawing = layout("Chambéry", EDGES)
    centre, *others = drawing.boxes
    by_title = {box.title: box for box in others}
    assert len(others) == 4 and centre.centre
    incoming = next(a for a in drawing.arrows if a.title == "has jurisdiction over")
    outgoing = next(a for a in drawing.arrows if a.title == "partner city")
    if layout is wide_layout:
        assert on_border(by_title["Ville de Chambéry"], incoming.x1, incoming.y1)  # from the neighbour…
        assert on_border(centre, incoming.x2, incoming.y2)  # …its head at the entity's box
        assert on_border(centre, outgoing.x1, outgoing.y1) and on_border(by_title["Shawinigan"], outgoing.x2,
                                                                         outgoing.y2)
    else:  # the trunk on the left stands for the entity
        assert incoming.x2 == drawing.trunk[0] and on_border(by_title["Ville de Chambéry"], incoming.x1, incoming.y1)
        assert outgoing.x1 == drawing.trunk[0] and on_border(by_title["Shawinigan"], outgoing.x2, outgoing.y2)
    both = [a for a in drawing.arrows if a.title in ("joint-venture partner", "party")]
    assert len(both) == 2 and (both[0].x1, both[0].y1) != (both[1].x2, both[1].y2)  # two arrows, set apart


@pytest.mark.parametrize("layout", [wide_layout, narrow_layout])
def test_labels_are_wrapped_not_cut_and_whole_in_the_tooltip(layout) -> None:
    drawing = layout("Chambéry", EDGES)
    long = next(b for b in drawing.boxes if b.title.startswith("coopération"))
    assert " ".join(long.lines) == long.title and len(long.lines) > 1


def test_a_neighbourhood_too_large_says_how_many_were_left_out() -> None:
    edges = [Edge(f"n{i}", f"/page/n{i}", "related", True) for i in range(20)]
    assert wide_layout("x", edges).left_out == 6 and len(wide_layout("x", edges).boxes) == 15


def test_entity_pages_draw_one_box_per_neighbour_in_both_layouts(client: FlaskClient) -> None:
    html = client.get("/page/joint-venture-mnd-cczmma").get_data(as_text=True)
    for name in ("wide", "narrow"):
        svg = html.split(f'class="diagram {name}"', 1)[1].split("</svg>", 1)[0]
        links = re.findall(r'<a href="(/page/[a-z0-9-]+)"><g class="node">', svg)
        assert links and len(links) == len(set(links)), links
        assert 'marker-end="url(#arrow-' + name + ')"' in svg and "<title>" in svg
