"""Build an iqkg store holding the benchmark data as its own named graph.

    python -m benchmarks.iqkg_store --store DIR bench.nt

Uses iqkg's own :class:`~iqkg.store.dataset.Dataset`: the triples are bulk-added into
``graph/bench`` (a throw-away store, so no transaction is needed), then an empty write
stamps a dataset version into ``graph/meta`` as every real write does. The server started
afterwards just opens the directory; its default graph is the union of the public graphs.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pyoxigraph as ox

from benchmarks.generate import BENCH_GRAPH
from iqkg.rdf.iris import IriScheme
from iqkg.store.dataset import Dataset


def build(store: Path, data: Path) -> int:
    if store.exists():
        shutil.rmtree(store)
    dataset = Dataset.open(store, IriScheme())
    graph = ox.NamedNode(BENCH_GRAPH)
    dataset.add_quads(
        ox.Quad(t.subject, t.predicate, t.object, graph)
        for t in ox.parse(path=str(data), format=ox.RdfFormat.N_TRIPLES)
    )
    dataset.write([])
    count = dataset.count(BENCH_GRAPH)
    dataset.close()
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("data", type=Path)
    args = parser.parse_args(argv)
    build(args.store, args.data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
