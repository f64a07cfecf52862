"""``Dataset`` (``store/dataset.py``) beyond the interface's contract: the Graph Store
writes' preconditions, decided as the single writer."""

from __future__ import annotations

import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

from iqkg.errors import PreconditionFailed
from iqkg.rdf.iris import IriScheme
from iqkg.store.dataset import Dataset

GRAPH = "https://w3id.org/iqkg/graph/store/test"
TRIPLE = ox.Triple(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("o"))


def _as_read(dataset: Dataset, read: str) -> None:
    """An ``If-Match`` of the version a client read."""
    if dataset.version != read:
        raise PreconditionFailed("changed since it was read")


def test_a_refused_precondition_writes_nothing(tmp_path: Path) -> None:
    dataset = Dataset.open(tmp_path / "store", IriScheme())
    version = dataset.version
    with pytest.raises(PreconditionFailed):
        dataset.write_graph(
            GRAPH, [TRIPLE], replace=True, precondition=lambda: _as_read(dataset, "stale")
        )
    assert dataset.version == version
    assert not dataset.store.contains_named_graph(ox.NamedNode(GRAPH))


def test_of_two_writes_as_read_exactly_one_wins(tmp_path: Path) -> None:
    """Both read the same version; the precondition runs under the writer's lock, so the
    second sees the first's write, whichever order the threads come in."""
    dataset = Dataset.open(tmp_path / "store", IriScheme())
    for _ in range(5):
        read = dataset.version
        assert sorted(_race(dataset, read)) == ["412", "written"]
        assert dataset.version != read


def _race(dataset: Dataset, read: str) -> list[str]:
    """Two writes as read, let go together; what became of each."""
    both_read = threading.Barrier(2)
    outcomes: list[str] = []

    def write() -> None:
        both_read.wait()
        try:
            dataset.write_graph(
                GRAPH, [TRIPLE], replace=True, precondition=lambda: _as_read(dataset, read)
            )
            outcomes.append("written")
        except PreconditionFailed:
            outcomes.append("412")

    threads = [threading.Thread(target=write) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes
