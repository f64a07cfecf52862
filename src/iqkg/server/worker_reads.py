"""The server's own whole-store computations, run in the query workers with a deadline.

Whatever the server reads of the whole store grows with it: VoID statistics (``void``),
a Graph Store ``GET`` (``graph_store``: a whole graph, serialised), the home page's
numbers and lists (``home``), the search index's statements (``search_index``) and the
dumps (``dumps``: written to files by the worker, :mod:`iqkg.query.dumping`). Like
clients' queries they run in the query worker pool (:mod:`iqkg.query.workers`) over the
newest checkpoint, never in the server process: past the deadline (``IQKG_QUERY_TIMEOUT``;
``IQKG_DUMP_TIMEOUT`` for the dumps) the worker is killed and the caller gets
:class:`~iqkg.errors.QueryTimeout` (504) with a message naming what was being computed;
a full pool gives :class:`~iqkg.errors.Overloaded` (503). The event loop only waits.

They ask the pool as its internal client (``client=None``: not held to a public client's
share) and are counted in ``iqkg_internal_queries_total{purpose, outcome}`` under the
purposes above, not in the clients' ``iqkg_sparql_queries_total``
(:mod:`iqkg.server.metrics`). What stays in the server's thread pool is bounded by
design: one resource's description (:mod:`iqkg.publish.describe`), the labels of what a
page shows, and what is made of the ontology graph alone (``/def``, the JSON-LD context).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Generic, TypeVar

from starlette.concurrency import run_in_threadpool

from iqkg.errors import IqkgError, Overloaded, QueryTimeout
from iqkg.publish.curated import HomeData, home_from_rows, home_queries
from iqkg.publish.dumps import DUMP_FORMATS, DumpSet
from iqkg.publish.search import index_queries, statements_from_bindings
from iqkg.publish.void import VoidStats, stats_from_rows, stats_queries
from iqkg.query.dumping import DumpFileJob, DumpJob
from iqkg.query.execution import NO_ROW_LIMIT, QueryBatch, QueryJob
from iqkg.query.workers import Outcome
from iqkg.rdf.formats import RdfSyntax
from iqkg.server.services import Services

T = TypeVar("T")

#: Every public graph's triples, or the store's default graph's (no graph named).
GRAPH_CONTENT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


async def run_internal(
    services: Services,
    job: QueryJob | QueryBatch | DumpJob,
    purpose: str,
    doing: str,
    *,
    dump: bool = False,
) -> Outcome:
    """Run ``job`` in a query worker with the query deadline (with ``dump``, the dump
    deadline), counted under ``purpose`` (a metrics label); ``doing`` says what for in a
    timeout's message."""
    sparql = services.sparql
    settings = services.settings
    timeout = settings.dump_timeout if dump else settings.query_timeout
    setting = "IQKG_DUMP_TIMEOUT" if dump else "IQKG_QUERY_TIMEOUT"
    outcome = "failed"
    try:
        answer = await sparql.pool.run(job, timeout)
        outcome = "ok"
        return answer
    except QueryTimeout:
        outcome = "timeout"
        raise QueryTimeout(
            f"{doing} ran past its deadline of {timeout:g} s and was stopped; the store "
            "has grown beyond what it can be computed in. Retry later, or ask the operator "
            f"to raise {setting}."
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


class PerVersion(Generic[T]):
    """One value per dataset version, computed once: the newest kept in memory, and
    requests that arrive while it is being computed wait for that one computation (and
    share its answer or its error) instead of each starting its own, so none waits
    longer than one deadline; a client that leaves does not cancel it for the others."""

    def __init__(self) -> None:
        self._newest: tuple[str, T] | None = None
        self._computing: dict[str, asyncio.Task[T]] = {}

    async def get(self, version: str, compute: Callable[[], Coroutine[Any, Any, T]]) -> T:
        if self._newest is not None and self._newest[0] == version:
            return self._newest[1]
        task = self._computing.get(version)
        if task is None:
            task = asyncio.ensure_future(compute())
            self._computing[version] = task

            def done(finished: asyncio.Task[T]) -> None:
                self._computing.pop(version, None)
                if finished.cancelled() or finished.exception() is not None:
                    return  # the exception is retrieved: every waiter may have left
                self._newest = (version, finished.result())

            task.add_done_callback(done)
        return await asyncio.shield(task)


async def _batch_rows(
    services: Services, queries: Mapping[str, str], purpose: str, doing: str
) -> dict[str, list[dict[str, dict[str, str]]]]:
    """The bindings of every query of ``queries``, answered together on one checkpoint
    (SPARQL 1.1 JSON results: each bound term as ``type``, ``value``, ``xml:lang``)."""
    batch = QueryBatch(
        tuple(
            QueryJob(q, "json", row_limit=NO_ROW_LIMIT, union_default=True)
            for q in queries.values()
        )
    )
    answer = await run_internal(services, batch, purpose, doing)
    # Off the event loop: the search index's answer holds every name of the dataset.
    documents: list[dict[str, Any]] = await run_in_threadpool(json.loads, b"".join(answer.chunks))
    return {
        name: document["results"]["bindings"]
        for name, document in zip(queries, documents, strict=True)
    }


async def void_stats(services: Services) -> VoidStats:
    """The VoID statistics of the served version: computed once per version, in one
    worker on one checkpoint (so every number and the version agree)."""
    version = services.sparql.served.version
    return await services.publication.void.get(version, lambda: _compute_void(services))


async def _compute_void(services: Services) -> VoidStats:
    rows = await _value_rows(
        services,
        stats_queries(services.iris),
        "void",
        "computing the VoID statistics (/.well-known/void)",
    )
    return stats_from_rows(rows)


async def _value_rows(
    services: Services, queries: Mapping[str, str], purpose: str, doing: str
) -> dict[str, list[dict[str, str]]]:
    """:func:`_batch_rows` with each bound term as its value (for answers whose terms'
    kinds are known: counts, IRIs)."""
    rows = await _batch_rows(services, queries, purpose, doing)
    return {
        name: [{var: term["value"] for var, term in row.items()} for row in bindings]
        for name, bindings in rows.items()
    }


async def home_data(services: Services) -> HomeData:
    """The home page's numbers and lists of the served version: computed once per
    version, in one worker on one checkpoint."""

    async def compute() -> HomeData:
        rows = await _value_rows(
            services,
            home_queries(services.iris),
            "home",
            "computing the home page's statistics and lists (/)",
        )
        return home_from_rows(rows)

    return await services.publication.home.get(services.sparql.served.version, compute)


async def current_search_index(services: Services) -> None:
    """Make the search index that of the served version, if it is not: its statements
    read by a worker on one checkpoint, the SQLite file then built in the thread pool
    (local, from those rows). Once per version, shared by the searches meanwhile."""
    search = services.search
    version = services.sparql.served.version
    if await run_in_threadpool(search.index.built_version) == version:
        return

    async def compute() -> None:
        rows = await _batch_rows(
            services,
            index_queries(services.iris),
            "search_index",
            "building the search index (/search)",
        )
        built = next((row["v"]["value"] for row in rows["version"]), "0")
        statements = statements_from_bindings(rows["statements"])
        await run_in_threadpool(search.index.build, statements, built)

    await search.building.get(version, compute)


async def current_dumps(services: Services) -> DumpSet:
    """The dumps of the served version: already on disk, or written by a worker from
    its checkpoint straight into a new folder (within ``IQKG_DUMP_TIMEOUT``), which is
    then moved into place under the version the worker read. Once per version."""
    publication = services.publication
    dumps = publication.dumps
    version = services.sparql.served.version
    ready = await run_in_threadpool(dumps.ready, version)
    if ready is not None:
        return ready

    async def compute() -> DumpSet:
        building = await run_in_threadpool(dumps.building)
        try:
            job = DumpJob(str(building), DUMP_FILES)
            answer = await run_internal(
                services, job, "dumps", "writing the dumps (/dumps/)", dump=True
            )
            written = b"".join(answer.chunks).decode()
            return await run_in_threadpool(dumps.install, building, written)
        except BaseException:
            await asyncio.shield(run_in_threadpool(dumps.discard, building))
            raise

    return await publication.dumping.get(version, compute)


#: The files of a dump as a worker writes them (:data:`~iqkg.publish.dumps.DUMP_FORMATS`).
DUMP_FILES = tuple(DumpFileJob(f.name, f.syntax.name, f.gzipped, f.union) for f in DUMP_FORMATS)


async def graph_content(services: Services, graph: str | None, syntax: RdfSyntax) -> bytes:
    """One graph (``None``: the store's default graph), whole, serialised in ``syntax``."""
    if graph is None:  # the store's own default graph: the endpoint's non-union dataset
        job = QueryJob(GRAPH_CONTENT, syntax.name, row_limit=NO_ROW_LIMIT, union_default=False)
    else:
        job = QueryJob(
            GRAPH_CONTENT, syntax.name, (graph,), named_graphs=(), row_limit=NO_ROW_LIMIT
        )
    answer = await run_internal(
        services, job, "graph_store", f"reading the graph <{graph or 'default'}> whole"
    )
    return b"".join(answer.chunks)
