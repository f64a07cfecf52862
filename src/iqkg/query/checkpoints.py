"""Immutable read-only checkpoints of the store, published by the writer after each write.

Query workers never open the live store (RocksDB forbids a second writer, and reading it
from another process while it is written is undefined). Instead the writer calls
:meth:`Checkpoints.publish` after every committed write: ``Store.backup`` into a new
folder, which on the same file system hard-links the immutable SST files and so costs
milliseconds. Workers open the newest checkpoint read-only.

Leases. RocksDB opens a checkpoint's files lazily, so a folder deleted under a worker
that has it open (or is about to open it) fails that worker's query ("No such file").
Whoever hands a checkpoint to a worker first takes a :meth:`lease` on it and returns it
(:meth:`release`) only when that worker has moved on to another checkpoint or is dead.
Granting a lease and deciding what to delete happen under one lock, and a lease is only
ever granted on the newest folder, which is never deleted; so a folder :meth:`prune`
chose can no longer be leased, and it is renamed out of reach before that lock is let go.

Healing. A failed publish (full disk) or a checkpoints folder someone deleted leaves
workers without the newest data (:attr:`lost_or_stale`); :meth:`ensure_current`
republishes from the store, serialised with the writer's commits (``writer``), and
:attr:`publish_error` says why the last publish failed, for ``/health``. The query pool
calls it before it leases and in the background (``WorkerPool``), so an idle server
heals too.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import Store

from iqkg.faults import NO_CRASHES, CrashPoints

log = logging.getLogger("iqkg.query")

_DELETING = ".deleting"
#: Seconds between attempts to republish after a failed publish.
RETRY_PUBLISH_AFTER = 5.0


class Checkpoints:
    """The checkpoint folders of one store, newest last, with the leases on them."""

    def __init__(
        self,
        folder: Path,
        store: Store,
        *,
        writer: Callable[[], AbstractContextManager[object]] = contextlib.nullcontext,
        crashes: CrashPoints = NO_CRASHES,
    ) -> None:
        self.folder = folder
        self.store = store
        self.writer = writer
        self.crashes = crashes
        self._lock = threading.Lock()
        self._sequence = 0
        self._leases: Counter[str] = Counter()
        self._publishing: set[str] = set()  # folders being copied: not yet leasable, kept
        self.current: Path | None = None
        self.version = ""
        #: When the newest checkpoint (of :attr:`version`) was published, to the second.
        self.published_at = datetime.now(UTC).replace(microsecond=0)
        #: The newest version asked for; differs from :attr:`version` after a failed publish.
        self.wanted = ""
        #: Why the last publish failed (None once one succeeds).
        self.publish_error: str | None = None
        self._last_attempt = 0.0
        #: Set when an older folder may be deletable; cleared by :meth:`prune`.
        self.needs_pruning = False

    def reset(self) -> None:
        """Remove checkpoints a previous run left behind (no worker can be using them)."""
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True)

    # --- the writer's side -------------------------------------------------------------

    def publish(self, version: str) -> Path:
        """Snapshot the store as it is now (the writer calls this after each commit).

        Callers serialise publishes with commits (the dataset's write lock). The copy is
        made outside the lease lock, so handing out leases never waits for it.
        """
        with self._lock:
            self._sequence += 1
            target = self.folder / f"{self._sequence:08d}-{version}"
            self.wanted = version
            self._last_attempt = time.monotonic()
            self._publishing.add(str(target))
        try:
            self.folder.mkdir(parents=True, exist_ok=True)  # someone may have removed it
            self.store.flush()
            self.store.backup(str(target))
            self.crashes.reach("checkpoint.publish")
        except Exception as error:
            self.publish_error = f"{type(error).__name__}: {error}"
            shutil.rmtree(target, ignore_errors=True)
            with self._lock:
                self._publishing.discard(str(target))
            raise
        with self._lock:
            self._publishing.discard(str(target))
            self.current = target
            if version != self.version:
                self.published_at = datetime.now(UTC).replace(microsecond=0)
            self.version = version
            self.publish_error = None
            self.needs_pruning = True
        return target

    @property
    def lost_or_stale(self) -> bool:
        """The newest checkpoint is gone, or the last publish failed: time for
        :meth:`ensure_current` (cheap: an attribute and a ``stat``)."""
        return self._current_gone() or self.publish_error is not None

    def ensure_current(self) -> bool:
        """Republish when the newest checkpoint is gone or stale; True if it did.

        Runs as the writer (``writer()``), so the copy sees whole commits only. After a
        failed publish it retries at most every :data:`RETRY_PUBLISH_AFTER` seconds.
        """
        if not self._needs_republish():
            return False
        with self.writer():
            if not self._needs_republish():  # another caller healed it meanwhile
                return False
            log.warning(
                "republishing the query checkpoint (%s)",
                self.publish_error or f"{self.current} is missing",
            )
            self.publish(self.wanted)
            return True

    def _current_gone(self) -> bool:
        current = self.current
        # os.path.exists: a third of Path.exists's cost, paid on every query.
        return current is None or not os.path.exists(current)

    def _needs_republish(self) -> bool:
        if self._current_gone():
            return True
        stale = self.publish_error is not None and self.wanted != self.version
        return stale and time.monotonic() - self._last_attempt >= RETRY_PUBLISH_AFTER

    # --- the readers' side ---------------------------------------------------------------

    def lease(self) -> str:
        """The newest checkpoint, which stays on disk until :meth:`release`\\ d."""
        with self._lock:
            if self.current is None:
                raise RuntimeError("no checkpoint has been published yet")
            path = str(self.current)
            self._leases[path] += 1
            return path

    def release(self, path: str) -> None:
        """Return one lease on ``path``; its folder may go once no lease is left."""
        with self._lock:
            self._leases[path] -= 1
            if self._leases[path] <= 0:
                del self._leases[path]
                if path != str(self.current):
                    self.needs_pruning = True

    @property
    def leased(self) -> dict[str, int]:
        with self._lock:
            return dict(self._leases)

    def prune(self) -> list[Path]:
        """Delete every checkpoint but the newest and the leased ones; return them.

        The choice and the renaming out of reach happen under the lease lock; the slow
        deletion afterwards touches only folders no one can lease any more.
        """
        doomed: list[Path] = []
        with self._lock:
            self.needs_pruning = False
            keep = {str(self.current), *self._leases, *self._publishing}
            with contextlib.suppress(FileNotFoundError):
                for path in self.folder.iterdir():
                    if path.name.endswith(_DELETING):
                        doomed.append(path)
                    # A backup in progress writes ``{target}.tmp`` and renames it at the
                    # end (RocksDB checkpoints): deleting it failed the publish.
                    elif str(path) not in keep and str(path).removesuffix(".tmp") not in keep:
                        moved = path.with_name(path.name + _DELETING)
                        path.rename(moved)
                        doomed.append(moved)
        for path in doomed:
            shutil.rmtree(path, ignore_errors=True)
        return [p.with_name(p.name.removesuffix(_DELETING)) for p in doomed]
