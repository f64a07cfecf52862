"""``/sparql`` (SPARQL 1.1 Protocol query operation) and ``/update`` (operator only).

Transport only: the request is read here, checked by :mod:`iqkg.query.policy` and
:mod:`iqkg.query.protocol`, answered by the worker pool (:mod:`iqkg.query.workers`), and
every failure is raised as an iqkg error that ``server/errors.py`` turns into a status.
Nothing blocking runs on the event loop: queries run in worker processes, the service
description and updates in the thread pool.

Conditional requests: a ``GET`` answer carries an ``ETag`` made of the dataset version
and the request, and ``Last-Modified`` of the last write, so a repeated ``GET`` with
``If-None-Match`` (or ``If-Modified-Since``) is answered 304 without running the query
(:mod:`iqkg.server.conditional` decides).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MultiDict
from starlette.responses import Response

from iqkg.errors import (
    InputError,
    NotAcceptable,
    PayloadTooLarge,
    QueryRefused,
    QuerySyntaxError,
    UnsupportedMediaType,
)
from iqkg.query.checkpoints import Checkpoints
from iqkg.query.description import serialize_description, service_description
from iqkg.query.protocol import (
    MISSING_QUERY,
    check_iri,
    content_type,
    single,
)
from iqkg.query.result_cache import ResultCache
from iqkg.query.update import prepare_update
from iqkg.query.workers import WorkerPool
from iqkg.rdf.formats import GRAPH_SYNTAXES, negotiate
from iqkg.server.bodies import read_limited, request_media_type
from iqkg.server.clients import client_identity
from iqkg.server.conditional import entity_tag, format_http_date, not_modified
from iqkg.server.metrics import SparqlMetrics
from iqkg.server.operator import require_operator
from iqkg.server.query_pipeline import Params, check, execute, format_names, plan, respond
from iqkg.server.services import get_services
from iqkg.settings import Settings
from iqkg.store.dataset import Dataset

router = APIRouter(tags=["sparql"])


FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
HTML = ("text/html", "application/xhtml+xml")


@dataclass
class Served:
    """The dataset version the workers see, and when it was written: that of the newest
    published checkpoint, whoever published it — the writer after a commit, or the pool
    healing a failed publish later (answers, caches and ETags then move on with it)."""

    checkpoints: Checkpoints
    _formatted: tuple[datetime, str] | None = field(default=None, init=False, repr=False)

    @property
    def version(self) -> str:
        return self.checkpoints.version

    @property
    def modified(self) -> datetime:
        return self.checkpoints.published_at

    @property
    def last_modified(self) -> str:
        """``modified`` as an HTTP-date, formatted once per version, not once per query."""
        modified = self.modified
        if self._formatted is None or self._formatted[0] != modified:
            self._formatted = (modified, format_http_date(modified))
        return self._formatted[1]


# --- lifecycle ---------------------------------------------------------------------------


def checkpoints_folder(settings: Settings) -> Path:
    return settings.checkpoints_dir or settings.store.parent / f"{settings.store.name}.checkpoints"


@dataclass
class SparqlState:
    """The query side of the server: workers on checkpoints, and what answers depend on."""

    metrics: SparqlMetrics
    pool: WorkerPool
    served: Served
    #: Called by the writer after each committed write (publishes the new checkpoint).
    published: Callable[[str], None]
    #: Serialized service descriptions of the current version, by (version, endpoint, syntax).
    service_descriptions: dict[tuple[str, str, str], bytes]
    result_cache: ResultCache


async def build_sparql(settings: Settings, dataset: Dataset) -> SparqlState:
    """Publish the first checkpoint and start the query workers."""
    metrics = SparqlMetrics()
    checkpoints = Checkpoints(
        checkpoints_folder(settings),
        dataset.store,
        writer=dataset.writing,
        crashes=dataset.crashes,
    )
    await run_in_threadpool(checkpoints.reset)
    version = await run_in_threadpool(lambda: dataset.version)
    await run_in_threadpool(checkpoints.publish, version)
    served = Served(checkpoints)

    def published(new_version: str) -> None:
        checkpoints.publish(new_version)  # before the writer's response: read-your-writes

    dataset.on_write.append(published)
    pool = WorkerPool(
        settings.query_workers,
        settings.queue_size,
        checkpoints,
        settings.base,
        allow_network=bool(settings.service_allowlist),
        memory_mb=settings.worker_memory_mb,
        on_restart=lambda reason: metrics.restarts.labels(reason).inc(),
        client_share=settings.client_worker_share,
        client_queue_share=settings.client_queue_share,
        crashes=dataset.crashes,
    )
    await pool.start()
    return SparqlState(
        metrics, pool, served, published, {}, ResultCache(settings.result_cache_bytes)
    )


async def close_sparql(state: SparqlState, dataset: Dataset) -> None:
    if state.published in dataset.on_write:
        dataset.on_write.remove(state.published)
    await state.pool.stop()


# --- /sparql -------------------------------------------------------------------------------


@router.api_route("/sparql", methods=["GET", "HEAD"], summary="SPARQL query (GET)")
async def sparql_get(request: Request) -> Response:
    return await answer_get(request, request.query_params)


async def answer_get(request: Request, params: Params) -> Response:
    """``GET``/``HEAD /sparql`` given its query parameters (the direct path,
    :mod:`iqkg.server.fast_path`, parses them its own way)."""
    if "query" not in params:
        if "update" in params:
            raise QueryRefused("updates are not accepted here; POST them to /update.")
        if "graph" in params or "default" in params:
            # Jena's GSP client would read a service description as the graph's content.
            raise InputError(
                "graph=/default are Graph Store Protocol parameters; GET /store?graph=<iri> "
                "(or /store?default) reads a graph, /sparql answers queries."
            )
        return await _without_query(request)
    return await _answer(request, single(params.getlist("query"), "query"), params)


@router.post("/sparql", summary="SPARQL query (POST form or application/sparql-query)")
async def sparql_post(request: Request) -> Response:
    settings = get_services(request).settings
    media_type = request_media_type(request)
    if media_type == SPARQL_QUERY:
        body = await _body(request, settings.max_query_bytes)
        return await _answer(request, _text(body), request.query_params)
    if media_type == FORM:
        body = await _body(request, settings.max_query_bytes + 65_536)
        fields = MultiDict(parse_qsl(_text(body), keep_blank_values=True))
        if "query" not in fields and "update" in fields:
            raise QueryRefused("updates are not accepted here; POST them to /update.")
        merged = MultiDict([*request.query_params.multi_items(), *fields.multi_items()])
        return await _answer(request, single(fields.getlist("query"), "query"), merged)
    if media_type == SPARQL_UPDATE:
        raise QueryRefused("updates are not accepted here; POST them to /update.")
    raise UnsupportedMediaType(
        f"Content-Type {media_type or '(none)'!r} is not a way to send a query; use "
        f"{SPARQL_QUERY} (the query as the body) or {FORM} (field 'query')."
    )


async def _answer(request: Request, query: str | None, params: Params) -> Response:
    """The query pipeline (:mod:`iqkg.server.query_pipeline`), counted by outcome."""
    services = get_services(request)
    accept = request.headers.get("accept")
    if _is_browser(request, accept, params):
        from iqkg.server.queries import editor_page

        return editor_page(request, query or "")  # a page view, not a query: not counted
    with services.sparql.metrics.meter() as meter:
        checked = check(query, params, accept, services)
        planned = plan(checked, params, request.method, services)
        if request.method in ("GET", "HEAD"):
            unchanged = not_modified(request, planned.headers)
            if unchanged is not None:
                meter.outcome = "not_modified"
                return unchanged
        executed = await execute(planned, services, await client_identity(request))
        if executed.from_cache:
            meter.outcome = "cache_hit"
        elif executed.answer.truncated:
            meter.outcome = "truncated"
        return respond(executed, planned, services.settings.row_limit)


def _is_browser(request: Request, accept: str | None, params: Params) -> bool:
    """A browser following a link (``GET``, HTML preferred, no ``format``) gets the editor."""
    if format_names(params) or not accept or "html" not in accept:
        return False
    if request.method not in ("GET", "HEAD"):
        return False
    try:
        return negotiate(accept, ["application/sparql-results+json", *HTML]) in HTML
    except NotAcceptable:
        return False


async def _without_query(request: Request) -> Response:
    """No query: the editor for browsers, the service description for RDF clients."""
    accept = request.headers.get("accept")
    offered = [mt for s in GRAPH_SYNTAXES for mt in s.media_types]
    try:
        chosen = negotiate(accept, [*offered, *HTML])
    except NotAcceptable:
        raise InputError(MISSING_QUERY) from None
    if chosen in HTML:
        from iqkg.server.queries import editor_page

        return editor_page(request, "")
    syntax = next(s for s in GRAPH_SYNTAXES if chosen in s.media_types)
    services = get_services(request)
    endpoint = str(request.url.replace(query=None, fragment=None))
    key = (services.sparql.served.version, endpoint, syntax.name)
    endpoint_digest = hashlib.blake2b(endpoint.encode("utf-8"), digest_size=6).hexdigest()
    headers = {
        "Content-Type": content_type(syntax.media_type),
        "Vary": "Accept",
        "ETag": entity_tag(key[0], "description", syntax.name, endpoint_digest),
        "Cache-Control": "no-cache",
    }
    unchanged = not_modified(request, headers)
    if unchanged is not None:
        return unchanged
    cache = services.sparql.service_descriptions
    if key not in cache:
        dataset = services.dataset
        federated = bool(services.settings.service_allowlist)
        settings = services.settings
        triples = await run_in_threadpool(
            lambda: service_description(
                dataset.store,
                dataset.iris,
                endpoint,
                federated=federated,
                union_default=settings.default_graph == "union",
                update=bool(settings.admin_token),
            )
        )
        # Keep the variants (formats, host names) of the current version, a bounded number.
        if len(cache) >= 16 or any(k[0] != key[0] for k in cache):
            cache.clear()
        cache[key] = serialize_description(triples, syntax)
    return Response(cache[key], headers=headers)


# --- /update -------------------------------------------------------------------------------


@router.post("/update", summary="SPARQL 1.1 Update (operator credentials required)")
async def update(request: Request) -> Response:
    services = get_services(request)
    settings = services.settings
    require_operator(request, settings, "/update")
    media_type = request_media_type(request)
    if media_type == SPARQL_UPDATE:
        params: Params = request.query_params
        text: str | None = _text(await _body(request, settings.max_query_bytes))
    elif media_type == FORM:
        body = await _body(request, settings.max_query_bytes + 65_536)
        params = MultiDict(
            [
                *request.query_params.multi_items(),
                *parse_qsl(_text(body), keep_blank_values=True),
            ]
        )
        text = single(params.getlist("update"), "update")
    else:
        raise UnsupportedMediaType(
            f"Content-Type {media_type or '(none)'!r} is not a way to send an update; use "
            f"{SPARQL_UPDATE} or {FORM} (field 'update')."
        )
    if "query" in params and text is None:
        raise QueryRefused("queries are not accepted here; send them to /sparql.")
    if text is None:
        raise InputError("no update given: send it as the body or the form field 'update'.")
    if len(text.encode("utf-8")) > settings.max_query_bytes:
        raise PayloadTooLarge(f"the update is larger than {settings.max_query_bytes} bytes.")
    dataset = services.dataset
    base_iri = settings.base + "update"
    prepared = prepare_update(
        text,
        dataset.iris,
        base_iri=base_iri,
        using_graphs=_graph_names(params, "using-graph-uri"),
        using_named_graphs=_graph_names(params, "using-named-graph-uri"),
        allowlist=frozenset(settings.service_allowlist),
    )
    if prepared.empty:  # SPARQL 1.1 Update §3: an empty request is a valid update
        version = services.sparql.served.version
        return Response(
            f"nothing to do; dataset version {version}\n",
            media_type="text/plain",
            headers={"X-IQKG-Dataset-Version": version},
        )
    # Parsed first in a checking worker, with the query deadline: a text that kills its
    # parser or takes minutes to parse never reaches the writer (which holds the write lock).
    checker = services.checking.checker
    await checker.preflight_update(
        # (operations that name "all graphs" are spelt out for none: the syntax is the same)
        ops if isinstance(ops := prepared.operations, str) else ops([]),
        base_iri,
        settings.query_timeout,
    )
    version = await run_in_threadpool(
        lambda: dataset.apply_update(
            prepared.operations,
            base_iri=base_iri,
            guarded=prepared.guarded,
            union_default=settings.default_graph == "union",
        )
    )
    services.sparql.metrics.updates.inc()
    return Response(
        f"update applied; dataset version {version}\n",
        media_type="text/plain",
        headers={"X-IQKG-Dataset-Version": version},
    )


def _graph_names(params: Params, parameter: str) -> list[str]:
    """Graph IRIs of ``using-graph-uri``/``using-named-graph-uri``: absolute IRIs only."""
    names = params.getlist(parameter)
    for name in names:
        check_iri(parameter, name)
    return names


# --- request bodies ---------------------------------------------------------------------------


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise QuerySyntaxError(
            f"the request body is not UTF-8 (byte {error.start}); SPARQL is sent as UTF-8."
        ) from None


async def _body(request: Request, limit: int) -> bytes:
    return await read_limited(
        request,
        limit,
        setting="IQKG_MAX_QUERY_BYTES",
        advice="Shorten the query, e.g. move long VALUES lists into data.",
    )
