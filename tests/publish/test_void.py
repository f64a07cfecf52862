"""publish/void.py: statistics with set semantics over the public union (the counts of a
small dataset built here, so each expected number follows from its quads), the VoID/DCAT
triples made of them (the cache per version is the server's, tests/server/test_worker_reads.py)."""

from __future__ import annotations

import pytest
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, QuerySolutions, Store, Triple

from iqkg.publish.dumps import DUMP_FORMATS
from iqkg.publish.void import (
    LINK_PREDICATES,
    LINK_TARGETS,
    VoidStats,
    compute_stats,
    stats_from_rows,
    void_triples,
)
from iqkg.rdf.iris import DCTERMS, OWL, RDF, SKOS, VOID, XSD, IriScheme
from iqkg.store.dataset import Dataset, dataset_iri

BASE = "https://data.example.org/kg/"
IRIS = IriScheme(BASE)
A, B = IRIS.resource("project", "a"), IRIS.resource("project", "b")
PROGRAMME = IRIS.resource("programme", "iq")
PROJECT, PERSON = IRIS.term("Project"), IRIS.term("Person")
NAME = IRIS.term("name")
WD = "http://www.wikidata.org/entity/"


def _quad(s: str, p: str, o: str | Literal, graph: str | None) -> Quad:
    obj = o if isinstance(o, Literal) else NamedNode(o)
    return Quad(NamedNode(s), NamedNode(p), obj, NamedNode(graph) if graph else DefaultGraph())


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    curated, submission = IRIS.graph("curated"), IRIS.graph("submission/s1")
    hidden = IRIS.graph("private/p")
    data = Dataset.open(None, IRIS)
    data.store.extend(
        [
            _quad(A, RDF + "type", PROJECT, curated),
            _quad(A, RDF + "type", PROJECT, submission),  # the same triple twice: counts once
            _quad(A, NAME, Literal("A"), curated),
            _quad(B, RDF + "type", PROJECT, submission),
            _quad(B, RDF + "type", PERSON, submission),
            _quad(A, SKOS + "exactMatch", WD + "Q1", curated),
            _quad(B, SKOS + "exactMatch", WD + "Q2", curated),
            _quad(B, OWL + "sameAs", "https://d-nb.info/gnd/123", curated),
            _quad(A, SKOS + "exactMatch", "https://example.org/elsewhere", curated),
            # hidden: never counted
            _quad(IRIS.resource("project", "c"), RDF + "type", PROJECT, hidden),
            _quad(A, NAME, Literal("secret"), hidden),
            # the version and modification, in graph/meta
            _quad(dataset_iri(IRIS), OWL + "versionInfo", Literal("v7"), IRIS.graph("meta")),
            _quad(
                dataset_iri(IRIS),
                DCTERMS + "modified",
                Literal("2026-01-02T03:04:05Z", datatype=NamedNode(XSD + "dateTime")),
                IRIS.graph("meta"),
            ),
        ]
    )
    data.store.add_graph(NamedNode(IRIS.graph("empty")))
    return data


def test_counts_are_distinct_over_the_public_union(dataset: Dataset) -> None:
    stats = compute_stats(dataset)
    # 9 curated/submission quads with one duplicate → 8 triples, plus 2 in graph/meta
    assert stats.triples == 8 + 2
    assert stats.entities == 2  # A and B; c is hidden
    assert stats.classes == {PROJECT: 2, PERSON: 1}
    assert stats.properties == {RDF + "type": 3, NAME: 1, SKOS + "exactMatch": 3,
                                OWL + "sameAs": 1, OWL + "versionInfo": 1,
                                DCTERMS + "modified": 1}  # fmt: skip
    assert stats.graphs == {
        IRIS.graph("curated"): 6,
        IRIS.graph("submission/s1"): 3,
        IRIS.graph("meta"): 2,
        IRIS.graph("empty"): 0,
    }
    assert (stats.version, stats.modified) == ("v7", "2026-01-02T03:04:05Z")


def test_links_counted_per_target_and_predicate(dataset: Dataset) -> None:
    stats = compute_stats(dataset)
    assert stats.linksets == {
        ("http://www.wikidata.org/", SKOS + "exactMatch"): 2,
        ("https://d-nb.info/gnd/", OWL + "sameAs"): 1,
    }


def test_empty_answers_mean_version_zero_and_no_modification() -> None:
    rows = {
        "triples": [{"n": "0"}],
        "entities": [{"n": "0"}],
        "classes": [],
        "properties": [],
        "graphs": [],
        "links": [],
        "version": [],
        "modified": [],
    }
    stats = stats_from_rows(rows)
    assert (stats.version, stats.modified, stats.triples, stats.linksets) == ("0", None, 0, {})
    assert compute_stats(Dataset.open(None, IRIS)) == stats


