"""An in-memory dataset with the real ontology and curated data (and their closure)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pyoxigraph import DefaultGraph, Quad
from rdflib import Graph

from iqkg.publish.dumps import Dumps, DumpSet
from iqkg.query.dumping import DumpJob, write_dump
from iqkg.rdf.iris import IriScheme
from iqkg.reasoning import infer
from iqkg.server.worker_reads import DUMP_FILES
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


def current_dumps(dumps: Dumps, dataset: Dataset) -> DumpSet:
    """What the server does for ``/dumps/``, in this process: the worker's own writing
    (:func:`iqkg.query.dumping.write_dump`) on ``dataset``'s store, then installed."""
    ready = dumps.ready(dataset.version)
    if ready is not None:
        return ready
    building = dumps.building()
    version = write_dump(dataset.store, dataset.iris, DumpJob(str(building), DUMP_FILES))
    return dumps.install(building, version)


def public_quads(dataset: Dataset) -> list[Quad]:
    """Every quad of the public graphs, the store's default graph included (what the
    N-Quads dump must hold)."""
    return [
        q
        for g in [DefaultGraph(), *dataset.public_graphs()]
        for q in dataset.store.quads_for_pattern(None, None, None, g)
    ]
