"""VoID and DCAT for the dataset, computed from the store and cached per dataset version.

The statistics are SPARQL (:func:`stats_queries`); the server has them answered by its
query workers on one checkpoint, with the query deadline (:mod:`iqkg.server.worker_reads`),
and :func:`compute_stats` answers them in-process (the CLI, tests).

Counts are over the *default union* as SPARQL sees it, with set semantics (a triple in
two graphs counts once): ``void:triples`` is the number of distinct triples, ``void:entities``
the number of distinct IRI subjects with an ``rdf:type``, each class partition counts its
distinct instances and each property partition its distinct triples. The numbers are
the answers of the SPARQL queries in :data:`COUNT_QUERIES`, so anyone can check them at
``/sparql``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from iqkg.publish.dumps import DUMP_FORMATS
from iqkg.rdf.iris import (
    DCAT,
    DCTERMS,
    OWL,
    RDF,
    SCHEMA,
    SD,
    SKOS,
    VOID,
    XSD,
    IriScheme,
    usable_origin,
)
from iqkg.rdf.sparql_terms import iri, values
from iqkg.store.dataset import Dataset, dataset_iri, version_query
from iqkg.store.reading import mentions

LICENCE = "https://creativecommons.org/licenses/by/4.0/"
#: The predicates counted as links, each with the name its linksets' IRIs use (local names
#: alone collide: owl:sameAs and schema:sameAs).
LINK_PREDICATE_NAMES = {
    SKOS + "exactMatch": "skos-exactMatch",
    OWL + "sameAs": "owl-sameAs",
    SKOS + "closeMatch": "skos-closeMatch",
    SCHEMA + "sameAs": "schema-sameAs",
}
LINK_PREDICATES = tuple(LINK_PREDICATE_NAMES)
#: Datasets the graph links to: (dataset IRI, URI space, title).
LINK_TARGETS: tuple[tuple[str, str, str], ...] = (
    ("http://www.wikidata.org/", "http://www.wikidata.org/entity/", "Wikidata"),
    ("https://d-nb.info/gnd/", "https://d-nb.info/gnd/", "Gemeinsame Normdatei (GND)"),
    ("https://sws.geonames.org/", "https://sws.geonames.org/", "GeoNames"),
)
DISTINCT = "{ SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
COUNT_QUERIES = {
    "triples": f"SELECT (COUNT(*) AS ?n) WHERE {DISTINCT}",
    "entities": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER isIRI(?s) }",
    "classes": "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER isIRI(?c) } "
    "GROUP BY ?c",
    "properties": f"SELECT ?p (COUNT(*) AS ?n) WHERE {DISTINCT} GROUP BY ?p",
    "links": "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isIRI(?o)) "
    + values(["p"], [[iri(p)] for p in LINK_PREDICATES])
    + " }",
}


@dataclass
class VoidStats:
    version: str
    triples: int
    entities: int
    classes: dict[str, int]
    properties: dict[str, int]
    graphs: dict[str, int]
    #: (target dataset, predicate) → number of links
    linksets: dict[tuple[str, str], int] = field(default_factory=dict)
    modified: str | None = None


def stats_queries(iris: IriScheme) -> dict[str, str]:
    """Every query the statistics are made of, by name: :data:`COUNT_QUERIES`, the
    triples of each public graph, the dataset's version and its last modification.

    All run over the public union (the default dataset of ``/sparql``), so whoever runs
    them together on one state of the store (the query workers do, on one checkpoint)
    gets numbers that describe that state and the version that names it.
    """
    d = iri(dataset_iri(iris))
    return {
        **COUNT_QUERIES,
        # OPTIONAL: an empty named graph is a graph of 0 triples, not a missing one.
        "graphs": "SELECT ?g (COUNT(?s) AS ?n) WHERE { GRAPH ?g { OPTIONAL { ?s ?p ?o } } } "
        "GROUP BY ?g",
        "version": version_query(iris),
        "modified": f"SELECT ?m WHERE {{ GRAPH ?g {{ {d} {iri(DCTERMS + 'modified')} ?m "
        "FILTER isLiteral(?m) } }",
    }


#: The solutions of each query of :func:`stats_queries`, each term as its value.
Rows = Mapping[str, Sequence[Mapping[str, str]]]


def stats_from_rows(rows: Rows) -> VoidStats:
    """The statistics from the answers of :func:`stats_queries` (all on one state)."""
    linksets: dict[tuple[str, str], int] = {}
    for row in rows["links"]:
        for target, space, _ in LINK_TARGETS:
            if row["o"].startswith(space):
                key = (target, row["p"])
                linksets[key] = linksets.get(key, 0) + 1
    return VoidStats(
        version=next((row["v"] for row in rows["version"]), "0"),
        triples=int(rows["triples"][0]["n"]),
        entities=int(rows["entities"][0]["n"]),
        classes={r["c"]: int(r["n"]) for r in rows["classes"]},
        properties={r["p"]: int(r["n"]) for r in rows["properties"]},
        graphs={r["g"]: int(r["n"]) for r in rows["graphs"]},
        linksets=linksets,
        modified=next((row["m"] for row in rows["modified"]), None),
    )


def compute_stats(dataset: Dataset) -> VoidStats:
    """The statistics computed in this process (the CLI, tests); the server has its query
    workers run :func:`stats_queries` on one checkpoint instead, with a deadline."""

    def rows(query: str) -> list[dict[str, str]]:
        return [{name: term.value for name, term in row.items()} for row in dataset.select(query)]

    return stats_from_rows({name: rows(q) for name, q in stats_queries(dataset.iris).items()})


def _integer(value: int) -> Literal:
    return Literal(str(value), datatype=NamedNode(XSD + "integer"))


def void_triples(stats: VoidStats, dataset: Dataset, site: str) -> list[Triple]:
    """The VoID/DCAT description; ``site`` is the server's origin (``https://host``).

    A ``site`` that cannot be part of an IRI (from a hostile ``Host`` header) gives way to
    the base, which the persistent identifier service redirects to this server."""
    iris = dataset.iris
    site = usable_origin(site, iris.base).rstrip("/")
    d = NamedNode(dataset_iri(iris))
    out: list[Triple] = []

    def add(s: NamedNode | BlankNode, p: str, o: NamedNode | BlankNode | Literal) -> None:
        out.append(Triple(s, NamedNode(p), o))

    for cls in (VOID + "Dataset", DCAT + "Dataset"):
        add(d, RDF + "type", NamedNode(cls))
    add(d, DCTERMS + "title", Literal("IQ-Wissensgraph", language="de"))
    add(d, DCTERMS + "title", Literal("IQ knowledge graph", language="en"))
    add(
        d,
        DCTERMS + "description",
        Literal(
            "Wissensgraph des Förderprogramms „Integration durch Qualifizierung (IQ)“ 2011–2014.",
            language="de",
        ),
    )
    add(
        d,
        DCTERMS + "description",
        Literal(
            "Knowledge graph of the funding programme “Integration durch Qualifizierung (IQ)” "
            "2011–2014.",
            language="en",
        ),
    )
    add(d, DCTERMS + "license", NamedNode(LICENCE))
    add(d, OWL + "versionInfo", Literal(stats.version))
    if stats.modified:
        add(d, DCTERMS + "modified", Literal(stats.modified, datatype=NamedNode(XSD + "dateTime")))
    add(d, DCAT + "landingPage", NamedNode(site + "/"))
    add(d, VOID + "uriSpace", Literal(iris.base + "id/"))
    add(d, VOID + "triples", _integer(stats.triples))
    add(d, VOID + "entities", _integer(stats.entities))
    add(d, VOID + "classes", _integer(len(stats.classes)))
    add(d, VOID + "properties", _integer(len(stats.properties)))
    add(d, VOID + "sparqlEndpoint", NamedNode(site + "/sparql"))
    programme = NamedNode(iris.resource("programme", "iq"))
    if mentions(dataset, programme.value):
        add(d, VOID + "exampleResource", programme)
        add(d, VOID + "rootResource", programme)
    service = BlankNode()
    add(d, DCAT + "accessService", service)
    add(service, RDF + "type", NamedNode(DCAT + "DataService"))
    add(service, RDF + "type", NamedNode(SD + "Service"))
    add(service, DCAT + "endpointURL", NamedNode(site + "/sparql"))
    add(service, SD + "endpoint", NamedNode(site + "/sparql"))
    add(service, DCAT + "servesDataset", d)
    for fmt in DUMP_FORMATS:
        url = NamedNode(f"{site}/dumps/{fmt.name}")
        add(d, VOID + "dataDump", url)
        dist = BlankNode()
        add(d, DCAT + "distribution", dist)
        add(dist, RDF + "type", NamedNode(DCAT + "Distribution"))
        add(dist, DCAT + "downloadURL", url)
        add(dist, DCAT + "accessURL", NamedNode(site + "/dumps/"))
        add(
            dist,
            DCAT + "mediaType",
            NamedNode("https://www.iana.org/assignments/media-types/" + fmt.syntax.media_type),
        )
        add(dist, DCTERMS + "license", NamedNode(LICENCE))
        if fmt.gzipped:
            add(
                dist,
                DCAT + "compressFormat",
                NamedNode("https://www.iana.org/assignments/media-types/application/gzip"),
            )
    vocabularies = {_namespace(p) for p in stats.properties} | {
        _namespace(c) for c in stats.classes
    }
    for namespace in sorted(v for v in vocabularies if v):
        add(d, VOID + "vocabulary", NamedNode(namespace))
    for cls, count in sorted(stats.classes.items()):
        part = BlankNode()
        add(d, VOID + "classPartition", part)
        add(part, VOID + "class", NamedNode(cls))
        add(part, VOID + "entities", _integer(count))
    for prop, count in sorted(stats.properties.items()):
        part = BlankNode()
        add(d, VOID + "propertyPartition", part)
        add(part, VOID + "property", NamedNode(prop))
        add(part, VOID + "triples", _integer(count))
    for graph, count in sorted(stats.graphs.items()):
        g = NamedNode(graph)
        add(d, VOID + "subset", g)
        add(g, RDF + "type", NamedNode(VOID + "Dataset"))
        add(g, SD + "name", g)
        add(g, VOID + "triples", _integer(count))
    for (target, predicate), count in sorted(stats.linksets.items()):
        title = next(t for iri, _, t in LINK_TARGETS if iri == target)
        name = LINK_PREDICATE_NAMES[predicate]
        linkset = NamedNode(f"{d.value}#linkset-{title.split()[0].lower()}-{name}")
        add(d, VOID + "subset", linkset)
        add(linkset, RDF + "type", NamedNode(VOID + "Linkset"))
        add(linkset, VOID + "subjectsTarget", d)
        add(linkset, VOID + "objectsTarget", NamedNode(target))
        add(linkset, VOID + "linkPredicate", NamedNode(predicate))
        add(linkset, VOID + "triples", _integer(count))
        add(NamedNode(target), RDF + "type", NamedNode(VOID + "Dataset"))
        add(NamedNode(target), DCTERMS + "title", Literal(title))
        space = next(s for iri, s, _ in LINK_TARGETS if iri == target)
        add(NamedNode(target), VOID + "uriSpace", Literal(space))
    return out


def _namespace(iri: str) -> str:
    for separator in ("#", "/"):
        if separator in iri:
            return iri[: iri.rindex(separator) + 1]
    return ""
