"""What the dataset says about one IRI: its own facts, the facts pointing at it, and
the graph each fact comes from.

Facts are read from the public graphs *except* ``graph/inferred``: the OWL RL closure
restates inverse properties, super-classes and ``owl:sameAs`` reflexivity, which is noise
in a description (it stays queryable at ``/sparql``). Blank nodes hanging off the
resource (e.g. the file list of a graph's provenance) are followed, so the description is
a concise bounded description in the sense of the CBD note — bounded here in depth and
breadth as well (:data:`MAX_BLANK_DEPTH`, :data:`MAX_BLANK_NODES`), because a partner may
submit any graph: a chain of 10,000 blank nodes or a cycle (``_:a <p> _:a``) must give a
page and a document, never a RecursionError. What lies beyond the bound stays queryable
at ``/sparql``; :attr:`Description.truncated` says that something was left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from iqkg.publish.labels import LABEL_PREDICATES
from iqkg.rdf.iris import GRAPH_INFERRED, RDF, RDFS, valid_iri
from iqkg.store.dataset import Dataset

#: Blank nodes are followed this many levels below the resource (real data needs 2–3;
#: renderers recurse once per level, so this keeps them far from Python's stack limit).
MAX_BLANK_DEPTH = 16
#: At most this many blank nodes are followed for one description.
MAX_BLANK_NODES = 2000

Node = NamedNode | BlankNode
Term = NamedNode | BlankNode | Literal


@dataclass
class Fact:
    """One triple and the named graphs (IRIs) asserting it."""

    triple: Triple
    graphs: list[str] = field(default_factory=list)


@dataclass
class Description:
    iri: str
    outgoing: list[Fact]
    incoming: list[Fact]
    #: Facts about blank nodes reachable from the resource, keyed by blank node id.
    nested: dict[str, list[Fact]]
    #: Blank nodes were left out (deeper than MAX_BLANK_DEPTH or beyond MAX_BLANK_NODES).
    truncated: bool = False

    def types(self) -> list[str]:
        return [
            f.triple.object.value
            for f in self.outgoing
            if f.triple.predicate.value == RDF + "type" and isinstance(f.triple.object, NamedNode)
        ]

    def values(self, predicate: str) -> list[Term]:
        return [f.triple.object for f in self.outgoing if f.triple.predicate.value == predicate]  # type: ignore[misc]

    def triples(self) -> list[Triple]:
        """Own triples, nested blank-node triples and incoming triples."""
        result = [f.triple for f in self.outgoing]
        for facts in self.nested.values():
            result += [f.triple for f in facts]
        return result + [f.triple for f in self.incoming]

    def linked_iris(self) -> set[str]:
        linked = {f.triple.predicate.value for f in self.outgoing + self.incoming}
        linked |= {
            f.triple.object.value for f in self.outgoing if isinstance(f.triple.object, NamedNode)
        }
        linked |= {
            f.triple.subject.value for f in self.incoming if isinstance(f.triple.subject, NamedNode)
        }
        linked.discard(self.iri)
        return linked


def described_graphs(dataset: Dataset) -> set[str]:
    inferred = dataset.iris.graph(GRAPH_INFERRED)
    return {g.value for g in dataset.public_graphs() if g.value != inferred}


def _facts(dataset: Dataset, pattern: Iterator[object], graphs: set[str]) -> list[Fact]:
    by_triple: dict[Triple, Fact] = {}
    for quad in pattern:
        graph = quad.graph_name  # type: ignore[attr-defined]
        if not isinstance(graph, NamedNode) or graph.value not in graphs:
            continue
        fact = by_triple.setdefault(quad.triple, Fact(quad.triple))  # type: ignore[attr-defined]
        fact.graphs.append(graph.value)
    return list(by_triple.values())


def describe(dataset: Dataset, iri: str) -> Description | None:
    """The description of ``iri``, or None when no described graph mentions it (or
    ``iri`` is not a valid IRI, so nothing can mention it)."""
    if not valid_iri(iri):
        return None
    graphs = described_graphs(dataset)
    node = NamedNode(iri)
    store = dataset.store
    outgoing = _facts(dataset, store.quads_for_pattern(node, None, None, None), graphs)
    incoming = _facts(dataset, store.quads_for_pattern(None, None, node, None), graphs)
    if not outgoing and not incoming:
        return None
    nested, truncated = _blank_closure(dataset, outgoing, graphs)
    return Description(iri, outgoing, incoming, nested, truncated)


def _blank_closure(
    dataset: Dataset, outgoing: list[Fact], graphs: set[str]
) -> tuple[dict[str, list[Fact]], bool]:
    """Facts about the blank nodes below the resource, breadth first, within the bounds.

    Each blank node is visited once (so cycles end); a blank node past the bounds is kept
    as a value but its own facts are not read."""
    nested: dict[str, list[Fact]] = {}
    level = [f.triple.object for f in outgoing if isinstance(f.triple.object, BlankNode)]
    truncated = False
    for _ in range(MAX_BLANK_DEPTH):
        following: list[BlankNode] = []
        for blank in level:
            if blank.value in nested:
                continue
            if len(nested) >= MAX_BLANK_NODES:
                return nested, True
            pattern = dataset.store.quads_for_pattern(blank, None, None, None)
            facts = _facts(dataset, pattern, graphs)
            nested[blank.value] = facts
            following += [f.triple.object for f in facts if isinstance(f.triple.object, BlankNode)]
        level = [b for b in following if b.value not in nested]
        if not level:
            return nested, truncated
    return nested, True


def label_triples(dataset: Dataset, iris: Iterable[str]) -> list[Triple]:
    """``rdfs:label``/``skos:prefLabel`` (and the like) of linked IRIs, for RDF output."""
    graphs = described_graphs(dataset)
    triples: set[Triple] = set()
    for iri in iris:
        for predicate in (*LABEL_PREDICATES, RDFS + "label"):
            for quad in dataset.store.quads_for_pattern(
                NamedNode(iri), NamedNode(predicate), None, None
            ):
                graph = quad.graph_name
                if isinstance(graph, NamedNode) and graph.value in graphs:
                    triples.add(quad.triple)
    return sorted(triples, key=str)


def description_triples(dataset: Dataset, description: Description) -> list[Triple]:
    """The RDF a client gets: the description plus the labels of everything linked."""
    own = description.triples()
    seen = set(own)
    return own + [t for t in label_triples(dataset, description.linked_iris()) if t not in seen]
