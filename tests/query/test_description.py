"""query/description.py: the Service Description states what the endpoint does for the
store it is given: public graphs with their sizes, never hidden ones, the union default
graph only when queries see it, the update service only when writes are enabled."""

from __future__ import annotations

import pytest
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, QuerySolutions, Store, Triple, parse

from iqkg.query.description import (
    GRAPH_STORE_PROTOCOL,
    RESULT_FORMATS,
    serialize_description,
    service_description,
)
from iqkg.rdf.formats import GRAPH_SYNTAXES
from iqkg.rdf.iris import SD, VOID, IriScheme

BASE = "https://data.example.org/kg/"
IRIS = IriScheme(BASE)
EX = "https://example.org/"
SIZES = {IRIS.graph("curated"): 3, IRIS.graph("ontology"): 2, IRIS.graph("submission/s1"): 1}
HIDDEN = {IRIS.graph("archive/s1/1"): 4, IRIS.graph("private/p"): 5}
STORED_DEFAULT = 2


def _store() -> Store:
    store = Store()
    for graph, size in {**SIZES, **HIDDEN}.items():
        for i in range(size):
            store.add(
                Quad(NamedNode(EX + "s"), NamedNode(EX + "p"), Literal(str(i)), NamedNode(graph))
            )
    for i in range(STORED_DEFAULT):
        store.add(Quad(NamedNode(EX + "d"), NamedNode(EX + "p"), Literal(str(i)), DefaultGraph()))
    return store


def _described(triples: list[Triple]) -> Store:
    described = Store()
    described.extend(Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples)
    return described


def _select(store: Store, query: str) -> list[tuple[str, ...]]:
    result = store.query(f"PREFIX sd: <{SD}> PREFIX void: <{VOID}> " + query)
    assert isinstance(result, QuerySolutions)
    return sorted(tuple(term.value for term in row) for row in result)


@pytest.fixture(scope="module")
def store() -> Store:
    return _store()


def test_named_graphs_are_the_public_ones_with_their_sizes(store: Store) -> None:
    described = _described(service_description(store, IRIS, BASE + "sparql"))
    rows = _select(
        described,
        "SELECT DISTINCT ?name ?n WHERE { ?svc sd:defaultDataset/sd:namedGraph ?g . "
        "?g sd:name ?name ; sd:graph/void:triples ?n }",
    )
    assert rows == sorted((g, str(n)) for g, n in SIZES.items())


@pytest.mark.parametrize(
    ("union", "expected"), [(True, STORED_DEFAULT + sum(SIZES.values())), (False, STORED_DEFAULT)]
)
def test_default_graph_size_follows_the_union_setting(
    store: Store, union: bool, expected: int
) -> None:
    endpoint = BASE + "sparql"
    described = _described(service_description(store, IRIS, endpoint, union_default=union))
    rows = _select(
        described,
        f"SELECT ?n WHERE {{ <{endpoint}> sd:defaultDataset/sd:defaultGraph/void:triples ?n }}",
    )
    assert rows == [(str(expected),)]
    features = _select(described, f"SELECT ?f WHERE {{ <{endpoint}> sd:feature ?f }}")
    assert ((SD + "UnionDefaultGraph",) in features) is union
    assert (SD + "EmptyGraphs",) in features


def test_services_beside_the_query_endpoint(store: Store) -> None:
    endpoint = "https://kg.example.net/api/sparql"
    root = "https://kg.example.net/api/"
    for update in (False, True):
        described = _described(service_description(store, IRIS, endpoint, update=update))
        services = _select(described, "SELECT ?s WHERE { ?s a sd:Service ; sd:endpoint ?s }")
        expected = {endpoint, root + "store", *([root + "update"] if update else [])}
        assert {s for (s,) in services} == expected
        languages = _select(described, "SELECT ?s ?l WHERE { ?s sd:supportedLanguage ?l }")
        assert (endpoint, SD + "SPARQL11Query") in languages
        assert ((root + "update", SD + "SPARQL11Update") in languages) is update
        conforms = _select(
            described,
            "SELECT ?s WHERE { ?s <http://purl.org/dc/terms/conformsTo> ?c }",
        )
        assert conforms == [(root + "store",)]
        # every service describes the one dataset
        datasets = _select(described, "SELECT DISTINCT ?d WHERE { ?s sd:defaultDataset ?d }")
        assert len(datasets) == 1


def test_hostile_endpoint_gives_way_to_the_base(store: Store) -> None:
    described = _described(service_description(store, IRIS, "http://evil host/sparql"))
    services = _select(described, "SELECT ?s WHERE { ?s sd:endpoint ?s }")
    assert (BASE + "sparql",) in services


def test_formats_and_federation(store: Store) -> None:
    endpoint = BASE + "sparql"
    for federated in (False, True):
        described = _described(service_description(store, IRIS, endpoint, federated=federated))
        formats = _select(described, f"SELECT ?f WHERE {{ <{endpoint}> sd:resultFormat ?f }}")
        assert len(formats) == len(RESULT_FORMATS)
        features = _select(described, f"SELECT ?f WHERE {{ <{endpoint}> sd:feature ?f }}")
        assert ((SD + "BasicFederatedQuery",) in features) is federated


def test_empty_store() -> None:
    triples = service_description(Store(), IRIS, BASE + "sparql")
    described = _described(triples)
    assert _select(described, "SELECT ?g WHERE { ?d sd:namedGraph ?g }") == []
    assert _select(described, "SELECT ?n WHERE { ?d sd:defaultGraph/void:triples ?n }") == [("0",)]


@pytest.mark.parametrize("syntax", GRAPH_SYNTAXES, ids=lambda s: s.name)
def test_serialisation_parses_back(store: Store, syntax: object) -> None:
    triples = service_description(store, IRIS, BASE + "sparql")
    data = serialize_description(triples, syntax)  # type: ignore[arg-type]
    assert len(list(parse(data, format=syntax.format))) == len(set(triples))  # type: ignore[attr-defined]
    assert GRAPH_STORE_PROTOCOL.encode() in data
