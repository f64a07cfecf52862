"""An in-memory dataset with the real ontology and curated data (and their closure)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import Graph

from iqkg.rdf.iris import IriScheme
from iqkg.reasoning import infer
from iqkg.store.dataset import Dataset
from iqkg.store.loader import load_knowledge
from tests.support.server import ROOT


@pytest.fixture(scope="session")
def knowledge() -> Iterator[Dataset]:
    dataset = Dataset.open(None, IriScheme())
    load_knowledge(dataset, ROOT, reasoner=infer)
    yield dataset


@pytest.fixture(scope="session")
def curated() -> Graph:
    """data/*.ttl and data/editorial/*.ttl parsed by rdflib: what the publication must show."""
    graph = Graph()
    for path in [
        *sorted((ROOT / "data").glob("*.ttl")),
        *(ROOT / "data" / "editorial").glob("*.ttl"),
    ]:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="session")
def ontology() -> Graph:
    graph = Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph
