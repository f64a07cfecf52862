"""publish/rdf_output.py: the same triples in every graph syntax, Turtle with the
installation's prefixes, JSON-LD compacted when a context is given, dataset syntaxes
refused."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from iqkg.publish.rdf_output import serialize_triples
from iqkg.rdf.formats import GRAPH_SYNTAXES, JSON_LD, N_QUADS, TRIG, TURTLE, RdfSyntax
from iqkg.rdf.iris import RDFS, IriScheme

IRIS = IriScheme("https://data.example.org/kg/")
THING = ox.NamedNode(IRIS.resource("project", "a"))
TRIPLES = [
    ox.Triple(THING, ox.NamedNode(RDFS + "label"), ox.Literal("Projekt A", language="de")),
    ox.Triple(
        THING, ox.NamedNode(IRIS.term("partOf")), ox.NamedNode(IRIS.resource("programme", "iq"))
    ),
]


@pytest.mark.parametrize("syntax", GRAPH_SYNTAXES, ids=lambda s: s.name)
def test_every_graph_syntax_parses_back_to_the_triples(syntax: RdfSyntax) -> None:
    data = serialize_triples([*TRIPLES, TRIPLES[0]], syntax, IRIS)
    assert {q.triple for q in ox.parse(data, format=syntax.format)} == set(TRIPLES)


def test_turtle_uses_the_installations_prefixes() -> None:
    text = serialize_triples(TRIPLES, TURTLE, IRIS).decode()
    assert f"@prefix iq: <{IRIS.vocab}>" in text and "iq:partOf" in text
    assert "rdfs:label" in text


def test_output_does_not_depend_on_the_order_given() -> None:
    assert serialize_triples(TRIPLES, TURTLE, IRIS) == serialize_triples(
        TRIPLES[::-1], TURTLE, IRIS
    )


def test_json_ld_compacted_with_a_context_means_the_same() -> None:
    context = {
        "label": {"@id": RDFS + "label", "@container": "@language"},
        "partOf": {"@id": IRIS.term("partOf"), "@type": "@id"},
    }
    data = serialize_triples(TRIPLES, JSON_LD, IRIS, context=context)
    document = json.loads(data)
    assert document["label"] == {"de": "Projekt A"}
    assert document["partOf"] == IRIS.resource("programme", "iq")
    assert {q.triple for q in ox.parse(data, format=ox.RdfFormat.JSON_LD)} == set(TRIPLES)


def test_json_ld_of_nothing_is_an_empty_document() -> None:
    assert json.loads(serialize_triples([], JSON_LD, IRIS)) == []


@pytest.mark.parametrize("syntax", [TRIG, N_QUADS], ids=lambda s: s.name)
def test_dataset_syntaxes_are_refused(syntax: RdfSyntax) -> None:
    with pytest.raises(ValueError, match="dataset syntax"):
        serialize_triples(TRIPLES, syntax, IRIS)
