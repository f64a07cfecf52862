"""Build a whole store from one big RDF file with Oxigraph's bulk loader, then swap it in.

Oxigraph's bulk loader is fast (it writes sorted files straight into RocksDB) but *not
transactional*: a syntax error or a crash halfway leaves half the data in the store. So
:func:`bulk_build` never loads into the store being replaced. It builds a fresh store in
a temporary sibling folder, stamps a dataset version into ``graph/meta`` exactly as every
:class:`~iqkg.store.dataset.Dataset` write does, releases it, and only then renames it into
place. On any failure the target is untouched and the temporary folder is gone.

The result *replaces* the store at ``target``: whatever it held (curated graphs,
submissions) is gone, so this is for building a store from scratch (the benchmark; an
operator then runs ``iqkg load`` on top). No process may have the target open: the
function checks the RocksDB lock before it starts, and a server must be restarted after.

The loader has no progress hook, so the input is wrapped in a reader that counts the bytes
Oxigraph pulls through it and calls ``on_progress`` every ``progress_every`` bytes.
"""

from __future__ import annotations

import gc
import io
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, cast

from pyoxigraph import NamedNode, RdfFormat, Store

from iqkg.rdf.formats import rdf_syntax_for_path
from iqkg.rdf.iris import IriScheme
from iqkg.rdf.oxigraph_errors import rdf_errors, store_opening_errors
from iqkg.store.dataset import Dataset

#: Called with the bytes read so far and the file's size.
Progress = Callable[[int, int], None]

PROGRESS_EVERY = 64 * 1024 * 1024


@dataclass(frozen=True)
class BulkBuild:
    """What a bulk build did."""

    quads: int
    bytes_read: int
    version: str
    load_seconds: float
    seconds: float


class ProgressReader(io.RawIOBase):
    """A binary reader that reports how many bytes have been read through it."""

    def __init__(self, raw: BinaryIO, total: int, on_progress: Progress, every: int) -> None:
        super().__init__()
        self._raw = raw
        self._total = total
        self._on_progress = on_progress
        self._every = max(1, every)
        self._next = self._every
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        n = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        if not n:
            return 0
        self.bytes_read += n
        if self.bytes_read >= self._next:
            self._on_progress(self.bytes_read, self._total)
            self._next = (self.bytes_read // self._every + 1) * self._every
        return int(n)


def bulk_build(
    target: Path,
    source: Path,
    *,
    graph: str,
    iris: IriScheme,
    syntax: RdfFormat | None = None,
    on_progress: Progress | None = None,
    progress_every: int = PROGRESS_EVERY,
    optimize: bool = True,
) -> BulkBuild:
    """Replace the store at ``target`` by one holding ``source``'s triples in ``graph``.

    ``syntax`` defaults to the file extension's. ``optimize`` compacts the new store
    before the swap (slower to build, faster to read). Raises :class:`RdfSyntaxError`
    (with line and column) on malformed input and :class:`StoreHeldByServer` when another
    process has ``target`` open; in both cases ``target`` is as it was.
    """
    started = time.perf_counter()
    target = target.absolute()
    fmt = syntax or rdf_syntax_for_path(source.name).format
    _check_not_open(target)
    building = target.parent / f".{target.name}.bulk-{os.getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        result = _build(building, source, fmt, graph, iris, on_progress, progress_every, optimize)
        _swap_in(building, target)
    except BaseException:
        gc.collect()  # drop the half-built store's RocksDB handle before removing its files
        shutil.rmtree(building, ignore_errors=True)
        raise
    return BulkBuild(
        result.quads,
        result.bytes_read,
        result.version,
        result.load_seconds,
        time.perf_counter() - started,
    )


def _build(
    folder: Path,
    source: Path,
    fmt: RdfFormat,
    graph: str,
    iris: IriScheme,
    on_progress: Progress | None,
    every: int,
    optimize: bool,
) -> BulkBuild:
    store = Store(str(folder))
    total = source.stat().st_size
    loading = time.perf_counter()
    with source.open("rb") as raw:
        reader = ProgressReader(raw, total, on_progress or (lambda _n, _t: None), every)
        with rdf_errors(fmt.name, source=str(source)):
            store.bulk_load(input=cast(IO[bytes], reader), format=fmt, to_graph=NamedNode(graph))
    load_seconds = time.perf_counter() - loading
    if on_progress is not None:
        on_progress(reader.bytes_read, total)
    quads = len(store)
    dataset = Dataset(store, iris, folder)
    version = dataset.write([])  # the version stamp every write leaves in graph/meta
    if optimize:
        store.optimize()
    dataset.close()
    del dataset, store
    gc.collect()  # RocksDB releases its lock when the last reference goes
    return BulkBuild(quads, reader.bytes_read, version, load_seconds, 0.0)


def _check_not_open(target: Path) -> None:
    """Refuse to replace a store another process holds (RocksDB's lock says so)."""
    if not target.exists():
        return
    with store_opening_errors(str(target)):
        store = Store(str(target))
    del store
    gc.collect()


def _swap_in(building: Path, target: Path) -> None:
    """Rename the finished store into place; the old one is removed only afterwards."""
    if not target.exists():
        os.replace(building, target)
        return
    old = target.parent / f".{target.name}.old-{os.getpid()}"
    shutil.rmtree(old, ignore_errors=True)
    os.replace(target, old)
    try:
        os.replace(building, target)
    except BaseException:
        os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)
