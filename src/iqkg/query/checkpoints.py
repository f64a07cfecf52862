"""Immutable read-only checkpoints of the store, published by the writer after each write.

Query workers never open the live store (RocksDB forbids a second writer, and reading it
from another process while it is written is undefined). Instead the writer calls
:meth:`Checkpoints.publish` after every committed write: ``Store.backup`` into a new
folder, which on the same file system hard-links the immutable SST files and so costs
milliseconds. Workers open the newest checkpoint read-only; folders no worker has open
any more are deleted by :meth:`Checkpoints.prune`.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from pyoxigraph import Store


class Checkpoints:
    """The checkpoint folders of one store, newest last."""

    def __init__(self, folder: Path, store: Store) -> None:
        self.folder = folder
        self.store = store
        self._lock = threading.Lock()
        self._sequence = 0
        self.current: Path | None = None
        self.version = ""
        #: Set by :meth:`publish`, cleared by :meth:`prune`: older folders may be stale.
        self.needs_pruning = False

    def reset(self) -> None:
        """Remove checkpoints a previous run left behind (no worker can be using them)."""
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True)

    def publish(self, version: str) -> Path:
        """Snapshot the store as it is now; safe to call from any thread."""
        with self._lock:
            self._sequence += 1
            target = self.folder / f"{self._sequence:08d}-{version}"
            self.store.flush()
            self.store.backup(str(target))
            self.current = target
            self.version = version
            self.needs_pruning = True
            return target

    def prune(self, in_use: set[str]) -> None:
        """Delete every checkpoint but the newest and those in ``in_use``."""
        with self._lock:
            keep = {str(self.current), *in_use}
            stale = [p for p in self.folder.iterdir() if str(p) not in keep]
            self.needs_pruning = bool(in_use - {str(self.current)})
        for path in stale:
            shutil.rmtree(path, ignore_errors=True)
