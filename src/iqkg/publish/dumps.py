"""Dumps of the public dataset: N-Quads and TriG (gzipped) and Turtle of the default union.

Files are made lazily for the dataset version being served and kept in
``{dumps_dir}/{version}/``; the directory is built under a temporary name and renamed into
place, so a reader never sees a half-written dump. Older versions are removed. What this
module holds is the formats and the folders; the files themselves are written by a query
worker from its checkpoint (:mod:`iqkg.query.dumping`, asked by
:mod:`iqkg.server.worker_reads` with ``IQKG_DUMP_TIMEOUT``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from iqkg.rdf.formats import N_QUADS, TRIG, TURTLE, RdfSyntax


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


class Dumps:
    """The dump folders of one dataset: ``{directory}/{version}/``, one per version, the
    newest kept.

    The files are written elsewhere (the server has a query worker write them from its
    checkpoint, :mod:`iqkg.query.dumping`) into a folder from :meth:`building`; a
    complete folder is moved into place by :meth:`install`, so a reader never sees a
    half-written dump. Blocking file-system calls: use them off the event loop.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def ready(self, version: str) -> DumpSet | None:
        """The dumps of ``version`` if they are complete, else None."""
        target = self.directory / version
        if not (target / "complete").exists():
            return None
        return self._read(version, target)

    def building(self) -> Path:
        """A new, empty folder for the files of one dump (beside the finished ones)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".building-", dir=self.directory))

    def discard(self, building: Path) -> None:
        """Remove a folder whose dump was not finished (a worker past its deadline)."""
        shutil.rmtree(building, ignore_errors=True)

    def install(self, building: Path, version: str) -> DumpSet:
        """Make ``building`` (every file written, of ``version``) the dumps of ``version``;
        older versions are removed."""
        target = self.directory / version
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        (building / "complete").write_text(stamp + "\n")
        shutil.rmtree(target, ignore_errors=True)
        os.replace(building, target)
        for old in self.directory.iterdir():
            if old.is_dir() and old.name != version and not old.name.startswith(".building-"):
                shutil.rmtree(old, ignore_errors=True)
        return self._read(version, target)

    def _read(self, version: str, target: Path) -> DumpSet:
        generated = (target / "complete").read_text().strip()
        files = [
            DumpFile(fmt, target / fmt.name, (target / fmt.name).stat().st_size)
            for fmt in DUMP_FORMATS
        ]
        return DumpSet(version, generated, files)
