"""New graphs are staged outside the write's transaction and never outlive a failure.

Embedded-only (the remote stores send one request): a new graph (a new submission's live
graph, a version's archive graph) is bulk-written before the transaction and counts for
nothing until it commits; a transaction that fails removes it, and one a crash left
behind is removed when the store is next opened.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pyoxigraph as ox
import pytest

from iqkg.errors import InputError
from iqkg.faults import CrashPoints
from iqkg.store.dataset import Dataset, staging_graph
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


class _Looking(CrashPoints):
    """Looks at the dataset where a crash point would be (between staging and commit)."""

    def __init__(self) -> None:
        super().__init__()
        self.dataset: Dataset | None = None
        self.seen: dict[str, object] = {}

    def reach(self, name: str, *, pid: int | None = None) -> None:
        if name == "write.staged" and self.dataset is not None:
            dataset = self.dataset
            self.seen = {
                "stored": {g.value for g in dataset.store.named_graphs()},
                "public": [g.value for g in dataset.public_graphs()],
                "has live": dataset.has_graph(LIVE),
                "union": dataset.select(f"SELECT * WHERE {{ <{EX}s> ?p ?o }}"),
            }


def test_a_staged_graph_counts_for_nothing_until_its_write_commits(tmp_path: Path) -> None:
    looking = _Looking()
    dataset = Dataset.open(tmp_path / "store", IRIS, crashes=looking)
    looking.dataset = dataset
    dataset.write_graphs(
        [GraphChange(LIVE, "replace", BODY), GraphChange(ARCHIVE, "replace", BODY)]
    )
    assert {LIVE, ARCHIVE} <= looking.seen["stored"]  # type: ignore[operator]
    assert looking.seen["public"] == [] and looking.seen["has live"] is False
    assert looking.seen["union"] == []
    assert [g.value for g in dataset.public_graphs()] == [IRIS.graph("meta"), LIVE]
    assert dataset.has_graph(LIVE)
    assert len(dataset.select(f"SELECT * WHERE {{ <{EX}s> ?p ?o }}")) == 2
    # The list of staged graphs goes with the commit: no hidden graph is left.
    assert staging_graph(IRIS) not in {g.value for g in dataset.store.named_graphs()}


def test_an_existing_graph_is_replaced_inside_the_transaction(tmp_path: Path) -> None:
    """Only a new graph is staged: the old content of one stays public until the commit."""
    looking = _Looking()
    dataset = Dataset.open(tmp_path / "store", IRIS, crashes=looking)
    dataset.write_graphs([GraphChange(LIVE, "replace", f'<{EX}s> <{EX}p> "0" .\n'.encode())])
    looking.dataset = dataset
    second = IRIS.graph("archive/test/v2")
    dataset.write_graphs([GraphChange(LIVE, "replace", BODY), GraphChange(second, "replace", BODY)])
    assert LIVE in looking.seen["public"]  # type: ignore[operator]
    assert len(looking.seen["union"]) == 1  # type: ignore[arg-type]
    assert _canonical(_graph(dataset, LIVE)) == _canonical(_graph(dataset, second))


def test_opening_removes_the_graphs_a_crashed_write_staged(tmp_path: Path) -> None:
    dataset = Dataset.open(tmp_path / "store", IRIS)
    dataset.write_graphs([GraphChange(IRIS.graph("test/kept"), "replace", BODY)])
    listed = ox.NamedNode(staging_graph(IRIS))
    stamp = ox.Literal("2026-12-02T06:00:00+00:00")
    dataset.store.extend(  # what _stage writes first, then the data, then the process died
        ox.Quad(
            ox.NamedNode(g),
            ox.NamedNode("http://www.w3.org/ns/prov#generatedAtTime"),
            stamp,
            listed,
        )
        for g in (LIVE, ARCHIVE)
    )
    for graph in (LIVE, ARCHIVE):
        dataset.store.bulk_load(BODY, ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
    del dataset
    gc.collect()  # releases the store's lock
    reopened = Dataset.open(tmp_path / "store", IRIS)
    graphs = {g.value for g in reopened.store.named_graphs() if isinstance(g, ox.NamedNode)}
    assert graphs == {IRIS.graph("meta"), IRIS.graph("test/kept")}
    assert reopened.drop_uncommitted() == []
