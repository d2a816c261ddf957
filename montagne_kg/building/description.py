"""The VoID + DCAT description of a build: statistics, distributions, licence, sources."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, VOID, XSD

from montagne_kg import formats
from montagne_kg.layout import dump_name
from montagne_kg.namespaces import CC_BY_4, PREFIXES, PROV, SD, SPDX

EXAMPLE_SLUGS = (
    "chambery", "cluster-montagne", "jeux-olympiques-d-hiver-de-2022", "lettre-intention-chambery-zhangjiakou",
)


def dataset_iri(base: str) -> URIRef:
    return URIRef(f"{base}dataset")


def statistics(graphs: Mapping[URIRef, Graph], base: str) -> Graph:
    """VoID statistics and DCAT distributions of ``graphs`` (no sizes or checksums: those go beside the dumps)."""
    ds = dataset_iri(base)
    g = Graph()
    union = Graph()
    for graph in graphs.values():
        for t in graph:
            union.add(t)
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal("montagne-kg", lang="fr")))
    g.add((ds, DCTERMS.title, Literal("montagne-kg", lang="en")))
    g.add((ds, DCTERMS.description, Literal(
        "Graphe de connaissances de la coopération internationale de la filière montagne française, "
        "tiré de communiqués de presse.", lang="fr")))
    g.add((ds, DCTERMS.description, Literal(
        "Knowledge graph of the French mountain industry's international cooperation, built from press releases.",
        lang="en")))
    g.add((ds, DCTERMS.license, URIRef(CC_BY_4)))
    g.add((ds, DCTERMS.rights, Literal(
        "Curated data and ontology: CC BY 4.0. Release texts remain their publishers' and are quoted as evidence.",
        lang="en")))
    g.add((ds, VOID.sparqlEndpoint, URIRef(f"{base}sparql")))
    g.add((ds, VOID.uriSpace, Literal(f"{base}id/")))
    g.add((ds, VOID.feature, URIRef("http://www.w3.org/ns/formats/Turtle")))
    for slug in EXAMPLE_SLUGS:
        g.add((ds, VOID.exampleResource, URIRef(f"{base}id/{slug}")))
    for ns in sorted(set(PREFIXES.values())):
        if any(str(p).startswith(ns) for p in union.predicates()):
            g.add((ds, VOID.vocabulary, URIRef(ns)))
    for release in sorted(union.subjects(RDF.type, URIRef(f"{base}ontology#PressRelease"))):
        g.add((ds, DCTERMS.source, release))
        g.add((ds, PROV.wasDerivedFrom, release))

    g.add((ds, VOID.triples, Literal(len(union), datatype=XSD.integer)))  # distinct: what the merged dumps hold
    quads = sum(len(x) for x in graphs.values())  # what TriG and N-Quads hold: a triple once per graph stating it
    g.add((ds, URIRef(f"{base}ontology#quadCount"), Literal(quads, datatype=XSD.integer)))
    g.add((ds, VOID.distinctSubjects, Literal(len(set(union.subjects())), datatype=XSD.integer)))
    g.add((ds, VOID.properties, Literal(len(set(union.predicates())), datatype=XSD.integer)))
    classes = Counter(o for o in union.objects(None, RDF.type))
    g.add((ds, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    entities = {s for s in union.subjects() if str(s).startswith(f"{base}id/") and "#" not in str(s)}
    g.add((ds, VOID.entities, Literal(len(entities), datatype=XSD.integer)))
    for cls in sorted(classes):
        part = BNode()
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], cls))
        g.add((part, VOID.entities, Literal(classes[cls], datatype=XSD.integer)))
    for name in sorted(graphs):
        g.add((ds, VOID.subset, name))
        g.add((name, RDF.type, VOID.Dataset))
        g.add((name, RDF.type, SD.NamedGraph))
        g.add((name, SD.name, name))
        g.add((name, VOID.triples, Literal(len(graphs[name]), datatype=XSD.integer)))
    for name in formats.DUMP_FORMATS:
        fmt = formats.by_name(name)
        for gz in (False, True):
            file = dump_name(fmt) + (".gz" if gz else "")
            dist = URIRef(f"{base}dumps/{file}")
            g.add((ds, DCAT.distribution, dist))
            g.add((ds, VOID.dataDump, dist))
            g.add((dist, RDF.type, DCAT.Distribution))
            g.add((dist, DCAT.downloadURL, dist))
            g.add((dist, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{fmt.media_type}")))
            g.add((dist, DCTERMS.format, Literal(fmt.media_type)))
            if gz:
                g.add((dist, DCAT.compressFormat, URIRef(
                    f"https://www.iana.org/assignments/media-types/{formats.GZIP_MEDIA_TYPE}")))
            g.add((dist, DCTERMS.license, URIRef(CC_BY_4)))
            g.add((dist, RDFS.label, Literal(f"{fmt.name}{' (gzip)' if gz else ''}", lang="en")))
    g.add((ds, FOAF.homepage, URIRef(base)))
    add_linkset(g, ds, union, base)
    return g


def add_linkset(g: Graph, ds: URIRef, union: Graph, base: str) -> None:
    """The owl:sameAs links to Wikidata as a void:Linkset, with the CSV export as its distribution."""
    # Wikidata is described under our own IRI: no triple of ours has a Wikidata IRI as subject.
    linkset, wikidata = URIRef(f"{base}dataset/wikidata-links"), URIRef(f"{base}dataset/wikidata")
    links = [(s, o) for s, o in union.subject_objects(OWL.sameAs) if str(o).startswith("http://www.wikidata.org/entity/")]
    g.add((ds, VOID.subset, linkset))
    g.add((linkset, RDF.type, VOID.Linkset))
    g.add((linkset, VOID.linkPredicate, OWL.sameAs))
    g.add((linkset, VOID.subjectsTarget, ds))
    g.add((linkset, VOID.objectsTarget, wikidata))
    g.add((linkset, VOID.triples, Literal(len(links), datatype=XSD.integer)))
    g.add((linkset, DCTERMS.title, Literal("Links to Wikidata", lang="en")))
    csv_file = URIRef(f"{base}dumps/wikidata-links.csv")
    g.add((linkset, VOID.dataDump, csv_file))
    g.add((csv_file, RDF.type, DCAT.Distribution))
    g.add((csv_file, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/text/csv")))
    g.add((wikidata, RDF.type, VOID.Dataset))
    g.add((wikidata, VOID.sparqlEndpoint, URIRef("https://query.wikidata.org/sparql")))
    g.add((wikidata, VOID.uriSpace, Literal("http://www.wikidata.org/entity/")))
    g.add((wikidata, FOAF.homepage, URIRef("https://www.wikidata.org/")))
    g.add((wikidata, DCTERMS.title, Literal("Wikidata", lang="en")))


def checksums(files: Mapping[str, tuple[int, str]], base: str) -> Graph:
    """Byte sizes and SHA-256 checksums of the dump files, keyed by file name."""
    g = Graph()
    for file, (size, sha256) in sorted(files.items()):
        dist = URIRef(f"{base}dumps/{file}")
        g.add((dist, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
        checksum = BNode()
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(sha256, datatype=XSD.hexBinary)))
    return g
