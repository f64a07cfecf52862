"""The SPARQL 1.1 Service Description of the endpoint (W3C SPARQL 1.1 Service Description).

Generated from what the endpoint really does (formats from :mod:`iqkg.rdf.formats`, the
public graphs with their sizes from the store), so it cannot drift from the code.
"""

from __future__ import annotations

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    QuerySolutions,
    Store,
    Triple,
    serialize,
)

from iqkg.rdf.formats import RdfSyntax
from iqkg.rdf.iris import DCTERMS, RDF, SD, VOID, XSD, IriScheme, usable_origin
from iqkg.store.dataset import public_graphs

FORMATS = "http://www.w3.org/ns/formats/"
ENTAILMENT = "http://www.w3.org/ns/entailment/"

#: Result formats by their W3C format IRI (http://www.w3.org/ns/formats/).
RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)

_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def _graph_sizes(store: Store) -> dict[str, int]:
    result = store.query(_COUNTS)
    assert isinstance(result, QuerySolutions)
    sizes: dict[str, int] = {}
    for row in result:
        graph, count = row["g"], row["n"]
        if isinstance(graph, NamedNode) and isinstance(count, Literal):
            sizes[graph.value] = int(count.value)
    return sizes


#: What the Graph Store Protocol service conforms to (no sd: term exists for it).
GRAPH_STORE_PROTOCOL = "http://www.w3.org/TR/sparql11-http-rdf-update/"


def service_description(
    store: Store,
    iris: IriScheme,
    endpoint: str,
    *,
    federated: bool = False,
    union_default: bool = True,
    update: bool = False,
) -> list[Triple]:
    """Triples describing the endpoint at ``endpoint`` and its default dataset.

    An ``endpoint`` that is not a valid IRI (the request's URL with a hostile ``Host``
    header) gives way to ``{base}sparql``, which the identifier service redirects here.
    Beside the query service, the description names the Graph Store Protocol service
    (``/store``) and, when the operator enabled writes (``update``), the update service
    (``/update``), both over the same dataset. ``sd:UnionDefaultGraph`` is claimed only
    when queries see the union as their default graph."""
    service = NamedNode(usable_origin(endpoint, iris.base + "sparql"))
    a = NamedNode(RDF + "type")
    features = ["EmptyGraphs", *(["UnionDefaultGraph"] if union_default else [])]
    triples = [
        Triple(service, a, NamedNode(SD + "Service")),
        Triple(service, NamedNode(SD + "endpoint"), service),
        Triple(service, NamedNode(SD + "supportedLanguage"), NamedNode(SD + "SPARQL11Query")),
        *(Triple(service, NamedNode(SD + "feature"), NamedNode(SD + f)) for f in features),
        Triple(
            service, NamedNode(SD + "defaultEntailmentRegime"), NamedNode(ENTAILMENT + "Simple")
        ),
        Triple(
            service,
            NamedNode(DCTERMS + "title"),
            Literal("iqkg: Integration durch Qualifizierung (IQ) knowledge graph", language="en"),
        ),
    ]
    if federated:
        triples.append(
            Triple(service, NamedNode(SD + "feature"), NamedNode(SD + "BasicFederatedQuery"))
        )
    triples += [
        Triple(service, NamedNode(SD + "resultFormat"), NamedNode(FORMATS + name))
        for name in RESULT_FORMATS
    ]
    dataset, default_graph = BlankNode(), BlankNode()
    sizes = _graph_sizes(store)
    stored_default = sum(1 for _ in store.quads_for_pattern(None, None, None, DefaultGraph()))
    public = public_graphs(store, iris)
    triples += [
        Triple(service, NamedNode(SD + "defaultDataset"), dataset),
        Triple(dataset, a, NamedNode(SD + "Dataset")),
        Triple(dataset, NamedNode(SD + "defaultGraph"), default_graph),
        Triple(default_graph, a, NamedNode(SD + "Graph")),
        Triple(
            default_graph,
            NamedNode(VOID + "triples"),
            _integer(
                stored_default + sum(sizes.get(g.value, 0) for g in public)
                if union_default
                else stored_default
            ),
        ),
    ]
    root = service.value.removesuffix("sparql")
    siblings: list[tuple[NamedNode, NamedNode | None]] = [(NamedNode(root + "store"), None)]
    if update:
        siblings.append((NamedNode(root + "update"), NamedNode(SD + "SPARQL11Update")))
    for sibling, language in siblings:
        triples += [
            Triple(sibling, a, NamedNode(SD + "Service")),
            Triple(sibling, NamedNode(SD + "endpoint"), sibling),
            Triple(sibling, NamedNode(SD + "defaultDataset"), dataset),
            *(Triple(sibling, NamedNode(SD + "feature"), NamedNode(SD + f)) for f in features),
        ]
        if language is None:
            triples.append(
                Triple(sibling, NamedNode(DCTERMS + "conformsTo"), NamedNode(GRAPH_STORE_PROTOCOL))
            )
        else:
            triples.append(Triple(sibling, NamedNode(SD + "supportedLanguage"), language))
    for graph in public:
        named, description = BlankNode(), BlankNode()
        triples += [
            Triple(dataset, NamedNode(SD + "namedGraph"), named),
            Triple(named, a, NamedNode(SD + "NamedGraph")),
            Triple(named, NamedNode(SD + "name"), graph),
            Triple(named, NamedNode(SD + "graph"), description),
            Triple(description, a, NamedNode(SD + "Graph")),
            Triple(description, NamedNode(VOID + "triples"), _integer(sizes.get(graph.value, 0))),
        ]
    return triples


def _integer(value: int) -> Literal:
    return Literal(str(value), datatype=NamedNode(XSD + "integer"))


def serialize_description(triples: list[Triple], syntax: RdfSyntax) -> bytes:
    prefixes = {"sd": SD, "formats": FORMATS, "void": VOID, "dcterms": DCTERMS}
    return serialize(triples, format=syntax.format, prefixes=prefixes) or b""
