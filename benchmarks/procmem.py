"""Peak memory of a process tree, sampled from ``/proc`` (Linux only, no dependency).

A server may fork query workers, so the sampler sums over the process and all its
descendants. RSS counts pages shared between them (copy-on-write, mmap'ed store files)
once per process; PSS splits shared pages between sharers and is the fairer figure for
multi-process servers. Both are reported.

    python -m benchmarks.procmem PID INTERVAL [--tree] [--relative]

samples until its standard input closes, then prints the peak as JSON; any byte read
before that prints the peak so far (a JSON line) and sampling goes on.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import sys
from dataclasses import asdict, dataclass
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


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (0 when it is gone)."""
    try:
        fields = (_PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of a process and its living descendants: diff two readings around a load
    test for the server's CPU cost per request, which other load on the machine hardly
    changes (unlike requests per second)."""
    return sum(cpu_seconds(p) for p in process_tree(pid))


@dataclass
class MemoryPeak:
    rss_mib: float = 0.0
    pss_mib: float = 0.0
    baseline_rss_mib: float = 0.0
    baseline_pss_mib: float = 0.0
    processes: int = 0


def _sample(pid: int, tree: bool, baseline: MemoryPeak, peak: MemoryPeak) -> None:
    pids = process_tree(pid) if tree else [pid]
    rss = sum(rss_kib(p) for p in pids) / 1024 - baseline.rss_mib
    pss = sum(pss_kib(p) for p in pids) / 1024 - baseline.pss_mib
    peak.rss_mib = max(peak.rss_mib, rss)
    peak.pss_mib = max(peak.pss_mib, pss)
    peak.processes = max(peak.processes, len(pids))


def sample_until_eof(pid: int, tree: bool, relative: bool, interval: float) -> MemoryPeak:
    """Sample until standard input closes; the loop of the sampler process."""
    baseline = MemoryPeak()
    if relative:
        baseline = MemoryPeak(rss_kib(pid) / 1024, pss_kib(pid) / 1024)
    peak = MemoryPeak(baseline_rss_mib=baseline.rss_mib, baseline_pss_mib=baseline.pss_mib)
    while True:
        _sample(pid, tree, baseline, peak)
        readable, _, _ = select.select([sys.stdin], [], [], interval)
        if not readable:
            continue
        if not sys.stdin.read(1):
            _sample(pid, tree, baseline, peak)
            return peak
        _sample(pid, tree, baseline, peak)  # a byte asks for the peak so far
        print(json.dumps(asdict(peak)), flush=True)


class TreeSampler:
    """Samples the memory of a process (tree) from a separate sampler process.

    Sampling from a thread of the benchmark process would take the GIL from the
    in-process engine and slow it down, so a small child process does the sampling and
    reports the peak when told to stop. :meth:`attach` starts it: with ``tree=True`` for
    a server and its workers; with ``relative=True`` (the benchmark process itself) the
    peak is reported *above* the memory at attach time.
    """

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak = MemoryPeak()
        self._process: subprocess.Popen[str] | None = None

    def attach(self, pid: int, *, tree: bool = True, relative: bool = False) -> None:
        if self._process is not None:
            return
        command = [sys.executable, "-m", "benchmarks.procmem", str(pid), str(self.interval)]
        command += ["--tree"] if tree else []
        command += ["--relative"] if relative else []
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).parent.parent,
        )

    def peak_so_far(self) -> MemoryPeak:
        """The peak up to now, sampling on (e.g. before a phase that is reported apart)."""
        if self._process is None or self._process.stdin is None or self._process.stdout is None:
            return self.peak
        self._process.stdin.write("p")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        with contextlib.suppress(ValueError, TypeError):
            return MemoryPeak(**json.loads(line))
        return self.peak

    def stop(self) -> MemoryPeak:
        if self._process is None:
            return self.peak
        output, _ = self._process.communicate(timeout=30)
        self._process = None
        with contextlib.suppress(ValueError, TypeError):
            self.peak = MemoryPeak(**json.loads(output))
        return self.peak


def main(argv: list[str]) -> int:
    pid, interval = int(argv[0]), float(argv[1])
    peak = sample_until_eof(pid, "--tree" in argv, "--relative" in argv, interval)
    print(json.dumps(asdict(peak)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
