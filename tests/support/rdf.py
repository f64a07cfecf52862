"""Comparing RDF graphs in tests."""

from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import CanonicalizationAlgorithm, Quad, Triple
from pyoxigraph import Dataset as OxDataset


def canonical(triples: Iterable[Triple]) -> OxDataset:
    """A graph with canonical blank-node labels (RDFC-1.0), comparable with ``==``.

    Two graphs are isomorphic exactly when their canonical forms are equal. rdflib's
    ``isomorphic`` takes minutes on the curated data's blank nodes (OWL axioms, SHACL
    reports); Oxigraph's RDFC-1.0 takes milliseconds.
    """
    dataset = OxDataset(Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return dataset
