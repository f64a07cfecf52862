"""Build an iqkg store holding the benchmark data as its own named graph.

    python -m benchmarks.iqkg_store --store DIR bench.nt

Uses iqkg's own :func:`~iqkg.store.bulk.bulk_build`: Oxigraph's bulk loader fills a fresh
store beside ``DIR`` with the triples in ``graph/bench``, an empty write stamps a dataset
version into ``graph/meta`` as every real write does, and the store is renamed into place
once complete. Progress (MB read) goes to standard error; the last line of standard output
is a JSON summary (quads, seconds) for the benchmark. The server started afterwards just
opens the directory; its default graph is the union of the public graphs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from benchmarks.generate import BENCH_GRAPH
from iqkg.rdf.iris import IriScheme
from iqkg.store.bulk import BulkBuild, bulk_build

_MB = 1024 * 1024


def build(store: Path, data: Path, *, progress: bool = False) -> BulkBuild:
    started = time.perf_counter()

    def report(done: int, total: int) -> None:
        elapsed = time.perf_counter() - started
        print(
            f"    iqkg store: {done / _MB:,.0f} of {total / _MB:,.0f} MB read "
            f"({done / max(total, 1):.0%}, {elapsed:.0f} s)",
            file=sys.stderr,
            flush=True,
        )

    return bulk_build(
        store,
        data,
        graph=BENCH_GRAPH,
        iris=IriScheme(),
        syntax=ox.RdfFormat.N_TRIPLES,
        on_progress=report if progress else None,
        progress_every=128 * _MB,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.add_argument("data", type=Path)
    args = parser.parse_args(argv)
    built = build(args.store, args.data, progress=not args.quiet)
    summary = {
        "quads": built.quads,
        "load_seconds": round(built.load_seconds, 2),
        "seconds": round(built.seconds, 2),
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
