"""SPARQL 1.1 results writers (JSON, XML, CSV, TSV) for capped lists of solutions and for booleans."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

Row = Sequence[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None]


def _json_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """One term as SPARQL JSON text (built as a string: 2-3x faster than dicts + json.dumps on big results)."""
    if isinstance(term, ox.NamedNode):
        return '{"type":"uri","value":' + encode_basestring(term.value) + "}"
    if isinstance(term, ox.Literal):
        value = '{"type":"literal","value":' + encode_basestring(term.value)
        if term.language:
            return value + ',"xml:lang":' + encode_basestring(term.language) + "}"
        if term.datatype.value != XSD_STRING:
            return value + ',"datatype":' + encode_basestring(term.datatype.value) + "}"
        return value + "}"
    if isinstance(term, ox.BlankNode):
        return '{"type":"bnode","value":' + encode_basestring(term.value) + "}"
    return ('{"type":"triple","value":{"subject":' + _json_term(term.subject) + ',"predicate":'
            + _json_term(term.predicate) + ',"object":' + _json_term(term.object) + "}}")


def _xml_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
            f"</predicate><object>{_xml_term(term.object)}</object></triple>")


def _csv_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def _tsv_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
    return "" if term is None else str(term).replace("\t", "\\t").replace("\n", "\\n")


def solutions(variables: Sequence[str], rows: Sequence[Row], fmt: str) -> bytes:
    """Serialize SELECT solutions in ``fmt`` (json, xml, csv, tsv)."""
    if fmt == "json":
        keys = [encode_basestring(v) + ":" for v in variables]
        bindings = ",".join("{" + ",".join(k + _json_term(t) for k, t in zip(keys, row, strict=True) if t is not None)
                            + "}" for row in rows)
        head = ",".join(encode_basestring(v) for v in variables)
        return ('{"head":{"vars":[' + head + ']},"results":{"bindings":[' + bindings + "]}}").encode("utf-8")
    if fmt == "xml":
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
               "<head>", *(f"<variable name={quoteattr(v)}/>" for v in variables), "</head><results>"]
        for row in rows:
            out.append("<result>")
            out.extend(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                       for v, t in zip(variables, row, strict=True) if t is not None)
            out.append("</result>")
        out.append("</results></sparql>\n")
        return "".join(out).encode("utf-8")
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows([_csv_term(t) for t in row] for row in rows)
        return buffer.getvalue().encode("utf-8")
    if fmt == "tsv":
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines.extend("\t".join(_tsv_term(t) for t in row) for row in rows)
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(f"not a SPARQL results format: {fmt}")


def boolean(value: bool, fmt: str) -> bytes:
    """Serialize an ASK answer in ``fmt`` (json, xml: the CSV/TSV note defines no form for booleans)."""
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode("utf-8")
    if fmt == "xml":
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    raise ValueError(f"not a SPARQL results format: {fmt}")
