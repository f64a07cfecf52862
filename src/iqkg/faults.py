"""Named crash points: deterministic SIGKILLs for the crash tests.

A crash test must kill the server at a known moment, not after a guessed delay (on a
loaded machine every guessed kill landed before the answer). Code that matters for
all-or-nothing calls :meth:`CrashPoints.reach` with a name from :data:`POINTS`; when the
setting ``IQKG_CRASH_AT=name[:n]`` names that point, the n-th time it is reached (default
the first) the process is SIGKILLed there, as a power cut would. Unset (the default and
every production setting), ``reach`` is one comparison.

The object is built once from :class:`~iqkg.settings.Settings` and handed to the dataset,
the checkpoints and the worker pools; no module reads the environment for it.
"""

from __future__ import annotations

import logging
import os
import signal
import threading

log = logging.getLogger("iqkg.faults")

#: Every crash point, and where it is.
POINTS: dict[str, str] = {
    "submission.parsed": "a submission's body is parsed and checked (in a worker), nothing written",
    "write.staged": "a write's new graphs are bulk-written, its transaction not begun",
    "write.transaction": "inside the write transaction, after its changes, before its commit",
    "write.committed": "after a write committed and its checkpoint is published, before the answer",
    "checkpoint.publish": "a checkpoint is copied but not yet the current one",
    "worker.warm-up": "a new worker process is started but has not opened its checkpoint "
    "(the worker is killed, not the server)",
}


def parse_crash_at(spec: str) -> tuple[str, int]:
    """``name[:n]`` → (name, n); raises ValueError naming the known points."""
    name, _, nth = spec.partition(":")
    if name not in POINTS:
        raise ValueError(f"unknown crash point {name!r}; known: {', '.join(sorted(POINTS))}")
    if nth and (not nth.isdigit() or int(nth) < 1):
        raise ValueError(f"the count after ':' in {spec!r} must be a positive integer")
    return name, int(nth or 1)


class CrashPoints:
    """The one armed crash point of this process (or none)."""

    def __init__(self, spec: str | None = None) -> None:
        self.name: str | None = None
        self.nth = 0
        if spec:
            self.name, self.nth = parse_crash_at(spec)
        self._reached = 0
        self._lock = threading.Lock()

    def armed(self, name: str) -> bool:
        """Whether ``name`` may still fire (lets callers skip preparing a crash)."""
        return self.name == name and self._reached < self.nth

    def reach(self, name: str, *, pid: int | None = None) -> None:
        """SIGKILL this process (or ``pid``) if this is the armed point's n-th visit."""
        if self.name != name:
            return
        with self._lock:
            self._reached += 1
            fire = self._reached == self.nth
        if fire:
            victim = os.getpid() if pid is None else pid
            log.critical("crash point %s reached: SIGKILL to process %d", name, victim)
            os.kill(victim, signal.SIGKILL)


#: Disarmed crash points, the default wherever none are passed.
NO_CRASHES = CrashPoints()
