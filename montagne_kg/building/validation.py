"""SHACL validation with pySHACL, reduced to readable violations."""

from __future__ import annotations

from dataclasses import dataclass

from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph
from rdflib.collection import Collection
from rdflib.term import Node

from montagne_kg.building.serialization import namespace_manager
from montagne_kg.namespaces import SH

NM = namespace_manager()


def path_text(graph: Graph, path: Node | None) -> str:
    """A SHACL property path as readable text (``mkg:party|mkg:counterpart``); '' when there is none."""
    if path is None:
        return ""
    if isinstance(path, BNode):
        alternatives = graph.value(path, SH.alternativePath)
        if alternatives is not None:
            return "|".join(path_text(graph, p) for p in Collection(graph, alternatives))
        inverse = graph.value(path, SH.inversePath)
        if inverse is not None:
            return "^" + path_text(graph, inverse)
        return "(" + "/".join(path_text(graph, p) for p in Collection(graph, path)) + ")"
    return path.n3(NM)


@dataclass(frozen=True, order=True)
class Violation:
    """One SHACL result: where, on which path, which constraint, and its message."""

    focus: str
    path: str
    component: str
    message: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.focus, self.path, self.component)


def results(report: Graph) -> list[Violation]:
    """The results of a SHACL validation report graph, sorted."""
    out = []
    for result in report.subjects(SH.resultSeverity, None):
        focus = report.value(result, SH.focusNode)
        component = report.value(result, SH.sourceConstraintComponent)
        message = report.value(result, SH.resultMessage)
        out.append(Violation(
            focus=focus.n3(NM) if focus is not None else "",
            path=path_text(report, report.value(result, SH.resultPath)),
            component=component.n3(NM) if component is not None else "",
            message=str(message) if message is not None else "",
        ))
    return sorted(out)


def validate(data: Graph, shapes: Graph) -> list[Violation]:
    """Every SHACL violation of ``data`` against ``shapes`` (empty when it conforms)."""
    _conforms, report, _text = shacl_validate(data, shacl_graph=shapes, inference="none", advanced=False)
    return results(report)
