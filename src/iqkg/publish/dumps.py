"""Dumps of the public dataset: N-Quads and TriG (gzipped) and Turtle of the default union.

Files are made lazily for the dataset version being served and kept in
``{dumps_dir}/{version}/``; the directory is built under a temporary name and renamed into
place, so a reader never sees a half-written dump. Older versions are removed.

The dumps are *streamed*, never held in memory (10 million triples would take gigabytes
as Python objects): the N-Quads file is written from one scan of the store (one snapshot,
public graphs only), and TriG and Turtle are written from that file read back, so the
three say the same. The Turtle union drops a triple already stated in an earlier public
graph by asking the store; a write committed while the dump is being made can only make
it keep such a duplicate or drop one (the dump is labelled with the version before it).
Turtle comes out grouped by graph and subject in the store's order, not sorted.
"""

from __future__ import annotations

import gzip
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, cast

from pyoxigraph import Quad, RdfFormat, Triple, parse, serialize

from iqkg.publish.labels import prefixes
from iqkg.rdf.formats import N_QUADS, TRIG, TURTLE, RdfSyntax
from iqkg.store.dataset import Dataset


@dataclass(frozen=True)
class DumpFormat:
    name: str
    syntax: RdfSyntax
    gzipped: bool
    union: bool
    title: dict[str, str]

    @property
    def media_type(self) -> str:
        return "application/gzip" if self.gzipped else self.syntax.media_type


DUMP_FORMATS: tuple[DumpFormat, ...] = (
    DumpFormat(
        "iqkg.nq.gz",
        N_QUADS,
        True,
        False,
        {"de": "N-Quads, gzip (mit Graphen)", "en": "N-Quads, gzipped (graphs kept)"},
    ),
    DumpFormat(
        "iqkg.trig.gz",
        TRIG,
        True,
        False,
        {"de": "TriG, gzip (mit Graphen)", "en": "TriG, gzipped (graphs kept)"},
    ),
    DumpFormat(
        "iqkg.ttl",
        TURTLE,
        False,
        True,
        {"de": "Turtle der Vereinigung aller Graphen", "en": "Turtle of the union of all graphs"},
    ),
)


@dataclass(frozen=True)
class DumpFile:
    format: DumpFormat
    path: Path
    size: int


@dataclass(frozen=True)
class DumpSet:
    version: str
    generated: str
    files: list[DumpFile]

    def file(self, name: str) -> DumpFile | None:
        return next((f for f in self.files if f.format.name == name), None)


#: gzip level of the dumps: 6 compresses almost as well as 9 at a fraction of the CPU.
_GZIP_LEVEL = 6


def public_quads(dataset: Dataset) -> list[Quad]:
    """Every quad of the public graphs (small datasets and tests; dumps stream)."""
    return list(stream_public_quads(dataset))


def stream_public_quads(dataset: Dataset) -> Iterator[Quad]:
    """The quads of the public named graphs, from one scan (one snapshot) of the store."""
    public = set(dataset.public_graphs())
    for quad in dataset.quads():
        if quad.graph_name in public:
            yield quad


def _union_triples(dataset: Dataset, quads: Iterator[Quad]) -> Iterator[Triple]:
    """The triples of ``quads`` (grouped by graph), each once: a triple is skipped when an
    earlier public graph has it too (asked of the store, so nothing is held in memory)."""
    graphs = dataset.public_graphs()
    order = {str(graph): i for i, graph in enumerate(graphs)}
    for quad in quads:
        earlier = graphs[: order.get(str(quad.graph_name), len(graphs))]
        if not any(dataset.holds(quad.triple, graph.value) for graph in earlier):
            yield quad.triple


class Dumps:
    """The dump files of one dataset, regenerated when its version changes."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()

    def current(self, dataset: Dataset) -> DumpSet:
        """The dumps of the dataset's current version, writing them first if needed."""
        with self._lock:
            version = dataset.version
            target = self.directory / version
            if not (target / "complete").exists():
                self._write(dataset, version, target)
            return self._read(version, target)

    def _write(self, dataset: Dataset, version: str, target: Path) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        building = self.directory / f".building-{version}-{os.getpid()}"
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir()
        names = prefixes(dataset.iris)
        first, *others = DUMP_FORMATS
        assert first.syntax == N_QUADS and first.gzipped  # the one read of the store
        quads_file = building / first.name
        with gzip.open(quads_file, "wb", compresslevel=_GZIP_LEVEL) as out:
            serialize(stream_public_quads(dataset), cast(IO[bytes], out), N_QUADS.format)
        for fmt in others:
            path = building / fmt.name
            with gzip.open(quads_file, "rb") as source:
                quads = parse(cast(IO[bytes], source), format=RdfFormat.N_QUADS)
                if fmt.union:
                    serialize(
                        _union_triples(dataset, quads), path, fmt.syntax.format, prefixes=names
                    )
                    continue
                options = {"prefixes": names} if fmt.syntax == TRIG else {}
                with gzip.open(path, "wb", compresslevel=_GZIP_LEVEL) as out:
                    serialize(quads, cast(IO[bytes], out), fmt.syntax.format, **options)  # type: ignore[arg-type]
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        (building / "complete").write_text(stamp + "\n")
        shutil.rmtree(target, ignore_errors=True)
        os.replace(building, target)
        for old in self.directory.iterdir():
            if old.is_dir() and old.name != version and not old.name.startswith(".building-"):
                shutil.rmtree(old, ignore_errors=True)

    def _read(self, version: str, target: Path) -> DumpSet:
        generated = (target / "complete").read_text().strip()
        files = [
            DumpFile(fmt, target / fmt.name, (target / fmt.name).stat().st_size)
            for fmt in DUMP_FORMATS
        ]
        return DumpSet(version, generated, files)
