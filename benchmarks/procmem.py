"""Peak memory of a process tree, sampled from ``/proc`` (Linux only, no dependency).

A server may fork query workers, so the sampler sums over the process and all its
descendants. RSS counts pages shared between them (copy-on-write, mmap'ed store files)
once per process; PSS splits shared pages between sharers and is the fairer figure for
multi-process servers. Both are reported.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

_PROC = Path("/proc")


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name (field 2) may contain spaces; fields after its ')' are fixed.
        fields = stat.rsplit(")", 1)[1].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants that are alive now."""
    children = _children_map()
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def _kib(path: Path, key: str) -> int:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_kib(pid: int) -> int:
    return _kib(_PROC / str(pid) / "status", "VmRSS:")


def pss_kib(pid: int) -> int:
    return _kib(_PROC / str(pid) / "smaps_rollup", "Pss:")


@dataclass
class MemoryPeak:
    rss_mib: float = 0.0
    pss_mib: float = 0.0
    baseline_rss_mib: float = 0.0
    baseline_pss_mib: float = 0.0
    processes: int = 0


class TreeSampler:
    """Samples the memory of a process tree in a background thread until stopped.

    ``root`` returns the tree's root pid, or None while there is none yet (a server not
    yet spawned). Without ``root`` it samples this process only and reports the peak
    *above* its memory at start (for an engine that runs inside the benchmark process).
    """

    def __init__(self, root: Callable[[], int | None] | None = None, interval: float = 0.1) -> None:
        self.root = root
        self.interval = interval
        self.peak = MemoryPeak()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        if root is None:
            self.peak.baseline_rss_mib = rss_kib(os.getpid()) / 1024
            self.peak.baseline_pss_mib = pss_kib(os.getpid()) / 1024

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def sample(self) -> None:
        if self.root is None:
            pids = [os.getpid()]
        else:
            pid = self.root()
            if pid is None:
                return
            pids = process_tree(pid)
        rss = sum(rss_kib(p) for p in pids) / 1024
        pss = sum(pss_kib(p) for p in pids) / 1024
        if self.root is None:
            rss -= self.peak.baseline_rss_mib
            pss -= self.peak.baseline_pss_mib
        self.peak.rss_mib = max(self.peak.rss_mib, rss)
        self.peak.pss_mib = max(self.peak.pss_mib, pss)
        self.peak.processes = max(self.peak.processes, len(pids))

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def stop(self) -> MemoryPeak:
        if not self._stop.is_set():
            self._stop.set()
            if self._thread.is_alive():
                self._thread.join()
            self.sample()
        return self.peak
