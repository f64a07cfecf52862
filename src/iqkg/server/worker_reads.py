"""The server's own whole-store computations, run in the query workers with a deadline.

VoID statistics (counts over the whole public union) and a Graph Store ``GET`` (a whole
graph, serialised) grow with the store. Like clients' queries they run as SPARQL in the
query worker pool (:mod:`iqkg.query.workers`) over the newest checkpoint, never in the
server process: past ``IQKG_QUERY_TIMEOUT`` the worker is killed and the caller gets
:class:`~iqkg.errors.QueryTimeout` (504) with a message naming what was being computed;
a full pool gives :class:`~iqkg.errors.Overloaded` (503). The event loop only waits.

They ask the pool as its internal client (``client=None``: not held to a public client's
share) and are counted in ``iqkg_internal_queries_total{purpose, outcome}``, not in the
clients' ``iqkg_sparql_queries_total`` (:mod:`iqkg.server.metrics`).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from iqkg.errors import IqkgError, Overloaded, QueryTimeout
from iqkg.publish.void import VoidStats, stats_from_rows, stats_queries
from iqkg.query.execution import NO_ROW_LIMIT, QueryBatch, QueryJob
from iqkg.query.workers import Outcome
from iqkg.rdf.formats import RdfSyntax
from iqkg.server.services import Services

#: Every public graph's triples, or the store's default graph's (no graph named).
GRAPH_CONTENT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


async def run_internal(
    services: Services, job: QueryJob | QueryBatch, purpose: str, doing: str
) -> Outcome:
    """Run ``job`` in a query worker with the query deadline, counted under ``purpose``
    (a metrics label); ``doing`` says what for in a timeout's message."""
    sparql = services.sparql
    timeout = services.settings.query_timeout
    outcome = "failed"
    try:
        answer = await sparql.pool.run(job, timeout)
        outcome = "ok"
        return answer
    except QueryTimeout:
        outcome = "timeout"
        raise QueryTimeout(
            f"{doing} ran past the query deadline of {timeout:g} s and was "
            "stopped; the store has grown beyond what it can be computed in. Retry later, or "
            "ask the operator to raise IQKG_QUERY_TIMEOUT."
        ) from None
    except Overloaded:
        outcome = "overloaded"
        raise
    except IqkgError:
        outcome = "failed"
        raise
    except asyncio.CancelledError:
        outcome = "cancelled"
        raise
    finally:
        sparql.metrics.internal.labels(purpose, outcome).inc()


async def void_stats(services: Services) -> VoidStats:
    """The VoID statistics of the served version: cached, or computed in one worker on
    one checkpoint (so every number and the version agree).

    Requests that arrive while the statistics of their version are being computed wait
    for that one computation (and share its answer or its error) instead of each
    starting its own, so none waits longer than one deadline; a client that leaves does
    not cancel it for the others.
    """
    publication = services.publication
    version = services.sparql.served.version
    cached = publication.void.get(version)
    if cached is not None:
        return cached
    computing = publication.void_computing
    task = computing.get(version)
    if task is None:
        task = asyncio.ensure_future(_compute_void(services))
        computing[version] = task

        def done(finished: asyncio.Task[VoidStats]) -> None:
            computing.pop(version, None)
            if not finished.cancelled():
                finished.exception()  # retrieved: every waiter may have left

        task.add_done_callback(done)
    return await asyncio.shield(task)


async def _compute_void(services: Services) -> VoidStats:
    queries = stats_queries(services.iris)
    batch = QueryBatch(
        tuple(
            QueryJob(q, "json", row_limit=NO_ROW_LIMIT, union_default=True)
            for q in queries.values()
        )
    )
    answer = await run_internal(
        services, batch, "void", "computing the VoID statistics (/.well-known/void)"
    )
    documents: list[dict[str, Any]] = json.loads(b"".join(answer.chunks))
    stats = stats_from_rows(
        {name: _values(document) for name, document in zip(queries, documents, strict=True)}
    )
    services.publication.void.put(stats)
    return stats


def _values(document: dict[str, Any]) -> list[dict[str, str]]:
    """The rows of SPARQL 1.1 JSON results, each bound term as its value."""
    bindings: list[dict[str, dict[str, str]]] = document["results"]["bindings"]
    return [{name: term["value"] for name, term in row.items()} for row in bindings]


async def graph_content(services: Services, graph: str | None, syntax: RdfSyntax) -> bytes:
    """One graph (``None``: the store's default graph), whole, serialised in ``syntax``."""
    job = QueryJob(
        GRAPH_CONTENT,
        syntax.name,
        default_graphs=(graph,) if graph is not None else (),
        named_graphs=(),
        row_limit=NO_ROW_LIMIT,
    )
    answer = await run_internal(
        services, job, "graph_store", f"reading the graph <{graph or 'default'}> whole"
    )
    return b"".join(answer.chunks)
