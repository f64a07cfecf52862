"""Assemble the application: ``create_app(settings)`` is the only place routers meet.

The process that runs the app is the store's single writer: its lifespan opens the
on-disk dataset (``iqkg load`` fills it beforehand; ``make run`` does both), builds the
:class:`~iqkg.server.services.Services` the routes share — in one visible order, each
part by the builder of the router module that uses it — and yields them as lifespan
state. Nothing is kept on the application object. On shutdown the parts are closed in reverse.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from types import ModuleType
from typing import Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from iqkg import __version__
from iqkg.faults import CrashPoints
from iqkg.rdf.iris import IriScheme
from iqkg.server import (
    graph_store,
    health,
    metrics,
    pages,
    publication,
    queries,
    search,
    sparql,
    submissions,
    templates,
    validation,
    web,
)
from iqkg.server.errors import install_error_handlers
from iqkg.server.fast_path import IqkgApp
from iqkg.server.services import STATE_KEY, Services
from iqkg.settings import Settings
from iqkg.store.dataset import Dataset

#: Router modules, each exporting ``router`` (order = route matching order; the linked-data
#: catch-all goes last).
ROUTER_MODULES: list[ModuleType] = [health, sparql, graph_store, queries, metrics, validation]
ROUTER_MODULES += [submissions, search]
# Linked-data publication last: its /id/, /graph/, /def, /shapes routes never shadow others.
ROUTER_MODULES += [publication, pages]

#: What the lifespan yields: Starlette copies it into every request's ``request.state``.
State = Mapping[str, Any]


def _lifespan(settings: Settings) -> Callable[[FastAPI], AbstractAsyncContextManager[State]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[State]:
        iris = IriScheme(settings.base)
        crashes = CrashPoints(settings.crash_at)
        dataset = await run_in_threadpool(Dataset.open, settings.store, iris, crashes)
        sparql_state = await sparql.build_sparql(settings, dataset)
        checking = await validation.build_checking(settings, dataset)
        services = Services(
            settings=settings,
            iris=iris,
            dataset=dataset,
            sparql=sparql_state,
            checking=checking,
            search=search.build_search(settings, iris),
            publication=publication.build_publication(settings),
            catalogue=queries.CatalogueCache(settings.queries_dir),
            templates=templates.build_templates(),
        )
        try:
            yield {STATE_KEY: services}
        finally:
            await validation.close_checking(checking)
            await sparql.close_sparql(sparql_state, dataset)
            dataset.close()

    return lifespan


def create_app(settings: Settings) -> FastAPI:
    # IqkgApp: FastAPI with a direct path for SPARQL queries (iqkg.server.fast_path).
    app = IqkgApp(
        title="iqkg",
        version=__version__,
        summary="Knowledge graph of the funding programme 'Integration durch Qualifizierung (IQ)'",
        lifespan=_lifespan(settings),
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        # iqkg exports no OpenTelemetry (its counters are /metrics); FastAPI's native
        # telemetry would still look up three providers on every request to find that
        # out (~7 µs of a cheap query's ~600 µs of server CPU).
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    install_error_handlers(app)
    web.install(app)
    for module in ROUTER_MODULES:
        app.include_router(module.router)
    app.mount("/static", pages.static_files(), name="static")
    publication.install_base_path(app, settings)
    return app
