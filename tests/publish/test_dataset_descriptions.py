"""VoID counts, dumps, the JSON-LD context, the map and the programme diagram."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from pyoxigraph import NamedNode, QuerySolutions, RdfFormat, Store, parse
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from iqkg.publish.context import jsonld_context
from iqkg.publish.diagrams import STATE_CODES, network_map, programme_structure
from iqkg.publish.dumps import Dumps
from iqkg.publish.labels import Labels
from iqkg.publish.void import compute_stats, void_triples
from iqkg.rdf.convert import to_rdflib_graph
from iqkg.rdf.iris import VOID
from iqkg.store.dataset import Dataset, dataset_iri
from tests.publish.conftest import current_dumps, public_quads
from tests.support.rdf import canonical


def count(dataset: Dataset, query: str) -> int:
    result = dataset.query(query)
    assert isinstance(result, QuerySolutions)
    return int(next(iter(result))["n"].value)  # type: ignore[union-attr]


def test_void_counts_equal_sparql_counts(knowledge: Dataset) -> None:
    stats = compute_stats(knowledge)
    distinct = count(
        knowledge, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"
    )
    assert stats.triples == distinct
    for cls, entities in stats.classes.items():
        assert entities == count(
            knowledge, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{cls}> }}"
        ), cls
    programme_classes = [c for c in stats.classes if c.startswith(knowledge.iris.vocab)]
    assert len(programme_classes) >= 10


def test_void_graphs_and_version_are_those_of_the_store(knowledge: Dataset) -> None:
    """Counted by SPARQL (what the query workers run), checked against the store itself."""
    stats = compute_stats(knowledge)
    assert stats.version == knowledge.version
    assert stats.graphs == {g.value: knowledge.count(g.value) for g in knowledge.public_graphs()}
    assert stats.modified is not None


def test_void_graph_names_dumps_endpoint_licence_and_wikidata(knowledge: Dataset) -> None:
    stats = compute_stats(knowledge)
    graph = to_rdflib_graph(void_triples(stats, knowledge, "http://example.org/"))
    d = URIRef(dataset_iri(knowledge.iris))
    v = lambda local: URIRef(VOID + local)  # noqa: E731
    assert int(graph.value(d, v("triples"))) == stats.triples  # type: ignore[arg-type]
    assert graph.value(d, v("sparqlEndpoint")) == URIRef("http://example.org/sparql")
    assert len(list(graph.objects(d, v("dataDump")))) == 3
    assert (
        d,
        URIRef("http://purl.org/dc/terms/license"),
        URIRef("https://creativecommons.org/licenses/by/4.0/"),
    ) in graph
    linksets = list(graph.subjects(RDF.type, v("Linkset")))
    assert any(
        graph.value(ls, v("objectsTarget")) == URIRef("http://www.wikidata.org/") for ls in linksets
    )
    wikidata = next(
        ls
        for ls in linksets
        if graph.value(ls, v("objectsTarget")) == URIRef("http://www.wikidata.org/")
    )
    links = count(
        knowledge,
        "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o "
        'FILTER(STRSTARTS(STR(?o), "http://www.wikidata.org/entity/")) }',
    )
    assert int(graph.value(wikidata, v("triples"))) == links >= 16  # type: ignore[arg-type]
    vocabularies = set(graph.objects(d, v("vocabulary")))
    assert URIRef(knowledge.iris.vocab) in vocabularies


def test_dumps_reload_isomorphic(knowledge: Dataset, tmp_path: Path) -> None:
    dumps = current_dumps(Dumps(tmp_path / "dumps"), knowledge)
    assert dumps.version == knowledge.version
    expected = {
        g.value: [q.triple for q in knowledge.store.quads_for_pattern(None, None, None, g)]
        for g in knowledge.public_graphs()
    }
    for name, fmt in (("iqkg.nq.gz", RdfFormat.N_QUADS), ("iqkg.trig.gz", RdfFormat.TRIG)):
        found = dumps.file(name)
        assert found is not None
        store = Store()
        store.bulk_extend(parse(gzip.decompress(found.path.read_bytes()), format=fmt))
        for graph, triples in expected.items():
            got = [q.triple for q in store.quads_for_pattern(None, None, None, NamedNode(graph))]
            assert canonical(got) == canonical(triples), (name, graph)
        assert len(store) == len(public_quads(knowledge))
    union = dumps.file("iqkg.ttl")
    assert union is not None
    union_triples = [q.triple for q in parse(path=str(union.path), format=RdfFormat.TURTLE)]
    assert canonical(union_triples) == canonical(q.triple for q in public_quads(knowledge))


def test_dumps_are_reused_until_the_version_changes(knowledge: Dataset, tmp_path: Path) -> None:
    dumps = Dumps(tmp_path)
    first = current_dumps(dumps, knowledge)
    assert current_dumps(dumps, knowledge).generated == first.generated
    assert [p.name for p in tmp_path.iterdir()] == [knowledge.version]


def test_context_covers_every_own_term(knowledge: Dataset, ontology: Graph) -> None:
    context = jsonld_context(knowledge)["@context"]
    vocab = knowledge.iris.vocab
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        for term in ontology.subjects(RDF.type, kind):
            if str(term).startswith(vocab):
                assert str(term)[len(vocab) :] in context, term
    document = {
        "@context": context,
        "@id": "https://w3id.org/iqkg/id/network/bayern",
        "@type": "RegionalNetwork",
        "coversFederalState": "https://w3id.org/iqkg/id/federal-state/bayern",
        "label": {"de": "IQ-Landesnetzwerk in Bayern"},
    }
    graph = Graph().parse(data=json.dumps(document), format="json-ld")
    network = URIRef("https://w3id.org/iqkg/id/network/bayern")
    assert (network, RDF.type, URIRef(vocab + "RegionalNetwork")) in graph
    assert (
        network,
        URIRef(vocab + "coversFederalState"),
        URIRef("https://w3id.org/iqkg/id/federal-state/bayern"),
    ) in graph


def test_map_links_every_state_to_its_network(knowledge: Dataset) -> None:
    drawn = network_map(Labels(knowledge), "de", "https://w3id.org/iqkg/id/network/bayern")
    assert len(drawn.states) == 16 == len(STATE_CODES)
    for state in drawn.states:
        assert state.path, state.code
        assert state.href == f"/id/network/{STATE_CODES[state.code]}", state.code
    assert [s.code for s in drawn.states if s.current] == ["by"]


def test_programme_structure_shows_every_part(knowledge: Dataset) -> None:
    svg = programme_structure(Labels(knowledge), "en", "https://w3id.org/iqkg/id/programme/iq")
    assert svg is not None
    for href in (
        "/id/project/kp-iq",
        "/id/network/bayern",
        "/id/competence-centre/anerkennung",
        "/id/action-field/anerkennung",
    ):
        assert f'href="{href}"' in svg
    assert svg.count('class="node part"') == 16 + 5
