"""rdf/convert.py: terms and triples survive the way pyoxigraph → rdflib → pyoxigraph
unchanged (RDF 1.1 term equality), and N-Triples keep blank-node identity."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef

from iqkg.rdf.convert import (
    ParsedOnUse,
    canonical_triples,
    from_ntriples,
    to_ntriples,
    to_oxigraph_term,
    to_oxigraph_triples,
    to_rdflib_graph,
    to_rdflib_term,
)
from iqkg.rdf.iris import XSD

EX = "https://example.org/"

TERMS: list[ox.NamedNode | ox.BlankNode | ox.Literal] = [
    ox.NamedNode(EX + "a"),
    ox.NamedNode("urn:x:ü"),
    ox.BlankNode("b0"),
    ox.Literal("plain"),
    ox.Literal(""),
    ox.Literal("Projekt", language="de"),
    ox.Literal("project", language="en-GB"),
    ox.Literal("2011", datatype=ox.NamedNode(XSD + "gYear")),
    ox.Literal("42", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("1.50", datatype=ox.NamedNode(XSD + "decimal")),
    ox.Literal("not a number", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("x", datatype=ox.NamedNode(EX + "customType")),
    ox.Literal('line\nbreak "quoted" \\ tab\t'),
]


@pytest.mark.parametrize("term", TERMS, ids=[str(t) for t in TERMS])
def test_term_round_trip(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> None:
    assert to_oxigraph_term(to_rdflib_term(term)) == term


@pytest.mark.parametrize("term", TERMS, ids=[str(t) for t in TERMS])
def test_rdflib_term_keeps_lexical_form(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> None:
    converted = to_rdflib_term(term)
    assert str(converted) == term.value
    if isinstance(term, ox.Literal):
        assert isinstance(converted, Literal)
        assert converted.language == term.language
        if term.language:
            assert converted.datatype is None
        elif term.datatype.value == XSD + "string":
            assert converted.datatype is None  # a simple literal in rdflib, equal to the typed one
        else:
            assert str(converted.datatype) == term.datatype.value


def test_rdflib_terms_map_to_the_right_kinds() -> None:
    assert to_oxigraph_term(URIRef(EX + "s")) == ox.NamedNode(EX + "s")
    assert to_oxigraph_term(BNode("n1")) == ox.BlankNode("n1")
    assert to_oxigraph_term(Literal("x", datatype=URIRef(XSD + "string"))) == ox.Literal("x")
    assert to_oxigraph_term(Literal(7)) == ox.Literal("7", datatype=ox.NamedNode(XSD + "integer"))


def test_triple_terms_are_refused() -> None:
    quoted = ox.Triple(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.NamedNode(EX + "o"))
    with pytest.raises(TypeError, match="RDF-star"):
        to_rdflib_term(quoted)
    with pytest.raises(TypeError):
        to_oxigraph_term("not a term")  # type: ignore[arg-type]


def _triples() -> list[ox.Triple]:
    s, p = ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p")
    node = ox.BlankNode("n1")
    return [
        ox.Triple(s, p, node),
        ox.Triple(node, p, ox.Literal("Projekt", language="de")),
        ox.Triple(node, p, ox.Literal("2011", datatype=ox.NamedNode(XSD + "gYear"))),
        ox.Triple(s, p, ox.Literal("simple")),
    ]


def test_graph_round_trip() -> None:
    graph = to_rdflib_graph(_triples())
    assert len(graph) == len(_triples())
    assert sorted(map(str, to_oxigraph_triples(graph))) == sorted(map(str, _triples()))


def test_to_rdflib_graph_adds_to_a_given_graph() -> None:
    target = Graph()
    target.add((URIRef(EX + "x"), URIRef(EX + "y"), Literal("already")))
    returned = to_rdflib_graph(_triples(), target)
    assert returned is target
    assert len(target) == 1 + len(_triples())


def test_ntriples_round_trip_keeps_blank_node_labels() -> None:
    data = to_ntriples(_triples())
    assert sorted(map(str, from_ntriples(data))) == sorted(map(str, _triples()))
    assert b"_:n1 " in data


def test_ntriples_of_nothing() -> None:
    assert to_ntriples([]) == b""
    assert from_ntriples(b"") == []


def test_n_triples_are_parsed_only_when_used() -> None:
    triples = [ox.Triple(ox.NamedNode("urn:r"), ox.NamedNode("urn:p"), ox.Literal("x"))]
    lazy = ParsedOnUse(to_ntriples(triples))
    assert lazy._triples is None  # nothing parsed by making it
    assert list(lazy) == triples and lazy[0] == triples[0] and len(lazy) == 1
    assert lazy[:1] == triples


def test_triples_made_by_a_function_are_made_on_first_use_and_once() -> None:
    triples = [ox.Triple(ox.NamedNode("urn:r"), ox.NamedNode("urn:p"), ox.Literal("x"))]
    calls: list[None] = []

    def make() -> list[ox.Triple]:
        calls.append(None)
        return triples

    lazy = ParsedOnUse(make)
    assert calls == []  # nothing made by making it
    assert len(lazy) == 1 and calls == [None]
    assert list(lazy) == triples and lazy[0] == triples[0] and lazy[:1] == triples
    assert list(lazy) == triples
    assert calls == [None]  # made once, however often used


def test_canonical_blank_node_labels_do_not_depend_on_the_parse() -> None:
    text = b"_:a <urn:p> _:b . _:b <urn:q> [ <urn:r> 1 ] ."
    first, second = (
        canonical_triples(q.triple for q in ox.parse(text, format=ox.RdfFormat.TURTLE))
        for _ in range(2)
    )
    assert set(first) == set(second)  # two parses label their blank nodes differently
    assert len(first) == 3 and all(
        t.subject.value.startswith("c14n") for t in first if isinstance(t.subject, ox.BlankNode)
    )
