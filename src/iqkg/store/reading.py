"""Reads every store can answer, built on the store interface alone.

The modules above the store layer read whole graphs and ask whether a graph exists here,
not through an engine's own API, so they work on any :class:`SparqlStore`. Graphs come
back as N-Triples from the store and as pyoxigraph triples for the modules that work on
triples (serialisation, rdflib conversion).
"""

from __future__ import annotations

from pyoxigraph import Triple

from iqkg.rdf.convert import from_ntriples
from iqkg.rdf.sparql_terms import iri
from iqkg.store.interface import WHOLE_STORE, QueryDataset, SparqlStore


def graph_ntriples(store: SparqlStore, graph: str | None) -> bytes:
    """The triples of one graph (``None``: the store's default graph), as N-Triples."""
    return store.construct(
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
        dataset=QueryDataset.of(default=[graph] if graph else []),
    )


def graph_triples(store: SparqlStore, graph: str | None) -> list[Triple]:
    """The triples of one graph (``None``: the store's default graph)."""
    return from_ntriples(graph_ntriples(store, graph))


def has_graph(store: SparqlStore, graph: str) -> bool:
    """Whether the store holds a named graph ``graph`` (hidden graphs included)."""
    return store.ask(f"ASK {{ GRAPH {iri(graph)} {{}} }}", dataset=WHOLE_STORE)


def mentions(store: SparqlStore, subject: str) -> bool:
    """Whether any public graph says something about ``subject``."""
    return store.ask(f"ASK {{ {iri(subject)} ?p ?o }}")
