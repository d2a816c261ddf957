"""Every prefix the project uses, in one place."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SDO, SH, SKOS, VOID, XSD

DEFAULT_BASE = "https://w3id.org/montagne-kg/"

MKG = Namespace(DEFAULT_BASE + "ontology#")
ID = Namespace(DEFAULT_BASE + "id/")
GRAPH = Namespace(DEFAULT_BASE + "graph/")
SHAPE = Namespace(DEFAULT_BASE + "shapes#")
GENID = Namespace(DEFAULT_BASE + ".well-known/genid/")
SCHEMA = Namespace("http://schema.org/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
WD = Namespace("http://www.wikidata.org/entity/")

ONTOLOGY_IRI = DEFAULT_BASE + "ontology"
CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"
WIKIDATA_QUERY_SERVICE = "https://query.wikidata.org/sparql"
WIKIDATA_API = "https://www.wikidata.org/w/api.php"

# Prefixes written in dumps and offered to queries, sorted by prefix.
PREFIXES: dict[str, str] = {
    "dcat": str(DCAT),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "mkg": str(MKG),
    "mkgid": str(ID),
    "org": str(ORG),
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "schema": str(SCHEMA),
    "sd": str(SD),
    "sh": str(SH),
    "skos": str(SKOS),
    "spdx": str(SPDX),
    "void": str(VOID),
    "wd": str(WD),
    "xsd": str(XSD),
}

# Vocabularies we align with but never import: reasoning output about their terms is noise.
EXTERNAL_VOCABULARIES: tuple[str, ...] = (
    str(SCHEMA), str(FOAF), str(ORG), str(PROV), str(SKOS), str(DCTERMS), "http://purl.org/dc/elements/1.1/",
    str(OWL), str(RDF), str(RDFS), str(XSD), str(VOID), str(DCAT), str(SH), "http://qudt.org/",
)

__all__ = [
    "CC_BY_4", "DCAT", "DCTERMS", "DEFAULT_BASE", "EXTERNAL_VOCABULARIES", "FOAF", "GENID", "GRAPH", "ID", "MKG",
    "ONTOLOGY_IRI", "ORG", "OWL", "PREFIXES", "PROV", "RDF", "RDFS", "SCHEMA", "SD", "SDO", "SH", "SHAPE", "SKOS",
    "SPDX", "VOID", "WD", "WIKIDATA_QUERY_SERVICE", "XSD",
]


def graph_iri(name: str, base: str = DEFAULT_BASE) -> str:
    """The IRI of a named graph such as ``release/000`` or ``inferred``."""
    return f"{base}graph/{name}"


def release_iri(release: str, base: str = DEFAULT_BASE) -> str:
    """The IRI of a release document such as ``000``."""
    return f"{base}id/release/{release}"
