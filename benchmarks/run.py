"""Run the query mix side by side on every engine, in one run, and write the report.

    python -m benchmarks.run                      # 10k and 100k, all engines
    python -m benchmarks.run --sizes 1m --engines iqkg,pyoxigraph,virtuoso
    python -m benchmarks.run --quick              # fewer repetitions, shorter load tests
    nice -n 10 python -m benchmarks.run --sizes 10m --engines iqkg,pyoxigraph --quick

For each size: generate the data (seeded) and start every engine over it (idle servers
cost no CPU). Then, query by query, warm each engine up (``--warmup`` runs) and time
``--reps`` runs round-robin across the engines, each round starting one engine later, so
background load on the shared machine (and the cold caches a long query leaves behind)
hits all of them alike (median reported). Only one engine is ever busy at a time. Then
measure the throughput of the cheap query at each ``--clients`` level, engines taking
turns per level; memory is sampled throughout; then fetch iqkg's published dump (its
peak memory while serving is taken before, the dump's after); finally stop them all.
Above 1M triples rdflib-endpoint is left out. Rows per query are
compared across engines. Markdown and JSON go to
``benchmarks/results/`` (``latest.md``, ``latest.json``) unless ``--out`` says otherwise.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx

from benchmarks import generate, report
from benchmarks.engines import (
    DumpFetch,
    Engine,
    EngineUnavailable,
    HttpEngine,
    Iqkg,
    QueryFailed,
    StoreBuild,
    Timed,
    make_engines,
)
from benchmarks.mix import CHEAP_QUERY, BenchQuery, load_mix
from benchmarks.procmem import MemoryPeak, TreeSampler, tree_cpu_seconds
from benchmarks.throughput import Throughput, in_process_rate, measure

RESULTS_DIR = Path(__file__).parent / "results"
ALL_ENGINES = ["pyoxigraph", "iqkg", "iqkg-cached", "rdflib", "virtuoso", "bare"]
#: Above this many triples rdflib-endpoint is left out (it holds the graph in Python
#: objects: hours to load, many GB) and the report says so.
RDFLIB_MAX_TRIPLES = 1_000_000


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
    #: 1-minute load average when the engine started: other work on the machine skews
    #: the figures (the 2 cores are shared with whatever else runs).
    load_average: float | None = None
    queries: dict[str, QueryTiming] = field(default_factory=dict)
    throughput: list[Throughput] = field(default_factory=list)
    in_process_rate: float | None = None
    memory: MemoryPeak = field(default_factory=MemoryPeak)
    #: Peak while serving the mix and the load test (before the dump), if taken apart.
    serving_memory: MemoryPeak | None = None
    #: iqkg only: how its store was built, and the published dump fetched after the mix.
    store: StoreBuild | None = None
    dump: DumpFetch | None = None
    dump_error: str | None = None


@dataclass
class SizeRun:
    label: str
    triples: int
    seed: int
    generate_seconds: float
    engines: list[EngineRun] = field(default_factory=list)
    #: What was left out at this size, and why.
    notes: list[str] = field(default_factory=list)
    #: Wall time of each phase (generate, start, mix, throughput, dump), in seconds.
    phases: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Options:
    warmup: int
    reps: int
    clients: list[int]
    duration: int
    slow_seconds: float  # a query slower than this in warm-up gets fewer repetitions
    load_tool: str
    accept_encoding: str = "gzip, deflate"
    #: Load runs per engine and level; the median is reported. One 5 s run differs from
    #: the next by up to a tenth here, as much as the goals' margins.
    rounds: int = 1


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Contender:
    """An engine in the running, with its result and memory sampler."""

    engine: Engine
    result: EngineRun
    sampler: TreeSampler
    timings: dict[str, list[Timed]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.result.status == "ok"


def start_all(engines: list[Engine], data: Path, tmp: Path, label: str) -> list[Contender]:
    """Start every engine over the data; those that cannot run are marked skipped/failed."""
    contenders = []
    for engine in engines:
        result = EngineRun(engine.name, engine.label, load_average=os.getloadavg()[0])
        sampler = TreeSampler()
        contender = Contender(engine, result, sampler)
        contenders.append(contender)
        try:
            engine.check_available()
            if engine.in_process:
                sampler.attach(os.getpid(), tree=False, relative=True)
            else:
                engine.on_spawn = sampler.attach
            workdir = tmp / f"{label}-{engine.name}"
            workdir.mkdir()
            started = time.perf_counter()
            engine.start(data, workdir)
            result.start_seconds = time.perf_counter() - started
            log(f"  {engine.label}: ready in {result.start_seconds:.1f} s")
        except EngineUnavailable as error:
            result.status, result.reason = "skipped", str(error)
        except Exception as error:  # report the failure, keep benchmarking the others
            result.status, result.reason = "failed", f"{type(error).__name__}: {error}"
        if not contender.ok:
            log(f"  {engine.label}: {result.status} — {result.reason}")
            stop(contender)
    return contenders


def stop(contender: Contender) -> None:
    contender.engine.stop()
    contender.result.memory = contender.sampler.stop()


def check_alive(contender: Contender) -> None:
    """Mark an engine whose server died as failed, with its log, so the run goes on."""
    reason = contender.engine.died()
    if reason is not None and contender.ok:
        contender.result.status, contender.result.reason = "failed", reason
        log(f"  {contender.engine.label}: FAILED — {reason}")


def _summarise(samples: list[Timed], warm: list[Timed]) -> QueryTiming:
    timing = QueryTiming(samples_ms=[t.seconds * 1000 for t in samples])
    timing.median_ms = statistics.median(timing.samples_ms)
    timing.min_ms = min(timing.samples_ms)
    timing.rows = samples[-1].rows
    rows = {t.rows for t in [*warm, *samples]}
    if len(rows) > 1:
        timing.error = f"row count changed between repetitions: {sorted(rows)}"
    return timing


def time_query(contenders: list[Contender], query: BenchQuery, options: Options) -> None:
    """Warm up every engine on ``query``, then time it round-robin across engines.

    Interleaving puts every engine under the same background load: the benchmark shares
    the machine, and a burst of other work then slows all engines alike.
    """
    warm: dict[str, list[Timed]] = {}
    reps: dict[str, int] = {}
    for c in contenders:
        if not c.ok:
            continue
        try:
            warm[c.engine.name] = [c.engine.execute(query) for _ in range(max(1, options.warmup))]
        except QueryFailed as error:
            c.result.queries[query.name] = QueryTiming(error=str(error)[:300])
            check_alive(c)
            continue
        slowest = max(w.seconds for w in warm[c.engine.name])
        reps[c.engine.name] = options.reps
        if slowest > options.slow_seconds:  # keep a slow engine from dominating the run
            reps[c.engine.name] = 1 if slowest > 10 * options.slow_seconds else 3
    samples: dict[str, list[Timed]] = {name: [] for name in reps}
    for rep in range(max(reps.values(), default=0)):
        # Each repetition starts one engine later, so none always follows the same one
        # (after a long pure-Python query the next engine meets cold caches).
        start = rep % max(len(contenders), 1)
        for c in contenders[start:] + contenders[:start]:
            name = c.engine.name
            if name not in reps or rep >= reps[name] or name in c.result.queries:
                continue
            try:
                samples[name].append(c.engine.execute(query))
            except QueryFailed as error:
                c.result.queries[query.name] = QueryTiming(error=str(error)[:300])
                check_alive(c)
    shown = []
    for c in contenders:
        name = c.engine.name
        if not c.ok:
            shown.append(f"{name} {c.result.status}")
            continue
        if query.name not in c.result.queries:
            c.result.queries[query.name] = _summarise(samples[name], warm[name])
        timing = c.result.queries[query.name]
        value = f"{timing.median_ms:.1f} ms" if timing.median_ms is not None else "error"
        shown.append(
            f"{name} {value} ({timing.rows} rows){' ' + timing.error if timing.error else ''}"
        )
    log(f"    {query.name}: " + ", ".join(shown))


def measure_throughput(
    contenders: list[Contender], cheap: BenchQuery, tmp: Path, options: Options
) -> None:
    """Requests/s of the cheap query per concurrency level, engines alternating per level,
    in ``options.rounds`` rounds (every other one in the reverse engine order): the run
    with the median rate is kept, with the median server CPU per request of the runs."""
    for c in contenders:
        if c.engine.endpoint is None:
            c.result.in_process_rate = in_process_rate(
                functools.partial(c.engine.execute, cheap),
                float(options.duration),
            )
            log(f"    {c.engine.name}: {c.result.in_process_rate:.0f} queries/s in-process")
    runs: dict[tuple[int, int], list[Throughput]] = {}
    for round_ in range(options.rounds):
        order = contenders if round_ % 2 == 0 else contenders[::-1]
        for clients in options.clients:
            for c in order:
                if c.engine.endpoint is None or not c.ok:
                    continue
                outcome = _load(c, cheap, clients, tmp, options)
                if outcome is not None:
                    runs.setdefault((id(c), clients), []).append(outcome)
    for c in contenders:
        for clients in options.clients:
            if (id(c), clients) in runs:
                c.result.throughput.append(median_run(runs[(id(c), clients)]))


def _load(
    c: Contender, cheap: BenchQuery, clients: int, tmp: Path, options: Options
) -> Throughput | None:
    """One load run of ``c`` with its server CPU per request; None if it failed."""
    assert c.engine.endpoint is not None
    pid = c.engine.pid
    cpu_before = tree_cpu_seconds(pid) if pid else 0.0
    try:
        outcome = measure(
            c.engine.endpoint, cheap.text, clients, options.duration, tmp, options.load_tool
        )
        if pid and outcome.requests > outcome.errors:
            cpu = tree_cpu_seconds(pid) - cpu_before
            per_request = cpu / (outcome.requests - outcome.errors) * 1e6
            outcome = replace(outcome, server_cpu_us=per_request)
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        log(f"    {c.engine.name} at {clients} clients: load test failed: {error}")
        check_alive(c)
        return None
    log(
        f"    {c.engine.name} at {clients:>2} clients: "
        f"{outcome.requests_per_second:,.0f} req/s "
        f"({outcome.errors} errors, {outcome.tool}), "
        f"server CPU {outcome.server_cpu_us or 0:.0f} µs/request"
    )
    return outcome


def median_run(runs: list[Throughput]) -> Throughput:
    """The run with the median rate (the lower middle one of an even number), with the
    median server CPU per request of all runs that measured it."""
    middle = sorted(runs, key=lambda r: r.requests_per_second)[(len(runs) - 1) // 2]
    cpus = [r.server_cpu_us for r in runs if r.server_cpu_us is not None]
    return replace(middle, server_cpu_us=statistics.median(cpus) if cpus else None)


def run_size(
    size: int, engines: list[str], mix: list[BenchQuery], options: Options, seed: int, tmp: Path
) -> SizeRun:
    label = generate.format_size(size)
    data = tmp / f"bench-{label}.nt"
    started = time.perf_counter()
    triples = generate.write(data, size, seed)
    run = SizeRun(label, triples, seed, time.perf_counter() - started)
    run.phases["generate"] = run.generate_seconds
    log(f"== {label}: {triples} triples generated in {run.generate_seconds:.1f} s")
    if triples > RDFLIB_MAX_TRIPLES and "rdflib" in engines:
        engines = [e for e in engines if e != "rdflib"]
        run.notes.append(
            f"rdflib-endpoint left out above {RDFLIB_MAX_TRIPLES:,} triples "
            "(an in-memory rdflib Graph: too slow to load and too large at this size)."
        )
    run.notes.append(
        "No OWL RL closure: the stores hold the benchmark graph only (as `iqkg load --no-reason`)."
    )
    chosen = make_engines(engines)
    for engine in chosen:
        if isinstance(engine, HttpEngine):
            engine.accept_encoding = options.accept_encoding
    phase = time.perf_counter()
    contenders = start_all(chosen, data, tmp, label)
    run.phases["start"] = time.perf_counter() - phase
    try:
        running = [c for c in contenders if c.ok]
        phase = time.perf_counter()
        for query in mix:
            time_query(running, query, options)
        run.phases["mix"] = time.perf_counter() - phase
        cheap = next((q for q in mix if q.name == CHEAP_QUERY), None)
        if cheap is not None:
            phase = time.perf_counter()
            measure_throughput(running, cheap, tmp, options)
            run.phases["throughput"] = time.perf_counter() - phase
        phase = time.perf_counter()
        for c in running:
            fetch_dump(c)
        run.phases["dump"] = time.perf_counter() - phase
    finally:
        for c in contenders:
            if c.result.start_seconds is not None:  # started (and not stopped on failure)
                stop(c)
    run.engines = [c.result for c in contenders]
    return run


def fetch_dump(contender: Contender) -> None:
    """iqkg: note the peak so far (serving), then time a full dump through the server."""
    engine = contender.engine
    if not isinstance(engine, Iqkg) or not contender.ok:
        return
    contender.result.store = engine.store_build
    contender.result.serving_memory = contender.sampler.peak_so_far()
    try:
        contender.result.dump = dump = engine.fetch_dump()
    except (QueryFailed, httpx.HTTPError) as error:
        contender.result.dump_error = f"{type(error).__name__}: {error}"[:300]
        log(f"    {engine.name} dump failed: {contender.result.dump_error}")
        check_alive(contender)
        return
    megabytes = dump.size_bytes / 1e6
    log(f"    {engine.name} dump {dump.name}: {megabytes:,.1f} MB in {dump.seconds:.1f} s")


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
    parser.add_argument(
        "--rounds", type=int, help="load runs per engine and level, median kept (default 3)"
    )
    parser.add_argument("--slow", type=float, default=2.0, help="slow-query threshold (s)")
    parser.add_argument("--load-tool", choices=["auto", "wrk", "httpx"], default="auto")
    parser.add_argument(
        "--accept-encoding",
        default="gzip, deflate",
        help="Accept-Encoding of the latency client ('identity': no compression)",
    )
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
        accept_encoding=args.accept_encoding,
        rounds=args.rounds if args.rounds is not None else (1 if args.quick else 3),
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
