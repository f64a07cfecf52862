"""Two iqkg source trees side by side: cheap-query throughput and server CPU, interleaved.

    python -m benchmarks.ab --a /path/to/old/src --b src [--size 10k] [--rounds 3]
    python -m benchmarks.ab --a /path/to/old/src --b src --mix [--size 10k] [--runs 9]

On this shared 2-core machine the same server gives figures a third apart from one minute
to the next, so a change is judged against its parent in one run: both servers run at
once (each over its own copy of the same generated store, result cache off, as in
``benchmarks.run``), and for every round and client count both are loaded in turn with
``wrk``, the order alternating between rounds. Reported per client count: the median
requests per second and server CPU per request (the whole process tree, from ``/proc``)
of each tree, and B's ratio to A. ``--a``/``--b`` are ``src`` folders (a git worktree of
the parent commit makes A: ``git worktree add /tmp/base HEAD~1``).

``--mix`` compares the query mix's latency instead: every query of ``benchmarks/queries``
over HTTP on both trees, the two alternating run by run, beside in-process pyoxigraph,
with the goal the report marks (within 1.3× or +3 ms of pyoxigraph).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from benchmarks.engines import InProcessOxigraph, Iqkg
from benchmarks.generate import parse_size, write
from benchmarks.mix import CHEAP_QUERY, load_mix
from benchmarks.procmem import tree_cpu_seconds
from benchmarks.report import LATENCY_FACTOR, LATENCY_SLACK_MS
from benchmarks.throughput import measure


class IqkgFrom(Iqkg):
    """iqkg served from the ``src`` folder ``source`` (first on the server's path)."""

    def __init__(self, name: str, source: Path) -> None:
        super().__init__()
        self.name = self.label = name
        self.settings = {**Iqkg.settings, "PYTHONPATH": str(source.resolve())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--a", type=Path, required=True, help="src folder of the base")
    parser.add_argument("--b", type=Path, required=True, help="src folder of the change")
    parser.add_argument("--size", default="10k", help="triples in the store (default 10k)")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=6, help="per run")
    parser.add_argument("--mix", action="store_true", help="the query mix's latency instead")
    parser.add_argument("--runs", type=int, default=9, help="timed runs per query (--mix)")
    args = parser.parse_args(argv)
    engines = {"A": IqkgFrom("A", args.a), "B": IqkgFrom("B", args.b)}
    with tempfile.TemporaryDirectory(prefix="iqkg-ab-") as tmp:
        work = Path(tmp)
        data = work / "data.nt"
        write(data, parse_size(args.size))
        try:
            for name, engine in engines.items():
                (work / name).mkdir()
                engine.start(data, work / name)
            if args.mix:
                _latency(engines, data, work, args.runs, args.size)
            else:
                _throughput(engines, work, args)
        finally:
            for engine in engines.values():
                engine.stop()
    return 0


def _throughput(engines: dict[str, IqkgFrom], work: Path, args: argparse.Namespace) -> None:
    query = next(q for q in load_mix() if q.name == CHEAP_QUERY).text
    clients = [int(c) for c in args.clients.split(",")]
    figures: dict[tuple[int, str], list[tuple[float, float]]] = {}
    for round_ in range(args.rounds):
        order = ("A", "B") if round_ % 2 == 0 else ("B", "A")
        for count in clients:
            for name in order:
                engine = engines[name]
                assert engine.endpoint is not None and engine.pid is not None
                before = tree_cpu_seconds(engine.pid)
                run = measure(engine.endpoint, query, count, args.seconds, work)
                cpu = tree_cpu_seconds(engine.pid) - before
                per_request = cpu / max(run.requests, 1) * 1e6
                figures.setdefault((count, name), []).append((run.requests_per_second, per_request))
                print(
                    f"round {round_ + 1}, {count} clients, {name}: "
                    f"{run.requests_per_second:,.0f} req/s, {per_request:,.0f} µs/request",
                    flush=True,
                )
    print(f"\nmedians over {args.rounds} rounds of {args.seconds} s ({args.size} triples):")
    print("| clients | A req/s | B req/s | B/A | A µs/request | B µs/request | B/A |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for count in clients:
        a, b = figures[(count, "A")], figures[(count, "B")]
        rate_a, rate_b = (statistics.median(r for r, _ in x) for x in (a, b))
        cpu_a, cpu_b = (statistics.median(c for _, c in x) for x in (a, b))
        print(
            f"| {count} | {rate_a:,.0f} | {rate_b:,.0f} | {rate_b / rate_a:.2f}× "
            f"| {cpu_a:,.0f} | {cpu_b:,.0f} | {cpu_b / cpu_a:.2f}× |"
        )


def _latency(engines: dict[str, IqkgFrom], data: Path, work: Path, runs: int, size: str) -> None:
    """Median latency of each mix query on A and B (alternating) and in process."""
    reference = InProcessOxigraph()
    (work / "pyoxigraph").mkdir()
    reference.start(data, work / "pyoxigraph")
    print(f"median latency in ms over {runs} runs ({size} triples; ✗ past the goal):")
    print("| query | pyoxigraph | allowed | A | B | B/A |")
    print("|---|---:|---:|---:|---:|---:|")
    for query in load_mix():
        for warmed in (*engines.values(), reference):
            warmed.execute(query)
            warmed.execute(query)
        times: dict[str, list[float]] = {"A": [], "B": [], "pyoxigraph": []}
        for run in range(runs):
            for name in ("A", "B") if run % 2 == 0 else ("B", "A"):
                times[name].append(engines[name].execute(query).seconds * 1000)
            times["pyoxigraph"].append(reference.execute(query).seconds * 1000)
        ref, a, b = (statistics.median(times[n]) for n in ("pyoxigraph", "A", "B"))
        allowed = max(ref * LATENCY_FACTOR, ref + LATENCY_SLACK_MS)
        a_cell, b_cell = (f"{t:.2f}{'' if t <= allowed else ' ✗'}" for t in (a, b))
        print(
            f"| {query.name} | {ref:.2f} | {allowed:.2f} | {a_cell} | {b_cell} | {b / a:.2f}× |",
            flush=True,
        )
    reference.stop()


if __name__ == "__main__":
    raise SystemExit(main())
