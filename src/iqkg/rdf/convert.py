"""Move triples between pyoxigraph (storage, parsing) and rdflib (pySHACL, owlrl).

Untrusted input is always parsed by Oxigraph, whose parsers never fetch remote JSON-LD
contexts nor resolve XML entities; rdflib only ever sees terms built here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import overload

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def to_rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == _XSD_STRING else URIRef(datatype))
    raise TypeError("RDF-star triples are not supported here")


def to_oxigraph_term(node: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype is not None and str(node.datatype) != _LANG_STRING:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    raise TypeError(f"cannot convert {node!r}")


def to_rdflib_graph(triples: Iterable[ox.Triple], graph: Graph | None = None) -> Graph:
    """Add Oxigraph triples to an rdflib graph (a new one unless given)."""
    target = graph if graph is not None else Graph()
    for t in triples:
        target.add(
            (to_rdflib_term(t.subject), to_rdflib_term(t.predicate), to_rdflib_term(t.object))
        )
    return target


def to_oxigraph_triples(graph: Iterable[tuple[Node, Node, Node]]) -> list[ox.Triple]:
    return [
        ox.Triple(to_oxigraph_term(s), to_oxigraph_term(p), to_oxigraph_term(o))  # type: ignore[arg-type]
        for s, p, o in graph
    ]


def canonical_triples(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """The graph with its blank nodes relabelled by RDFC-1.0: the same labels in every
    process that reads the same graph, whatever labels its parser gave."""
    dataset = ox.Dataset(
        ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples
    )
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return [quad.triple for quad in dataset]


def to_ntriples(triples: Iterable[ox.Triple]) -> bytes:
    """Triples as N-Triples: the form the store interface carries graphs in."""
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def from_ntriples(data: bytes) -> list[ox.Triple]:
    """N-Triples (from the store interface, so trusted) as pyoxigraph triples; blank node
    labels are kept, so a node keeps its identity through a write and a read."""
    return [quad.triple for quad in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]


class ParsedOnUse(Sequence[ox.Triple]):
    """N-Triples read as triples (:func:`from_ntriples`) the first time they are used, or
    triples made then by a function (several workers' report graphs joined).

    A checking worker's answer crosses as bytes, and the server mostly passes them on: it
    stores a body as it came and answers JSON without a report's graph, where parsing
    100k triples or a 14,000-result report (17 MB) cost ~0.3 s each for nothing.
    """

    def __init__(self, source: bytes | Callable[[], Sequence[ox.Triple]]) -> None:
        self._source = source
        self._triples: Sequence[ox.Triple] | None = None

    def _parsed(self) -> Sequence[ox.Triple]:
        if self._triples is None:
            source = self._source
            self._triples = from_ntriples(source) if isinstance(source, bytes) else source()
        return self._triples

    @overload
    def __getitem__(self, index: int) -> ox.Triple: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[ox.Triple]: ...

    def __getitem__(self, index: int | slice) -> ox.Triple | Sequence[ox.Triple]:
        return self._parsed()[index]

    def __len__(self) -> int:
        return len(self._parsed())

    def __iter__(self) -> Iterator[ox.Triple]:
        return iter(self._parsed())
