"""The scale additions: the memory sampler's peak so far, the 10M goal, the store build."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks import generate, iqkg_store
from benchmarks.procmem import MemoryPeak, TreeSampler
from benchmarks.report import QUERY_DEADLINE_S, scale_goal
from benchmarks.run import EngineRun, QueryTiming, SizeRun


def test_sampler_reports_the_peak_so_far_and_goes_on() -> None:
    sampler = TreeSampler(interval=0.05)
    sampler.attach(os.getpid(), tree=False)
    so_far = sampler.peak_so_far()
    assert so_far.rss_mib > 0
    final = sampler.stop()
    assert final.rss_mib >= so_far.rss_mib


def _run(rss_mib: float, queries: dict[str, QueryTiming], triples: int = 10_000_000) -> SizeRun:
    iqkg = EngineRun("iqkg", "iqkg", start_seconds=1.0, queries=queries)
    iqkg.serving_memory = MemoryPeak(rss_mib=rss_mib)
    iqkg.memory = MemoryPeak(rss_mib=rss_mib * 3)  # the dump comes after serving
    return SizeRun("10m", triples, 1, 1.0, engines=[iqkg])


def test_scale_goal_is_met_under_2_gb_with_every_query_in_time() -> None:
    fast = QueryTiming(median_ms=100.0, samples_ms=[90.0, 100.0, 120.0], rows=3)
    outcome = scale_goal(_run(1500.0, {"01": fast}))
    assert outcome is not None and outcome[0]


@pytest.mark.parametrize(
    ("rss_mib", "timing"),
    [
        (1950.0, QueryTiming(median_ms=1.0, samples_ms=[1.0])),  # 2 GB = 1,907 MiB
        (500.0, QueryTiming(median_ms=1.0, samples_ms=[1.0, QUERY_DEADLINE_S * 1000 + 1])),
        (500.0, QueryTiming(error="HTTP 504: the query ran past its deadline")),
    ],
)
def test_scale_goal_is_missed_over_2_gb_or_past_a_deadline(
    rss_mib: float, timing: QueryTiming
) -> None:
    outcome = scale_goal(_run(rss_mib, {"01": timing}))
    assert outcome is not None and not outcome[0]


def test_benchmark_store_is_bulk_built_with_progress(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "bench.nt"
    triples = generate.write(data, 2_000)
    assert iqkg_store.main(["--store", str(tmp_path / "store"), str(data)]) == 0
    out, err = capsys.readouterr()
    assert f'"quads": {triples}' in out
    assert "MB read (100%" in err
