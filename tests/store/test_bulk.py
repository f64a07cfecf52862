"""Bulk builds: a fresh store swapped in only when complete, progress reported."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from iqkg.errors import RdfSyntaxError, StoreHeldByServer
from iqkg.rdf.iris import IriScheme
from iqkg.store.bulk import bulk_build
from iqkg.store.dataset import Dataset

IRIS = IriScheme()
GRAPH = IRIS.graph("bench")
EX = "https://example.org/"


def _ntriples(path: Path, n: int, *, broken_at: int | None = None) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            if i == broken_at:
                out.write(f"<{EX}s{i}> <{EX}p> this is not N-Triples .\n")
                continue
            out.write(f'<{EX}s{i}> <{EX}p> "value {i}" .\n')
    return path


def _state(path: Path, *, prepare: str | None = None) -> tuple[int, str, list[str]]:
    """Triples in GRAPH, the version and the public graphs of the store at ``path``
    (after the update ``prepare``, if any), with the store released afterwards."""
    dataset = Dataset.open(path, IRIS)
    if prepare is not None:
        dataset.write([])
        dataset.store.update(prepare)
    state = dataset.count(GRAPH), dataset.version, [g.value for g in dataset.public_graphs()]
    dataset.close()
    del dataset
    gc.collect()  # RocksDB releases its lock with the last reference
    return state


def _leftovers(folder: Path, *expected: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in expected)


def test_builds_a_store_with_a_version_stamp(tmp_path: Path) -> None:
    source = _ntriples(tmp_path / "data.nt", 500)
    built = bulk_build(tmp_path / "store", source, graph=GRAPH, iris=IRIS)
    assert built.quads == 500
    assert built.bytes_read == source.stat().st_size
    count, version, graphs = _state(tmp_path / "store")
    assert count == 500
    assert version == built.version != "0"
    assert graphs == [GRAPH, IRIS.graph("meta")]
    assert _leftovers(tmp_path, "store", "data.nt") == []


def test_replaces_the_previous_store_only_when_complete(tmp_path: Path) -> None:
    store = tmp_path / "store"
    old = f"INSERT DATA {{ GRAPH <{EX}old> {{ <{EX}a> <{EX}b> <{EX}c> }} }}"
    _, old_version, old_graphs = _state(store, prepare=old)
    assert f"{EX}old" in old_graphs
    bulk_build(store, _ntriples(tmp_path / "data.nt", 50), graph=GRAPH, iris=IRIS)
    count, version, graphs = _state(store)
    assert count == 50
    assert f"{EX}old" not in graphs  # replaced, not merged
    assert version != old_version
    assert _leftovers(tmp_path, "store", "data.nt") == []


def test_syntax_error_midway_leaves_the_previous_store_and_no_temporary_folder(
    tmp_path: Path,
) -> None:
    store = tmp_path / "store"
    bulk_build(store, _ntriples(tmp_path / "good.nt", 20), graph=GRAPH, iris=IRIS)
    _, version, _ = _state(store)
    broken = _ntriples(tmp_path / "broken.nt", 20_000, broken_at=15_000)
    with pytest.raises(RdfSyntaxError) as caught:
        bulk_build(store, broken, graph=GRAPH, iris=IRIS)
    assert caught.value.line == 15_001
    assert _state(store)[:2] == (20, version)
    assert _leftovers(tmp_path, "store", "good.nt", "broken.nt") == []


def test_failure_without_a_previous_store_leaves_nothing(tmp_path: Path) -> None:
    broken = _ntriples(tmp_path / "broken.nt", 100, broken_at=50)
    with pytest.raises(RdfSyntaxError):
        bulk_build(tmp_path / "store", broken, graph=GRAPH, iris=IRIS)
    assert _leftovers(tmp_path, "broken.nt") == []


def test_progress_is_reported_as_bytes_are_read(tmp_path: Path) -> None:
    source = _ntriples(tmp_path / "data.nt", 5_000)
    size = source.stat().st_size
    reports: list[tuple[int, int]] = []
    bulk_build(
        tmp_path / "store",
        source,
        graph=GRAPH,
        iris=IRIS,
        on_progress=lambda done, total: reports.append((done, total)),
        progress_every=16 * 1024,
    )
    assert len(reports) >= size // (16 * 1024)
    assert all(total == size for _, total in reports)
    assert [done for done, _ in reports] == sorted(done for done, _ in reports)
    assert reports[-1] == (size, size)


def test_refuses_a_store_another_process_holds_open(tmp_path: Path) -> None:
    store = tmp_path / "store"
    held = Dataset.open(store, IRIS)
    with pytest.raises(StoreHeldByServer, match="stop it first"):
        bulk_build(store, _ntriples(tmp_path / "data.nt", 5), graph=GRAPH, iris=IRIS)
    assert held.count(GRAPH) == 0
    held.close()
    del held
    gc.collect()
    assert _leftovers(tmp_path, "store", "data.nt") == []
