"""The checked plan of a review's facts: each accepted fact row as a Turtle statement with its sentence.

A fact's subject and object name an entity the names review adds or names again, a known entity, or a node the
facts declare (``<slug> a mkg:Post``); its property is an ontology term whose domain and range fit; its literal
has the datatype the property asks for. Every problem is reported at once, ``file:line``; a fact whose subject
or object row was rejected is reported, never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from montagne_kg.building.ingestion.facts import CONTEXT, FactRow

if TYPE_CHECKING:
    from montagne_kg.building.ingestion.addition import Ontology, Property

SIDES = ("mkg:party", "mkg:counterpart", "mkg:counterpartNotStated")  # what makes an agreement two-sided
LANGUAGE_LITERAL = re.compile(r'^"((?:[^"\\]|\\.)*)"@([a-z]{2})$')
TYPED_LITERAL = re.compile(r'^"([^"]*)"\^\^xsd:(date|gYearMonth|gMonthDay|decimal|integer)$')
QUANTITY = re.compile(r"^quantity:(\d+(?:\.\d+)?) ([A-Z]\w*)((?: [A-Z]\w*)*)$")
AMOUNT = re.compile(r"^amount:(\d+(?:\.\d+)?) ([A-Z]{3})$")
DATATYPE_CHECKS = {"date": date.fromisoformat,
                   "gYearMonth": lambda v: date.fromisoformat(f"{v}-01"),
                   "gMonthDay": lambda v: date.fromisoformat(f"2000{v[1:]}"),
                   "decimal": float, "integer": int}


@dataclass
class PlannedStatements:
    """Accepted facts as Turtle: (subject slug, predicate, object) with the sentences that state them."""

    triples: list[tuple[str, str, str]] = field(default_factory=list)
    figures: dict[str, tuple[str, tuple[int, int]]] = field(default_factory=dict)  # label → (description, source)
    concluded: list[tuple[str, str, str, str]] = field(default_factory=list)  # from context: (s, p, o, reason)
    sources: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    implied: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # nodes the facts declare

    def add(self, subject: str, predicate: str, obj: str, sentence: tuple[int, int]) -> None:
        if (subject, predicate, obj) not in self.triples:
            self.triples.append((subject, predicate, obj))
        spans = self.sources.setdefault(subject, [])
        if sentence not in spans:
            spans.append(sentence)

    def by_subject(self) -> list[tuple[str, list[tuple[str, str]], list[tuple[int, int]]]]:
        subjects = list(dict.fromkeys(s for s, _, _ in self.triples))
        return [(s, [(p, o) for subject, p, o in self.triples if subject == s], sorted(self.sources[s]))
                for s in subjects]


def plan_statements(facts: list[FactRow], kinds: dict[str, str], rejected: dict[str, str], release: str,
                    ontology: Ontology, table: Path) -> tuple[PlannedStatements, dict[str, list[tuple[str, str]]],
                                                              list[str]]:
    """The accepted facts of ``table`` checked against the entities ``kinds`` (slug → class) of the release and the
    build; returns the statements, the sides of each agreement the facts name (property, object: a party, a
    counterpart, or that none is stated), and every problem."""
    problems: list[str] = []
    accepted = []
    for fact in facts:
        where = f"{table}:{fact.line}"
        if fact.release != release:
            problems.append(f"{where}: the row is for release {fact.release!r}, the file for {release!r}")
        decision = fact.decision.lower()
        if decision not in ("accept", "reject"):
            problems.append(f"{where}: {'undecided' if not decision else repr(fact.decision) + ' is not a decision'}:"
                            " write accept or reject (edit the subject, property or object to change the fact)")
            continue
        if decision == "accept":
            accepted.append((fact, where))
    nodes = dict(kinds)
    for fact, _ in accepted:  # nodes the facts declare: « poste-x a mkg:Post »
        if fact.property == "a" and fact.object.startswith("mkg:") and fact.subject not in kinds:
            nodes[fact.subject] = fact.object[4:]
    statements = PlannedStatements()
    sides: dict[str, list[tuple[str, str]]] = {}
    for fact, where in accepted:
        subject = _reference(fact.subject, nodes, rejected, where, "subject", problems)
        if subject is None:
            continue
        if fact.property == "a":
            if fact.object[4:] not in ontology.classes or not fact.object.startswith("mkg:"):
                problems.append(f"{where}: {fact.object!r} is not a class of the ontology (mkg:Post, "
                                "mkg:Municipality…)")
            elif fact.subject in kinds and kinds[fact.subject] != fact.object[4:]:
                problems.append(f"{where}: {fact.subject} is a {kinds[fact.subject]} (from the names review or the "
                                "build), not a " + fact.object[4:])
            elif fact.subject not in kinds:  # an entity the release or the build already has keeps its class
                statements.add(fact.subject, "a", fact.object, fact.sentence)
                statements.implied.setdefault(fact.subject, []).append(fact.sentence)
                if fact.rule.endswith(CONTEXT):  # a body a title implies (« l'Ambassadeur de France au … »)
                    statements.concluded.append((fact.subject, "rdf:type", fact.object, fact.note or
                                                 "Supposé par le texte, sans y être nommé."))
            continue
        if fact.property == "rdfs:label":
            if not LANGUAGE_LITERAL.match(fact.object):
                problems.append(f"{where}: a label is a quoted text with its language (\"…\"@fr)")
            elif fact.subject not in kinds:  # an entity's labels come from the names review or the build
                statements.add(fact.subject, "rdfs:label", fact.object, fact.sentence)
            continue
        prop = ontology.properties.get(fact.property.removeprefix("mkg:")) if fact.property.startswith("mkg:") \
            else None
        if prop is None:
            problems.append(f"{where}: {fact.property!r} is not a property of the ontology (mkg:…, a, rdfs:label)")
            continue
        if prop.domain and not (subject == prop.domain or ontology.is_a(subject, prop.domain)):
            problems.append(f"{where}: {fact.property} is for a {prop.domain}; {fact.subject} is a {subject}")
            continue
        obj = _object(fact, prop, nodes, rejected, ontology, statements, where, problems)
        if obj is None:
            continue
        if fact.property in SIDES:
            sides.setdefault(fact.subject, []).append((fact.property, obj))
        if fact.property != "mkg:party":  # parties are written with the agreement's names row
            statements.add(fact.subject, fact.property, obj, fact.sentence)
        if fact.rule.endswith(CONTEXT):
            statements.concluded.append((fact.subject, fact.property, obj, fact.note or
                                         "Le sujet est repris d'une phrase précédente."))
    return statements, sides, problems


def _reference(value: str, nodes: dict[str, str], rejected: dict[str, str], where: str, what: str,
               problems: list[str]) -> str | None:
    """The class of the entity or node ``value`` names, or None (and a problem)."""
    if value in nodes:
        return nodes[value]
    if value in rejected:
        problems.append(f"{where}: the {what} {value} was rejected ({rejected[value]}): reject this fact too, or "
                        "accept that row")
    else:
        problems.append(f"{where}: the {what} {value} names no entity: neither a row of the names review, a known "
                        "entity, nor a node a fact declares with `a`")
    return None


def _object(fact: FactRow, prop: Property, nodes: dict[str, str], rejected: dict[str, str], ontology: Ontology,
            statements: PlannedStatements, where: str, problems: list[str]) -> str | None:
    value = fact.object
    if prop.range in ("Quantity", "MonetaryAmount") or value.startswith(("quantity:", "amount:")):
        description = _figure(value, prop, ontology, where, problems)
        if description is None:
            return None
        label = f"figure-{len(statements.figures) + 1}"  # a labelled blank node, which a conclusion can name again
        statements.figures[label] = (description, fact.sentence)
        return f"_:{label}"
    if prop.datatype:
        if value in ("true", "false") and prop.range in (None, "xsd:boolean"):
            return value
        typed = TYPED_LITERAL.match(value)
        language = LANGUAGE_LITERAL.match(value)
        if typed:
            try:
                DATATYPE_CHECKS[typed.group(2)](typed.group(1))
            except ValueError:
                problems.append(f"{where}: {typed.group(1)!r} is not an xsd:{typed.group(2)}")
                return None
            return value
        if language and prop.range in (None, "xsd:string", "rdf:langString"):
            return value
        problems.append(f"{where}: {value!r} is not a literal {fact.property} takes "
                        f"({prop.range or 'a typed literal'}: \"2017-02-14\"^^xsd:date, true, \"…\"@fr)")
        return None
    kind = _reference(value, nodes, rejected, where, "object", problems)
    if kind is None:
        return None
    if prop.range and not (kind == prop.range or ontology.is_a(kind, prop.range)):
        problems.append(f"{where}: {fact.property} points to a {prop.range}; {value} is a {kind}")
        return None
    return f":{value}"


def _figure(value: str, prop: Property, ontology: Ontology, where: str, problems: list[str]) -> str | None:
    """The Turtle description of a figure's node (its source is added where it is written)."""
    quantity, amount = QUANTITY.match(value), AMOUNT.match(value)
    if quantity and prop.range == "Quantity":
        number, unit, qualifiers = quantity.group(1), quantity.group(2), quantity.group(3).split()
        unknown = [u for u in (unit, *qualifiers) if u not in ontology.individuals]
        if unknown:
            problems.append(f"{where}: {', '.join(unknown)} is not a unit or qualifier of the ontology")
            return None
        marks = "".join(f" ; mkg:qualifier mkg:{q}" for q in qualifiers)
        return f"a mkg:Quantity ; mkg:numericValue {number} ; mkg:unit mkg:{unit}{marks}"
    if amount and prop.range == "MonetaryAmount":
        return f"a mkg:MonetaryAmount ; mkg:numericValue {amount.group(1)} ; mkg:currency \"{amount.group(2)}\""
    problems.append(f"{where}: {value!r} is not a figure this property takes (quantity:<value> <Unit> "
                    "[<Qualifier>…] for a Quantity, amount:<value> <CUR> for a MonetaryAmount)")
    return None
