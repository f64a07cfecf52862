"""Reading wrk's report, and the loopback-only guard of the load generator."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.throughput import measure, parse_wrk

WRK_OUTPUT = """\
Running 5s test @ http://127.0.0.1:40000
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.22ms    2.57ms  31.92ms   79.77%
    Req/Sec     1.38k   361.22     1.80k    77.50%
  Latency Distribution
     50%    2.61ms
     75%    3.90ms
     90%    5.95ms
     99%   13.10ms
  13730 requests in 5.01s, 8.47MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   2742.70
Transfer/sec:      1.69MB
"""


def test_parse_wrk_reads_rate_errors_and_percentiles() -> None:
    result = parse_wrk(WRK_OUTPUT, clients=8)
    # Answered requests only: the 7 errors of 13,730 are not counted in the rate.
    assert result.requests_per_second == pytest.approx(2742.70 * (13730 - 7) / 13730)
    assert result.requests == 13730
    assert result.errors == 4 + 3
    assert result.p50_ms == pytest.approx(2.61)
    assert result.p99_ms == pytest.approx(13.10)


def test_load_is_refused_for_anything_but_loopback(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="loopback"):
        measure("http://192.0.2.1:8000/sparql", "ASK {}", 1, 1, tmp_path)
