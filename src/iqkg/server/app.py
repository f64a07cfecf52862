"""Assemble the application: ``create_app(settings)`` is the only place routers meet.

The process that runs the app is the store's single writer: it opens the on-disk dataset
(``iqkg load`` fills it beforehand; ``make run`` does both) and hands it to the routers
through ``app.state``. Each router module may define ``async def startup(app)`` and
``async def shutdown(app)``; they run in the order of :data:`ROUTER_MODULES`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import ModuleType

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
    validation,
    web,
)
from iqkg.server.errors import install_error_handlers
from iqkg.settings import Settings
from iqkg.store.dataset import Dataset

#: Router modules, each exporting ``router`` (order = route matching order; the linked-data
#: catch-all goes last).
ROUTER_MODULES: list[ModuleType] = [health, sparql, graph_store, queries, metrics, validation]
ROUTER_MODULES += [submissions, search]
# Linked-data publication last: its /id/, /graph/, /def, /shapes routes never shadow others.
ROUTER_MODULES += [publication, pages]


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    iris = IriScheme(settings.base)
    crashes = CrashPoints(settings.crash_at)
    dataset = await run_in_threadpool(Dataset.open, settings.store, iris, crashes)
    app.state.dataset = dataset
    app.state.iris = iris
    for module in ROUTER_MODULES:
        if hasattr(module, "startup"):
            await module.startup(app)
    try:
        yield
    finally:
        for module in reversed(ROUTER_MODULES):
            if hasattr(module, "shutdown"):
                await module.shutdown(app)
        dataset.close()


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(
        title="iqkg",
        version=__version__,
        summary="Knowledge graph of the funding programme 'Integration durch Qualifizierung (IQ)'",
        lifespan=_lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    install_error_handlers(app)
    web.install(app)
    for module in ROUTER_MODULES:
        app.include_router(module.router)
    return app
