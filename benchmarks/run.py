"""Run the query mix side by side on every engine, in one run, and write the report.

    python -m benchmarks.run                      # 10k and 100k, all engines
    python -m benchmarks.run --sizes 1m --engines iqkg,pyoxigraph,virtuoso
    python -m benchmarks.run --quick              # fewer repetitions, shorter load tests

For each size: generate the data (seeded), then for each engine in turn (never two at
once, so they do not compete for the 2 cores): start it over the data, run every query
``--warmup`` times untimed and ``--reps`` times timed (median reported), measure the
throughput of the cheap query at each ``--clients`` level, sample memory throughout,
stop it. Rows per query are compared across engines. Markdown and JSON go to
``benchmarks/results/`` (``latest.md``, ``latest.json``) unless ``--out`` says otherwise.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import generate, report
from benchmarks.engines import Engine, EngineUnavailable, QueryFailed, make_engines
from benchmarks.mix import CHEAP_QUERY, BenchQuery, load_mix
from benchmarks.procmem import MemoryPeak, TreeSampler
from benchmarks.throughput import Throughput, in_process_rate, measure

RESULTS_DIR = Path(__file__).parent / "results"
ALL_ENGINES = ["pyoxigraph", "iqkg", "rdflib", "virtuoso"]


@dataclass
class QueryTiming:
    median_ms: float | None = None
    min_ms: float | None = None
    samples_ms: list[float] = field(default_factory=list)
    rows: int | None = None
    error: str | None = None


@dataclass
class EngineRun:
    name: str
    label: str
    status: str = "ok"  # ok | skipped | failed
    reason: str = ""
    start_seconds: float | None = None
    queries: dict[str, QueryTiming] = field(default_factory=dict)
    throughput: list[Throughput] = field(default_factory=list)
    in_process_rate: float | None = None
    memory: MemoryPeak = field(default_factory=MemoryPeak)


@dataclass
class SizeRun:
    label: str
    triples: int
    seed: int
    generate_seconds: float
    engines: list[EngineRun] = field(default_factory=list)


@dataclass(frozen=True)
class Options:
    warmup: int
    reps: int
    clients: list[int]
    duration: int
    slow_seconds: float  # a query slower than this in warm-up gets fewer repetitions
    load_tool: str


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def time_query(engine: Engine, query: BenchQuery, options: Options) -> QueryTiming:
    timing = QueryTiming()
    try:
        warm = [engine.execute(query) for _ in range(max(1, options.warmup))]
        slowest = max(w.seconds for w in warm)
        reps = options.reps
        if slowest > options.slow_seconds:
            reps = 1 if slowest > 10 * options.slow_seconds else min(reps, 3)
        timed = [engine.execute(query) for _ in range(reps)]
    except QueryFailed as error:
        timing.error = str(error)[:300]
        return timing
    timing.samples_ms = [t.seconds * 1000 for t in timed]
    timing.median_ms = statistics.median(timing.samples_ms)
    timing.min_ms = min(timing.samples_ms)
    rows = {t.rows for t in [*warm, *timed]}
    timing.rows = timed[-1].rows
    if len(rows) > 1:
        timing.error = f"row count changed between repetitions: {sorted(rows)}"
    return timing


def run_engine(
    engine: Engine, data: Path, workdir: Path, mix: list[BenchQuery], options: Options
) -> EngineRun:
    result = EngineRun(engine.name, engine.label)
    try:
        engine.check_available()
    except EngineUnavailable as error:
        result.status, result.reason = "skipped", str(error)
        log(f"  {engine.label}: skipped — {error}")
        return result
    sampler = TreeSampler(None if engine.in_process else lambda: engine.pid)
    with sampler:
        try:
            started = time.perf_counter()
            engine.start(data, workdir)
            result.start_seconds = time.perf_counter() - started
            log(f"  {engine.label}: ready in {result.start_seconds:.1f} s")
            for query in mix:
                result.queries[query.name] = timing = time_query(engine, query, options)
                shown = f"{timing.median_ms:.1f} ms" if timing.median_ms is not None else "-"
                log(f"    {query.name}: {shown}, rows={timing.rows} {timing.error or ''}")
            cheap = next((q for q in mix if q.name == CHEAP_QUERY), None)
            if cheap is not None:
                measure_throughput(engine, cheap, workdir, options, result)
        except EngineUnavailable as error:
            result.status, result.reason = "skipped", str(error)
            log(f"  {engine.label}: skipped — {error}")
        except Exception as error:  # report the failure, keep benchmarking the others
            result.status, result.reason = "failed", f"{type(error).__name__}: {error}"
            log(f"  {engine.label}: FAILED — {result.reason}")
        finally:
            engine.stop()
    result.memory = sampler.peak
    return result


def measure_throughput(
    engine: Engine, cheap: BenchQuery, workdir: Path, options: Options, result: EngineRun
) -> None:
    if engine.endpoint is None:
        result.in_process_rate = in_process_rate(
            lambda: engine.execute(cheap), float(options.duration)
        )
        log(f"    in-process rate: {result.in_process_rate:.0f} queries/s (1 thread)")
        return
    for clients in options.clients:
        outcome = measure(
            engine.endpoint, cheap.text, clients, options.duration, workdir, options.load_tool
        )
        result.throughput.append(outcome)
        log(
            f"    {clients:>3} clients: {outcome.requests_per_second:.0f} req/s "
            f"({outcome.errors} errors, {outcome.tool})"
        )


def run_size(
    size: int, engines: list[str], mix: list[BenchQuery], options: Options, seed: int, tmp: Path
) -> SizeRun:
    label = generate.format_size(size)
    data = tmp / f"bench-{label}.nt"
    started = time.perf_counter()
    triples = generate.write(data, size, seed)
    run = SizeRun(label, triples, seed, time.perf_counter() - started)
    log(f"== {label}: {triples} triples generated in {run.generate_seconds:.1f} s")
    for engine in make_engines(engines):
        workdir = tmp / f"{label}-{engine.name}"
        workdir.mkdir()
        run.engines.append(run_engine(engine, data, workdir, mix, options))
    return run


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k", help="comma-separated, e.g. 10k,100k,1m")
    parser.add_argument("--engines", default=",".join(ALL_ENGINES))
    parser.add_argument("--queries", default="", help="only these query-name prefixes")
    parser.add_argument("--quick", action="store_true", help="1 warm-up, 3 reps, 3 s load")
    parser.add_argument("--warmup", type=int)
    parser.add_argument("--reps", type=int)
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--duration", type=int, help="seconds per throughput level")
    parser.add_argument("--slow", type=float, default=2.0, help="slow-query threshold (s)")
    parser.add_argument("--load-tool", choices=["auto", "wrk", "httpx"], default="auto")
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="report directory")
    parser.add_argument("--name", default="latest", help="report file stem")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    options = Options(
        warmup=args.warmup if args.warmup is not None else (1 if args.quick else 2),
        reps=args.reps if args.reps is not None else (3 if args.quick else 7),
        clients=[int(c) for c in args.clients.split(",") if c],
        duration=args.duration if args.duration is not None else (3 if args.quick else 5),
        slow_seconds=args.slow,
        load_tool=args.load_tool,
    )
    sizes = [generate.parse_size(s) for s in args.sizes.split(",") if s]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    mix = load_mix(only=[q for q in args.queries.split(",") if q] or None)
    runs: list[SizeRun] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="iqkg-bench-") as tmp:
        for size in sizes:
            runs.append(run_size(size, engines, mix, options, args.seed, Path(tmp)))
    elapsed = time.perf_counter() - started
    markdown = report.render_markdown(runs, mix, options, elapsed)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.name}.md").write_text(markdown, encoding="utf-8")
    (args.out / f"{args.name}.json").write_text(
        report.render_json(runs, mix, options, elapsed), encoding="utf-8"
    )
    print(markdown)
    log(f"written: {args.out / (args.name + '.md')} and .json ({elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
