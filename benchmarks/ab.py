"""Two iqkg source trees side by side: cheap-query throughput and server CPU, interleaved.

    python -m benchmarks.ab --a /path/to/old/src --b src [--size 10k] [--rounds 3]

On this shared 2-core machine the same server gives figures a third apart from one minute
to the next, so a change is judged against its parent in one run: both servers run at
once (each over its own copy of the same generated store, result cache off, as in
``benchmarks.run``), and for every round and client count both are loaded in turn with
``wrk``, the order alternating between rounds. Reported per client count: the median
requests per second and server CPU per request (the whole process tree, from ``/proc``)
of each tree, and B's ratio to A. ``--a``/``--b`` are ``src`` folders (a git worktree of
the parent commit makes A: ``git worktree add /tmp/base HEAD~1``).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from benchmarks.engines import Iqkg
from benchmarks.generate import parse_size, write
from benchmarks.mix import CHEAP_QUERY, load_mix
from benchmarks.procmem import tree_cpu_seconds
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
    args = parser.parse_args(argv)
    query = next(q for q in load_mix() if q.name == CHEAP_QUERY).text
    clients = [int(c) for c in args.clients.split(",")]
    engines = {"A": IqkgFrom("A", args.a), "B": IqkgFrom("B", args.b)}
    figures: dict[tuple[int, str], list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="iqkg-ab-") as tmp:
        work = Path(tmp)
        data = work / "data.nt"
        write(data, parse_size(args.size))
        try:
            for name, engine in engines.items():
                (work / name).mkdir()
                engine.start(data, work / name)
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
                        figures.setdefault((count, name), []).append(
                            (run.requests_per_second, per_request)
                        )
                        print(
                            f"round {round_ + 1}, {count} clients, {name}: "
                            f"{run.requests_per_second:,.0f} req/s, {per_request:,.0f} µs/request",
                            flush=True,
                        )
        finally:
            for engine in engines.values():
                engine.stop()
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
