"""Throughput of one cheap query at several concurrency levels, loopback only.

Uses Debian's ``wrk`` with a generated Lua script (GET with the query in the URL and an
``Accept`` header), for a fixed duration per level; without ``wrk``, a bounded asyncio
generator on httpx does the same (slower client, so its figures are lower bounds).
Both only ever target the 127.0.0.1 endpoint the benchmark started itself.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx

from benchmarks.engines import SELECT_ACCEPT

LUA = """\
wrk.method = "GET"
wrk.path = "{path}"
wrk.headers["Accept"] = "{accept}"
"""


@dataclass(frozen=True)
class Throughput:
    clients: int
    #: Answered (2xx) requests per second: refusals and socket errors are not counted.
    requests_per_second: float
    requests: int
    errors: int
    p50_ms: float | None
    p99_ms: float | None
    tool: str
    #: Server CPU time (process tree, user + system) per answered request, in µs.
    server_cpu_us: float | None = None


def _check_loopback(endpoint: str) -> None:
    host = urlsplit(endpoint).hostname or ""
    if not (host.startswith("127.") or host in {"localhost", "::1"}):
        raise ValueError(f"load tests target loopback only, not {endpoint}")


def _to_ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def parse_wrk(output: str, clients: int) -> Throughput:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    if rps is None or total is None:
        raise RuntimeError(f"cannot read wrk output:\n{output}")
    errors = 0
    for pattern in (r"Non-2xx or 3xx responses: (\d+)", r"Socket errors:.*"):
        match = re.search(pattern, output)
        if match and match.groups():
            errors += int(match.group(1))
        elif match:
            errors += sum(int(n) for n in re.findall(r"\w+ (\d+)", match.group(0)))
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)$", output, re.MULTILINE))

    def pct(key: str) -> float | None:
        if key not in percentiles:
            return None
        found = re.match(r"([\d.]+)(\w+)", percentiles[key])
        return _to_ms(found.group(1), found.group(2)) if found else None

    # wrk's rate counts every response; a refusal (503) is no answer.
    requests = int(total.group(1))
    answered = float(rps.group(1)) * (requests - errors) / requests if requests else 0.0
    return Throughput(clients, answered, requests, errors, pct("50"), pct("99"), "wrk")


def run_wrk(endpoint: str, query: str, clients: int, seconds: int, workdir: Path) -> Throughput:
    _check_loopback(endpoint)
    parts = urlsplit(endpoint)
    path = f"{parts.path}?{urlencode({'query': query})}"
    script = workdir / "bench.lua"
    script.write_text(LUA.format(path=path, accept=SELECT_ACCEPT))
    command = [
        "wrk",
        f"-t{min(2, clients)}",
        f"-c{clients}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script),
        f"{parts.scheme}://{parts.netloc}",
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed: {result.stderr or result.stdout}")
    return parse_wrk(result.stdout, clients)


async def _async_load(endpoint: str, query: str, clients: int, seconds: int) -> Throughput:
    url = f"{endpoint}?{urlencode({'query': query})}"
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client_loop(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                response = await client.get(url, headers={"Accept": SELECT_ACCEPT})
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            if ok:
                latencies.append(time.perf_counter() - started)
            else:
                errors += 1

    async with httpx.AsyncClient(limits=limits, timeout=10.0) as client:
        started = time.perf_counter()
        await asyncio.gather(*(client_loop(client) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(q: float) -> float | None:
        return latencies[int(q * (len(latencies) - 1))] * 1000 if latencies else None

    return Throughput(
        clients, len(latencies) / elapsed, len(latencies) + errors, errors, pct(0.5), pct(0.99),
        "httpx",
    )  # fmt: skip


def measure(
    endpoint: str, query: str, clients: int, seconds: int, workdir: Path, tool: str = "auto"
) -> Throughput:
    """Requests per second for ``clients`` concurrent connections over ``seconds``."""
    _check_loopback(endpoint)
    if tool == "wrk" or (tool == "auto" and shutil.which("wrk")):
        return run_wrk(endpoint, query, clients, seconds, workdir)
    return asyncio.run(_async_load(endpoint, query, clients, seconds))


def in_process_rate(run_once: Callable[[], object], seconds: float) -> float:
    """Sequential calls per second of a zero-argument callable (one thread)."""
    count = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        run_once()
        count += 1
    return count / (time.perf_counter() - started)
