"""Dumps of the public dataset: N-Quads and TriG (gzipped) and Turtle of the default union.

Files are made lazily for the dataset version being served and kept in
``{dumps_dir}/{version}/``; the directory is built under a temporary name and renamed into
place, so a reader never sees a half-written dump. Older versions are removed.
"""

from __future__ import annotations

import gzip
import os
import shutil
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import Quad, serialize

from iqkg.publish.labels import prefixes
from iqkg.rdf.formats import N_QUADS, TRIG, TURTLE, RdfSyntax
from iqkg.store.dataset import Dataset
from iqkg.store.reading import graph_triples


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


def public_quads(dataset: Dataset) -> list[Quad]:
    quads: list[Quad] = []
    for graph in dataset.public_graphs():
        quads += (
            Quad(t.subject, t.predicate, t.object, graph)
            for t in graph_triples(dataset, graph.value)
        )
    return quads


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
        quads = public_quads(dataset)
        names = prefixes(dataset.iris)
        for fmt in DUMP_FORMATS:
            path = building / fmt.name
            if fmt.union:
                triples = sorted({q.triple for q in quads}, key=str)
                path.write_bytes(
                    serialize(triples, format=fmt.syntax.format, prefixes=names) or b""
                )
                continue
            options = {"prefixes": names} if fmt.syntax == TRIG else {}
            body = serialize(quads, format=fmt.syntax.format, **options) or b""  # type: ignore[arg-type]
            with gzip.open(path, "wb") as out:
                out.write(body)
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
