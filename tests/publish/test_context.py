"""publish/context.py: the JSON-LD ``@context`` made from the ontology graph. A document
written with it expands (by pyoxigraph's JSON-LD parser) to the IRIs and datatypes the
ontology declares; terms of other vocabularies get no short name."""

from __future__ import annotations

import json
from itertools import count

import pytest
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Triple, parse

from iqkg.publish.context import jsonld_context
from iqkg.rdf.iris import OWL, RDF, RDFS, XSD, IriScheme, prefixes
from iqkg.store.dataset import Dataset, dataset_iri

IRIS = IriScheme("https://data.example.org/kg/")
IQ = IRIS.vocab
EX = "https://example.org/"
_versions = count()

ONTOLOGY = [
    (IQ + "Project", RDF + "type", OWL + "Class"),
    (EX + "Foreign", RDF + "type", OWL + "Class"),
    (IQ + "partOf", RDF + "type", OWL + "ObjectProperty"),
    (IQ + "startYear", RDF + "type", OWL + "DatatypeProperty"),
    (IQ + "startYear", RDFS + "range", XSD + "gYear"),
    (IQ + "title", RDF + "type", OWL + "DatatypeProperty"),
    (IQ + "title", RDFS + "range", RDF + "PlainLiteral"),
    (IQ + "motto", RDF + "type", OWL + "DatatypeProperty"),
    (IQ + "motto", RDFS + "range", RDF + "langString"),
    (IQ + "note", RDF + "type", OWL + "DatatypeProperty"),  # no range: plain values
    (EX + "foreignProperty", RDF + "type", OWL + "ObjectProperty"),
]


def _dataset(facts: list[tuple[str, str, str]] = ONTOLOGY) -> Dataset:
    """An ontology in graph/ontology, under a version no other test uses (the context is
    cached per base and version)."""
    dataset = Dataset.open(None, IRIS)
    graph = NamedNode(IRIS.graph("ontology"))
    dataset.store.extend(Quad(NamedNode(s), NamedNode(p), NamedNode(o), graph) for s, p, o in facts)
    dataset.store.add(
        Quad(
            NamedNode(dataset_iri(IRIS)),
            NamedNode(OWL + "versionInfo"),
            Literal(f"context-test-{next(_versions)}"),
            NamedNode(IRIS.graph("meta")),
        )
    )
    return dataset


@pytest.fixture(scope="module")
def context() -> dict[str, object]:
    return jsonld_context(_dataset())


def test_terms_of_the_ontology(context: dict[str, object]) -> None:
    terms = context["@context"]
    assert isinstance(terms, dict)
    assert terms["Project"] == IQ + "Project"
    assert terms["partOf"] == {"@id": IQ + "partOf", "@type": "@id"}
    assert terms["startYear"] == {"@id": IQ + "startYear", "@type": XSD + "gYear"}
    assert terms["title"] == {"@id": IQ + "title", "@container": "@language"}
    assert terms["motto"] == {"@id": IQ + "motto", "@container": "@language"}
    assert terms["note"] == {"@id": IQ + "note"}
    assert "Foreign" not in terms and "foreignProperty" not in terms
    for prefix, namespace in prefixes(IRIS).items():
        assert terms[prefix] == namespace


def test_a_document_expands_as_the_ontology_says(context: dict[str, object]) -> None:
    thing = IRIS.resource("project", "kp-iq")
    document = {
        **context,
        "id": thing,
        "type": "Project",
        "partOf": IRIS.resource("programme", "iq"),
        "startYear": "2011",
        "title": {"de": "Kompetenzzentrum", "en": "Competence centre"},
        "label": {"en": "KP IQ"},
        "note": "plain",
        "skos:notation": "KP",
    }
    found = {q.triple for q in parse(json.dumps(document).encode(), format=RdfFormat.JSON_LD)}
    s = NamedNode(thing)
    assert found == {
        Triple(s, NamedNode(RDF + "type"), NamedNode(IQ + "Project")),
        Triple(s, NamedNode(IQ + "partOf"), NamedNode(IRIS.resource("programme", "iq"))),
        Triple(s, NamedNode(IQ + "startYear"), Literal("2011", datatype=NamedNode(XSD + "gYear"))),
        Triple(s, NamedNode(IQ + "title"), Literal("Kompetenzzentrum", language="de")),
        Triple(s, NamedNode(IQ + "title"), Literal("Competence centre", language="en")),
        Triple(s, NamedNode(RDFS + "label"), Literal("KP IQ", language="en")),
        Triple(s, NamedNode(IQ + "note"), Literal("plain")),
        Triple(s, NamedNode("http://www.w3.org/2004/02/skos/core#notation"), Literal("KP")),
    }


def test_rebuilt_for_a_new_version() -> None:
    first = jsonld_context(_dataset())
    fewer = jsonld_context(_dataset(ONTOLOGY[:1]))
    assert "partOf" in first["@context"] and "partOf" not in fewer["@context"]
    assert "Project" in fewer["@context"]


def test_same_version_is_answered_from_the_cache() -> None:
    dataset = _dataset()
    assert jsonld_context(dataset) is jsonld_context(dataset)
