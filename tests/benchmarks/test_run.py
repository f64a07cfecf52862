"""benchmarks/run.py: which of several load runs the report keeps."""

from __future__ import annotations

import pytest

from benchmarks.run import median_run
from benchmarks.throughput import Throughput


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
