"""VoID and DCAT for the dataset, computed from the store and cached per dataset version.

Counts are over the *default union* as SPARQL sees it, with set semantics (a triple in
two graphs counts once): ``void:triples`` is the number of distinct triples, ``void:entities``
the number of distinct IRI subjects with an ``rdf:type``, each class partition counts its
distinct instances and each property partition its distinct triples. The numbers are
the answers of the SPARQL queries in :data:`COUNT_QUERIES`, so anyone can check them at
``/sparql``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from iqkg.publish.dumps import DUMP_FORMATS
from iqkg.rdf.iris import DCAT, DCTERMS, OWL, RDF, SCHEMA, SD, SKOS, VOID, XSD, usable_origin
from iqkg.rdf.sparql_terms import iri, values
from iqkg.store.dataset import Dataset, dataset_iri
from iqkg.store.interface import WHOLE_STORE
from iqkg.store.reading import mentions

LICENCE = "https://creativecommons.org/licenses/by/4.0/"
LINK_PREDICATES = (SKOS + "exactMatch", OWL + "sameAs", SKOS + "closeMatch", SCHEMA + "sameAs")
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


def _rows(dataset: Dataset, query: str) -> list[dict[str, str]]:
    """The solutions of ``query`` over the public union, each term as its value."""
    return [{name: term.value for name, term in row.items()} for row in dataset.select(query)]


def compute_stats(dataset: Dataset) -> VoidStats:
    version = dataset.version
    first = _rows(dataset, COUNT_QUERIES["triples"])
    entities = _rows(dataset, COUNT_QUERIES["entities"])
    linksets: dict[tuple[str, str], int] = {}
    for row in _rows(dataset, COUNT_QUERIES["links"]):
        for target, space, _ in LINK_TARGETS:
            if row["o"].startswith(space):
                key = (target, row["p"])
                linksets[key] = linksets.get(key, 0) + 1
    modified = next(
        (
            row["m"].value
            for row in dataset.select(
                f"SELECT ?m WHERE {{ GRAPH ?g {{ {iri(dataset_iri(dataset.iris))} "
                f"{iri(DCTERMS + 'modified')} ?m }} }}",
                dataset=WHOLE_STORE,
            )
            if row["m"].kind == "literal"
        ),
        None,
    )
    return VoidStats(
        version=version,
        triples=int(first[0]["n"]),
        entities=int(entities[0]["n"]),
        classes={r["c"]: int(r["n"]) for r in _rows(dataset, COUNT_QUERIES["classes"])},
        properties={r["p"]: int(r["n"]) for r in _rows(dataset, COUNT_QUERIES["properties"])},
        graphs={g.value: dataset.count(g.value) for g in dataset.public_graphs()},
        linksets=linksets,
        modified=modified,
    )


class VoidCache:
    """Statistics of the current dataset version, computed once per version."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stats: VoidStats | None = None

    def stats(self, dataset: Dataset) -> VoidStats:
        with self._lock:
            version = dataset.version
            if self._stats is None or self._stats.version != version:
                self._stats = compute_stats(dataset)
            return self._stats


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
        linkset = NamedNode(
            f"{d.value}#linkset-{title.split()[0].lower()}-{predicate.rsplit('#', 1)[-1]}"
        )
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
