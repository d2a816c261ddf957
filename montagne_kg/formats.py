"""The one table of RDF and SPARQL result formats: media types, aliases, suffixes, serializers."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox


@dataclass(frozen=True)
class Format:
    """One serialisation: its short name, canonical media type, other registered media types clients send for it,
    other short names accepted by ``format=``, and file suffix."""

    name: str
    media_type: str
    suffix: str
    kind: str  # "graph" (triples), "dataset" (quads) or "results" (SELECT/ASK)
    media_aliases: tuple[str, ...] = field(default=())
    names: tuple[str, ...] = field(default=())
    charset: bool = True
    rdflib: str = ""  # rdflib's serializer name (RDF formats only)

    @property
    def oxigraph(self) -> ox.RdfFormat:
        """pyoxigraph's format for this RDF format."""
        return ox.RdfFormat.from_media_type(self.media_type)

    @property
    def oxigraph_results(self) -> ox.QueryResultsFormat:
        """pyoxigraph's format for this SPARQL results format."""
        return ox.QueryResultsFormat.from_media_type(self.media_type)

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.charset else self.media_type

    def accepts(self, value: str) -> bool:
        """Whether ``value`` (a short name or media type) names this format."""
        value = value.split(";")[0].strip().lower()
        return value in (self.name, self.suffix.lstrip("."), *self.names, self.media_type, *self.media_aliases)


FORMATS: tuple[Format, ...] = (
    Format("turtle", "text/turtle", ".ttl", "graph", ("application/x-turtle",), rdflib="turtle"),
    Format("ntriples", "application/n-triples", ".nt", "graph", ("text/plain",), ("n-triples",), rdflib="nt"),
    Format("jsonld", "application/ld+json", ".jsonld", "graph", (), ("json-ld",), rdflib="json-ld"),
    Format("rdfxml", "application/rdf+xml", ".rdf", "graph", (), ("rdf-xml", "xml-rdf", "rdf/xml"), rdflib="xml"),
    Format("trig", "application/trig", ".trig", "dataset", (), rdflib="trig"),
    Format("nquads", "application/n-quads", ".nq", "dataset", (), ("n-quads",), rdflib="nquads"),
    Format("json", "application/sparql-results+json", ".srj", "results", ("application/json",)),
    Format("xml", "application/sparql-results+xml", ".srx", "results", ("application/xml", "text/xml")),
    Format("csv", "text/csv", ".csv", "results"),
    Format("tsv", "text/tab-separated-values", ".tsv", "results"),
)

# Dumps: the merged graph in graph formats, the named graphs in dataset formats.
DUMP_FORMATS: tuple[str, ...] = ("turtle", "ntriples", "jsonld", "trig", "nquads")
GZIP_MEDIA_TYPE = "application/gzip"


def by_name(name: str) -> Format:
    """The format with this short name; KeyError if none."""
    for fmt in FORMATS:
        if fmt.name == name:
            return fmt
    raise KeyError(name)


def find(value: str, kinds: tuple[str, ...]) -> Format | None:
    """The format of one of ``kinds`` that ``value`` (short name or media type) names, if any."""
    for fmt in FORMATS:
        if fmt.kind in kinds and fmt.accepts(value):
            return fmt
    return None
