"""Descriptions hold a resource's own triples, the triples pointing at it, and labels."""

from __future__ import annotations

import pytest
from pyoxigraph import NamedNode
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF

from iqkg.publish.describe import describe, description_triples
from iqkg.publish.labels import Labels
from iqkg.publish.pages import PageBuilder
from iqkg.rdf.convert import to_rdflib_graph
from iqkg.store.dataset import Dataset


def sample_per_class(curated: Graph) -> list[URIRef]:
    """The first instance (by IRI) of every class the curated data uses."""
    by_class: dict[str, URIRef] = {}
    for s, _, c in sorted(curated.triples((None, RDF.type, None))):
        if isinstance(s, URIRef):
            by_class.setdefault(str(c), s)
    return sorted(set(by_class.values()))


def test_every_sampled_resource_is_described_completely(knowledge: Dataset, curated: Graph) -> None:
    samples = sample_per_class(curated)
    assert len(samples) >= 10
    for iri in samples:
        description = describe(knowledge, str(iri))
        assert description is not None, iri
        got = to_rdflib_graph(description_triples(knowledge, description))
        for triple in curated.triples((iri, None, None)):
            assert triple in got, (iri, triple)
        for triple in curated.triples((None, None, iri)):
            if isinstance(triple[0], BNode):  # an owl:Axiom source annotation: blank nodes
                continue  # of two parses never compare equal; tests/knowledge checks them
            assert triple in got, (iri, triple)


def test_labels_of_linked_resources_are_included(knowledge: Dataset) -> None:
    iri = "https://w3id.org/iqkg/id/network/bayern"
    description = describe(knowledge, iri)
    assert description is not None
    got = to_rdflib_graph(description_triples(knowledge, description))
    state = URIRef("https://w3id.org/iqkg/id/federal-state/bayern")
    labels = {
        str(o) for o in got.objects(state, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))
    }
    assert {"Bayern", "Bavaria"} <= labels


def test_inferred_statements_are_left_out(knowledge: Dataset) -> None:
    iri = "https://w3id.org/iqkg/id/network/bayern"
    description = describe(knowledge, iri)
    assert description is not None
    inferred = knowledge.iris.graph("inferred")
    assert all(inferred not in f.graphs for f in description.outgoing)
    # ... though the closure has them: the inverse of coversFederalState, say
    assert any(
        True
        for _ in knowledge.store.quads_for_pattern(
            None,
            NamedNode(knowledge.iris.term("hasRegionalNetwork")),
            NamedNode(iri),
            NamedNode(inferred),
        )
    )


def test_unknown_iri_has_no_description(knowledge: Dataset) -> None:
    assert describe(knowledge, "https://w3id.org/iqkg/id/network/atlantis") is None


@pytest.mark.parametrize(
    "lang,label", [("de", "IQ-Landesnetzwerk in Bayern"), ("en", "IQ regional network in Bavaria")]
)
def test_page_in_the_readers_language(knowledge: Dataset, lang: str, label: str) -> None:
    description = describe(knowledge, "https://w3id.org/iqkg/id/network/bayern")
    assert description is not None
    page = PageBuilder(Labels(knowledge), lang).page(description)
    assert page.label.value == label and page.label.lang == lang
    covers = next(r for r in page.rows if r.predicate.endswith("#coversFederalState"))
    assert covers.label.lang == lang
    assert covers.values[0].href == "/id/federal-state/bayern"
    assert covers.href == "/def.html#coversFederalState"
    assert page.sources and page.sources[0].href == "/id/source/kp-iq-2011-2014"
    assert page.describe_href.startswith("/sparql?query=DESCRIBE%20%3Chttps%3A")
    assert '"RegionalNetwork"' not in page.schema_jsonld
    assert "GovernmentOrganization" not in page.schema_jsonld


def test_incoming_links_are_grouped_by_property(knowledge: Dataset) -> None:
    description = describe(knowledge, "https://w3id.org/iqkg/id/programme/iq")
    assert description is not None
    page = PageBuilder(Labels(knowledge), "en").page(description)
    parts = next(r for r in page.incoming if r.predicate.endswith("#partOfProgramme"))
    assert len(parts.values) >= 16 + 5
    assert len({r.predicate for r in page.incoming}) == len(page.incoming)


@pytest.mark.parametrize(
    "iri",
    [
        "https://w3id.org/iqkg/id/a b",
        "https://w3id.org/iqkg/id/a%zz",
        "https://w3id.org/iqkg/id/network/bayern\x00",
        "id/network/bayern",
    ],
)
def test_an_invalid_iri_has_no_description(knowledge: Dataset, iri: str) -> None:
    assert describe(knowledge, iri) is None
