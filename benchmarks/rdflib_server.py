"""rdflib-endpoint over the benchmark data, as its users run it: one uvicorn process.

    python -m benchmarks.rdflib_server --data bench.nt --port 8101

The data goes into a plain rdflib ``Graph``, so its default graph is the data itself
(the other engines see the same triples as the union of their named graphs).
"""

from __future__ import annotations

import argparse
import time

import uvicorn
from rdflib import Graph
from rdflib_endpoint import SparqlEndpoint


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="N-Triples file")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    graph = Graph()
    graph.parse(args.data, format="nt")
    print(f"loaded {len(graph)} triples in {time.perf_counter() - started:.1f} s", flush=True)
    app = SparqlEndpoint(graph=graph, path="/sparql", title="rdflib-endpoint (benchmark)")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
