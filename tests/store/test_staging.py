"""Archive graphs are staged outside the write's transaction and never outlive a failure.

Embedded-only (the remote stores send one request): a new archive graph (a submission's
version) is bulk-written before the transaction; a transaction that fails removes it, and
one a crash left behind is removed when the store is next opened.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pyoxigraph as ox
import pytest

from iqkg.errors import InputError
from iqkg.store.dataset import Dataset
from iqkg.store.interface import GraphChange
from tests.store.conftest import IRIS

EX = "https://example.org/"
LIVE = IRIS.graph("test/live")
ARCHIVE = IRIS.graph("archive/test/v1")
BODY = f'<{EX}s> <{EX}p> "1" .\n<{EX}s> <{EX}p> _:b .\n_:b <{EX}q> <{EX}o> .\n'.encode()


def _graph(dataset: Dataset, graph: str) -> ox.Dataset:
    return ox.Dataset(
        ox.Quad(q.subject, q.predicate, q.object)
        for q in dataset.store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
    )


def _canonical(quads: ox.Dataset) -> str:
    quads.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return "\n".join(sorted(str(q) for q in quads))


def test_the_archived_copy_is_written_and_equals_the_live_graph(tmp_path: Path) -> None:
    dataset = Dataset.open(tmp_path / "store", IRIS)
    version = dataset.version
    dataset.write_graphs(
        [GraphChange(LIVE, "replace", BODY), GraphChange(ARCHIVE, "replace", BODY)]
    )
    assert dataset.version != version
    assert len(_graph(dataset, ARCHIVE)) == 3
    assert _canonical(_graph(dataset, ARCHIVE)) == _canonical(_graph(dataset, LIVE))


def test_staged_archives_of_two_writes_share_no_blank_node(tmp_path: Path) -> None:
    """Both bodies say ``_:b``: the bulk loader gives each its own node."""
    dataset = Dataset.open(tmp_path / "store", IRIS)
    second = IRIS.graph("archive/test/v2")
    dataset.write_graphs([GraphChange(ARCHIVE, "replace", BODY)])
    dataset.write_graphs([GraphChange(second, "replace", BODY)])
    nodes = [
        {
            t
            for q in _graph(dataset, g)
            for t in (q.subject, q.object)
            if isinstance(t, ox.BlankNode)
        }
        for g in (ARCHIVE, second)
    ]
    assert all(len(found) == 1 for found in nodes)
    assert nodes[0].isdisjoint(nodes[1])


@pytest.mark.parametrize(
    "bad",
    [
        # Fails inside Oxigraph's transaction, after the archive graph was staged.
        pytest.param(GraphChange(LIVE, "delete", f"_:b <{EX}p> <{EX}o> .\n".encode()), id="commit"),
        # Fails while staging: nothing may be half-written.
        pytest.param(GraphChange(ARCHIVE, "replace", b"<a> <b> not N-Triples"), id="staging"),
    ],
)
def test_a_failed_write_leaves_no_staged_graph(tmp_path: Path, bad: GraphChange) -> None:
    dataset = Dataset.open(tmp_path / "store", IRIS)
    version = dataset.version
    changes = [GraphChange(LIVE, "replace", BODY), bad]
    if bad.graph != ARCHIVE:
        changes.append(GraphChange(ARCHIVE, "replace", BODY))
    with pytest.raises(InputError):
        dataset.write_graphs(changes)
    assert list(dataset.store.named_graphs()) == []
    assert dataset.version == version


def test_opening_removes_archives_no_record_describes(tmp_path: Path) -> None:
    """What a write staged before a crash (SIGKILL between staging and commit)."""
    dataset = Dataset.open(tmp_path / "store", IRIS)
    recorded, orphan = IRIS.graph("archive/test/v1"), IRIS.graph("archive/test/v2")
    dataset.write_graphs(
        [
            GraphChange(recorded, "replace", BODY),
            GraphChange(
                IRIS.graph("meta"),
                "insert",
                f"<{recorded}> <{EX}isVersionOf> <{LIVE}> .\n".encode(),
            ),
        ]
    )
    dataset.store.bulk_extend(  # staged, and then the process died
        [
            ox.Quad(
                ox.NamedNode(EX + "s"),
                ox.NamedNode(EX + "p"),
                ox.Literal("x"),
                ox.NamedNode(orphan),
            )
        ]
    )
    del dataset
    gc.collect()  # releases the store's lock
    reopened = Dataset.open(tmp_path / "store", IRIS)
    graphs = {g.value for g in reopened.store.named_graphs() if isinstance(g, ox.NamedNode)}
    assert recorded in graphs and orphan not in graphs
    assert reopened.drop_unrecorded_archives() == []
