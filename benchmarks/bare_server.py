"""A bare FastAPI + pyoxigraph endpoint: the floor for a Python HTTP front end.

    python -m benchmarks.bare_server --data bench.nt --store DIR --port 8102

No worker processes, deadlines, negotiation, middleware or access log: ``GET /sparql``
evaluates in uvicorn's thread pool over the union of the named graphs and answers SPARQL
JSON (SELECT/ASK) or N-Triples (CONSTRUCT) with pyoxigraph's serialisers. Comparing iqkg
against it shows what iqkg's safety features (process isolation with deadlines, limits,
metrics) cost per request; it is not a product and not in the default engine list.
"""

from __future__ import annotations

import argparse

import pyoxigraph as ox
import uvicorn
from fastapi import FastAPI, Query
from fastapi.responses import Response

from benchmarks.generate import BENCH_GRAPH


def create_app(store: ox.Store) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/sparql")
    def sparql(query: str = Query(...)) -> Response:  # sync: runs in the thread pool
        result = store.query(query, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryTriples):
            body = result.serialize(format=ox.RdfFormat.N_TRIPLES) or b""
            return Response(body, media_type="application/n-triples")
        body = result.serialize(format=ox.QueryResultsFormat.JSON) or b""
        return Response(body, media_type="application/sparql-results+json")

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="N-Triples file")
    parser.add_argument("--store", required=True, help="directory for the on-disk store")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    store = ox.Store(args.store)
    store.bulk_load(
        path=args.data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(BENCH_GRAPH)
    )
    uvicorn.run(
        create_app(store), host=args.host, port=args.port, log_level="warning", access_log=False
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
