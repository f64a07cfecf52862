"""Checkpoint leases: nothing a worker has open, or is about to open, is ever deleted.

Real worker processes read real on-disk checkpoints while a writer thread commits and
publishes, as the server does; every query must be answered.
"""

from __future__ import annotations

import asyncio
import shutil
import threading
from pathlib import Path

from iqkg.query.checkpoints import Checkpoints
from iqkg.query.execution import QueryJob
from iqkg.query.workers import WorkerPool
from iqkg.rdf.iris import IriScheme
from iqkg.store.dataset import Dataset, GraphWrite

IRIS = IriScheme("https://w3id.org/iqkg/")
WRITES = 40
COUNT = QueryJob("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "json")


def _dataset(tmp_path: Path) -> tuple[Dataset, Checkpoints]:
    dataset = Dataset.open(tmp_path / "store", IRIS)
    dataset.write([GraphWrite(IRIS.graph("curated"), [])])
    checkpoints = Checkpoints(tmp_path / "checkpoints", dataset.store)
    checkpoints.reset()
    checkpoints.publish(dataset.version)
    dataset.on_write.append(checkpoints.publish)
    return dataset, checkpoints


def _writer(dataset: Dataset, done: threading.Event) -> None:
    try:
        for i in range(WRITES):
            dataset.apply_update(
                f"INSERT DATA {{ GRAPH <{IRIS.graph('curated')}> {{ <urn:s:{i}> <urn:p> {i} }} }}"
            )
    finally:
        done.set()


def test_queries_never_lose_their_checkpoint_under_writes(tmp_path: Path) -> None:
    dataset, checkpoints = _dataset(tmp_path)

    async def scenario() -> tuple[int, list[str]]:
        pool = WorkerPool(2, 8, checkpoints, IRIS.base)
        await pool.start()
        done = threading.Event()
        writer = threading.Thread(target=_writer, args=(dataset, done))
        answered, failures = 0, []
        try:
            writer.start()
            for _ in range(20_000):  # bounded; the writer finishes long before
                if done.is_set():
                    break
                results = await asyncio.gather(
                    *(pool.run(COUNT, 60) for _ in range(3)), return_exceptions=True
                )
                for result in results:
                    if isinstance(result, BaseException):
                        failures.append(repr(result))
                    else:
                        answered += 1
        finally:
            await asyncio.to_thread(writer.join)
            await pool.stop()
        return answered, failures

    answered, failures = asyncio.run(scenario())
    print(f"{answered} answered, {len(failures)} failed under {WRITES} writes")
    assert answered and not failures, failures[:3]


def test_a_leased_checkpoint_survives_pruning_until_released(tmp_path: Path) -> None:
    dataset, checkpoints = _dataset(tmp_path)
    leased = checkpoints.lease()
    dataset.apply_update("INSERT DATA { <urn:a> <urn:b> 1 }")
    dataset.apply_update("INSERT DATA { <urn:a> <urn:b> 2 }")
    newest = str(checkpoints.current)
    assert leased != newest
    checkpoints.prune()
    remaining = {str(p) for p in checkpoints.folder.iterdir()}
    assert remaining == {leased, newest}  # the middle one went, the leased one stayed
    checkpoints.release(leased)
    assert checkpoints.needs_pruning
    checkpoints.prune()
    assert {str(p) for p in checkpoints.folder.iterdir()} == {newest}
    assert checkpoints.leased == {}


def test_a_lost_checkpoints_folder_is_republished_from_the_store(tmp_path: Path) -> None:
    dataset, checkpoints = _dataset(tmp_path)
    dataset.apply_update("INSERT DATA { <urn:a> <urn:b> 1 }")
    version = dataset.version
    shutil.rmtree(checkpoints.folder)
    assert checkpoints.ensure_current()
    assert checkpoints.current is not None and checkpoints.current.exists()
    assert checkpoints.version == version and not checkpoints.ensure_current()


def test_pruning_spares_the_folder_a_publish_is_writing(tmp_path: Path) -> None:
    """RocksDB writes a checkpoint to ``{target}.tmp`` and renames it at the end; pruning
    deleted that folder under a publish in progress (CI: "While renaming a file to …")."""
    _, checkpoints = _dataset(tmp_path)
    target = checkpoints.folder / "99999999-in-progress"
    partial = target.with_name(target.name + ".tmp")
    partial.mkdir()
    checkpoints._publishing.add(str(target))  # as publish() marks it before the backup
    checkpoints.prune()
    assert partial.exists()
    checkpoints._publishing.discard(str(target))
    checkpoints.prune()
    assert not partial.exists()