def _select(triples: list[Triple], query: str) -> list[tuple[str, ...]]:
    store = Store()
    store.extend(Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples)
    result = store.query(f"PREFIX void: <{VOID}> PREFIX dcat: <http://www.w3.org/ns/dcat#> {query}")
    assert isinstance(result, QuerySolutions)
    return sorted(tuple(term.value for term in row) for row in result)


def test_void_states_the_statistics(dataset: Dataset) -> None:
    stats = compute_stats(dataset)
    triples = void_triples(stats, dataset, "https://kg.example.net/")
    d = dataset_iri(IRIS)
    counts = _select(
        triples,
        f"SELECT ?t ?e ?c ?p WHERE {{ <{d}> void:triples ?t ; void:entities ?e ; "
        "void:classes ?c ; void:properties ?p }",
    )
    assert counts == [tuple(str(n) for n in (stats.triples, stats.entities, 2, 6))]
    partitions = _select(
        triples,
        f"SELECT ?c ?n WHERE {{ <{d}> void:classPartition [ void:class ?c ; void:entities ?n ] }}",
    )
    assert partitions == sorted((c, str(n)) for c, n in stats.classes.items())
    subsets = _select(
        triples,
        f"SELECT ?g ?n WHERE {{ <{d}> void:subset ?g . ?g a void:Dataset ; void:triples ?n }}",
    )
    assert subsets == sorted((g, str(n)) for g, n in stats.graphs.items())
    linksets = _select(
        triples,
        f"SELECT ?target ?p ?n WHERE {{ <{d}> void:subset ?l . ?l a void:Linkset ; "
        "void:objectsTarget ?target ; void:linkPredicate ?p ; void:triples ?n }",
    )
    assert linksets == sorted((t, p, str(n)) for (t, p), n in stats.linksets.items())
    assert {t for t, _, _ in LINK_TARGETS} >= {t for t, _, _ in linksets}


def test_void_links_to_this_server(dataset: Dataset) -> None:
    triples = void_triples(compute_stats(dataset), dataset, "https://kg.example.net/")
    d = dataset_iri(IRIS)
    assert _select(triples, f"SELECT ?e WHERE {{ <{d}> void:sparqlEndpoint ?e }}") == [
        ("https://kg.example.net/sparql",)
    ]
    dumps = _select(triples, f"SELECT ?u WHERE {{ <{d}> void:dataDump ?u }}")
    assert dumps == sorted((f"https://kg.example.net/dumps/{f.name}",) for f in DUMP_FORMATS)
    assert _select(triples, f"SELECT ?s WHERE {{ <{d}> void:uriSpace ?s }}") == [(BASE + "id/",)]


def test_hostile_site_gives_way_to_the_base(dataset: Dataset) -> None:
    triples = void_triples(compute_stats(dataset), dataset, "https://evil host")
    d = dataset_iri(IRIS)
    assert _select(triples, f"SELECT ?e WHERE {{ <{d}> void:sparqlEndpoint ?e }}") == [
        (BASE + "sparql",)
    ]


def test_example_resource_only_when_the_programme_is_there(dataset: Dataset) -> None:
    query = f"SELECT ?r WHERE {{ <{dataset_iri(IRIS)}> void:exampleResource ?r }}"
    assert _select(void_triples(compute_stats(dataset), dataset, BASE), query) == []
    with_programme = Dataset.open(None, IRIS)
    with_programme.store.add(_quad(PROGRAMME, RDF + "type", PROJECT, IRIS.graph("curated")))
    stats = compute_stats(with_programme)
    assert _select(void_triples(stats, with_programme, BASE), query) == [(PROGRAMME,)]


def test_vocabularies_are_the_namespaces_used(dataset: Dataset) -> None:
    triples = void_triples(compute_stats(dataset), dataset, BASE)
    vocabularies = _select(
        triples, f"SELECT ?v WHERE {{ <{dataset_iri(IRIS)}> void:vocabulary ?v }}"
    )
    assert vocabularies == sorted((ns,) for ns in {RDF, IRIS.vocab, SKOS, OWL, DCTERMS})


def test_each_linkset_has_an_iri_of_its_own() -> None:
    """owl:sameAs and schema:sameAs share their local name; the IRIs must not (and a
    fragment is no place for a whole IRI)."""
    stats = VoidStats("v1", 0, 0, {}, {}, {})
    stats.linksets = {("http://www.wikidata.org/", p): 1 for p in LINK_PREDICATES}
    linksets = {
        t.subject.value
        for t in void_triples(stats, Dataset.open(None, IRIS), "https://kg.example.net/")
        if t.object == NamedNode(VOID + "Linkset")
    }
    assert len(linksets) == len(LINK_PREDICATES)
    assert all("/" not in iri.split("#", 1)[1] for iri in linksets), linksets
