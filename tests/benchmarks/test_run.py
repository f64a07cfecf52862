"""benchmarks/run.py: the order engines are timed in, and which load run the report keeps."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.engines import Engine, Timed
from benchmarks.mix import BenchQuery
from benchmarks.procmem import TreeSampler
from benchmarks.run import Contender, EngineRun, Options, median_run, time_query
from benchmarks.throughput import Throughput


class _Recorded(Engine):
    """An engine that notes when it was asked, in a log shared with the others."""

    def __init__(self, name: str, log: list[str]) -> None:
        self.name = self.label = name
        self.log = log

    def start(self, data: Path, workdir: Path) -> None:
        pass

    def execute(self, query: BenchQuery) -> Timed:
        self.log.append(self.name)
        return Timed(0.001, 1)

    def stop(self) -> None:
        pass


def test_each_repetition_starts_one_engine_later() -> None:
    """Round-robin with a turning start: no engine always follows the same one."""
    log: list[str] = []
    contenders = [
        Contender(_Recorded(name, log), EngineRun(name, name), TreeSampler()) for name in "abc"
    ]
    options = Options(warmup=1, reps=4, clients=[], duration=1, slow_seconds=2.0, load_tool="wrk")
    time_query(contenders, BenchQuery("q", "q", "ASK {}"), options)
    assert log[3:] == [*"abc", *"bca", *"cab", *"abc"]  # after one warm-up each
    assert all(c.result.queries["q"].rows == 1 for c in contenders)


def _run(rate: float, cpu: float | None) -> Throughput:
    return Throughput(
        clients=1,
        requests_per_second=rate,
        requests=int(rate * 5),
        errors=0,
        p50_ms=1000 / rate,
        p99_ms=2000 / rate,
        tool="wrk",
        server_cpu_us=cpu,
    )


@pytest.mark.parametrize(
    ("runs", "rate", "cpu"),
    [
        ([(1900, 400), (2100, 380), (1700, 450)], 1900, 400),  # the middle rate, its p50
        ([(1900, 400), (2100, 380)], 1900, 390),  # even: the lower middle, CPU averaged
        ([(1800, None), (2000, 500), (1900, 300)], 1900, 400),  # CPU of the runs with one
        ([(1800, None)], 1800, None),
    ],
)
def test_the_median_run_is_kept_with_the_median_cpu(
    runs: list[tuple[float, float | None]], rate: float, cpu: float | None
) -> None:
    kept = median_run([_run(r, c) for r, c in runs])
    assert kept.requests_per_second == rate
    assert kept.p50_ms == pytest.approx(1000 / rate)  # the whole run, not a mix of runs
    assert kept.server_cpu_us == cpu
