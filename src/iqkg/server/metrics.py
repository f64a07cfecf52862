"""``/metrics``: Prometheus text exposition of the SPARQL service.

One :class:`SparqlMetrics` per app (its own registry: no global state), kept in the
services (``sparql.metrics``, :mod:`iqkg.server.services`) and fed by the SPARQL router
and the worker pool.
"""

from __future__ import annotations

import asyncio
import time
from types import TracebackType

from fastapi import APIRouter, Request
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import ClientDisconnect
from starlette.responses import Response

from iqkg.errors import IqkgError, Overloaded, QueryRefused, QuerySyntaxError, QueryTimeout
from iqkg.server.services import get_services

router = APIRouter()

disable_created_metrics()  # type: ignore[no-untyped-call]  # *_created series are noise

#: Outcomes a query is counted under. Only "ok" and "truncated" were executed by a worker
#: (and have latency samples); "cache_hit" and "not_modified" were answered without one.
#: Editor page views (a browser opening /sparql) are not queries and are not counted.
OUTCOMES = (
    "ok",
    "truncated",
    "cache_hit",
    "not_modified",
    "syntax_error",
    "refused",
    "bad_request",
    "timeout",
    "overloaded",
    "failed",
    "cancelled",
)


#: The outcomes of queries a worker executed: only they give latency samples.
EXECUTED = ("ok", "truncated")


def outcome_of(error: BaseException) -> str:
    """The outcome a failed query request is counted under."""
    if isinstance(error, asyncio.CancelledError | ClientDisconnect):  # the client went away
        return "cancelled"
    if not isinstance(error, IqkgError):  # a bug
        return "failed"
    if isinstance(error, QueryTimeout):
        return "timeout"
    if isinstance(error, Overloaded):
        return "overloaded"
    if isinstance(error, QuerySyntaxError):
        return "syntax_error"
    if isinstance(error, QueryRefused):
        return "refused"
    return "bad_request" if error.status < 500 else "failed"


class SparqlMetrics:
    """The counters, histogram and gauges of one running service."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.queries = Counter(
            "iqkg_sparql_queries",
            "SPARQL query requests answered, by outcome (executed: ok, truncated).",
            ["outcome"],
            registry=self.registry,
        )
        #: Each outcome's counter, looked up once (``labels`` takes a lock every call).
        self.by_outcome = {outcome: self.queries.labels(outcome) for outcome in OUTCOMES}
        self.latency = Histogram(
            "iqkg_sparql_query_duration_seconds",
            "Time from receiving a query to having its answer, in seconds (executed only).",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=self.registry,
        )
        self.timeouts = Counter(
            "iqkg_sparql_timeouts", "Queries stopped at their deadline.", registry=self.registry
        )
        self.restarts = Counter(
            "iqkg_query_worker_restarts",
            "Query worker processes killed and replaced, by reason.",
            ["reason"],
            registry=self.registry,
        )
        for reason in ("timeout", "crash", "cancelled"):
            self.restarts.labels(reason)
        self.workers = Gauge(
            "iqkg_query_workers", "Live query worker processes.", registry=self.registry
        )
        self.busy = Gauge(
            "iqkg_query_workers_busy", "Query workers answering a query.", registry=self.registry
        )
        self.waiting = Gauge(
            "iqkg_query_queue_length", "Queries waiting for a worker.", registry=self.registry
        )
        self.cache_hits = Counter(
            "iqkg_sparql_result_cache_hits",
            "Queries answered from the result cache (no worker involved).",
            registry=self.registry,
        )
        self.internal = Counter(
            "iqkg_internal_queries",
            "The server's own jobs in the query workers (void, graph_store, home, "
            "search_index, dumps), by purpose and outcome; not in iqkg_sparql_queries, "
            "which counts clients' queries only.",
            ["purpose", "outcome"],
            registry=self.registry,
        )
        self.updates = Counter(
            "iqkg_sparql_updates", "Updates applied through /update.", registry=self.registry
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)

    def meter(self) -> QueryMeter:
        return QueryMeter(self)


class QueryMeter:
    """Counts one query request under its outcome when it ends, however it ends.

    The route sets :attr:`outcome` when the answer came another way than by a worker
    (``cache_hit``, ``not_modified``) or was cut (``truncated``); an exception leaving the
    block decides it instead (:func:`outcome_of`). Only executed queries are timed.
    """

    def __init__(self, metrics: SparqlMetrics) -> None:
        self.metrics = metrics
        self.outcome = "ok"
        self.started = 0.0

    def __enter__(self) -> QueryMeter:
        self.started = time.perf_counter()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if error is not None:
            self.outcome = outcome_of(error)
        if self.outcome == "timeout":
            self.metrics.timeouts.inc()
        counter = self.metrics.by_outcome.get(self.outcome)
        (counter or self.metrics.queries.labels(self.outcome)).inc()
        if self.outcome == "cache_hit":
            self.metrics.cache_hits.inc()
        if self.outcome in EXECUTED:
            self.metrics.latency.observe(time.perf_counter() - self.started)


@router.get("/metrics", tags=["meta"], include_in_schema=False)
async def metrics(request: Request) -> Response:
    sparql = get_services(request).sparql
    collected, pool = sparql.metrics, sparql.pool
    collected.workers.set(len(pool.workers))
    collected.busy.set(pool.busy)
    collected.waiting.set(pool.waiting)
    return Response(collected.render(), media_type=CONTENT_TYPE_LATEST)
