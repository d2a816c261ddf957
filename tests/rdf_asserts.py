"""Graph assertions with a readable diff."""

from __future__ import annotations

from rdflib import Graph
from rdflib.compare import graph_diff, to_isomorphic


def assert_isomorphic(expected: Graph, actual: Graph) -> None:
    """Fail with the sorted N-Triples only in expected / only in actual when the graphs differ."""
    iso_expected, iso_actual = to_isomorphic(expected), to_isomorphic(actual)
    if iso_expected == iso_actual:
        return
    _both, only_expected, only_actual = graph_diff(iso_expected, iso_actual)

    def lines(g: Graph) -> str:
        return "\n".join(sorted(f"  {s.n3()} {p.n3()} {o.n3()} ." for s, p, o in g)) or "  (none)"

    raise AssertionError(
        f"graphs differ\nonly in expected:\n{lines(only_expected)}\nonly in actual:\n{lines(only_actual)}")
