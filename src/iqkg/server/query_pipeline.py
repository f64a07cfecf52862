"""The stages of one SPARQL query request: check, plan, execute, respond.

In the manner of Fuseki's action lifecycle (validate, then execute), each stage is a
function with one job, and what one stage decides is a value the next one takes:

1. :func:`check` — the protocol parameters and the query itself (read-only, no
   ``SERVICE`` outside the allow-list, no hidden graph), and the result syntax. Raises
   the client's error; nothing has been computed yet.
2. :func:`plan` — the answer's headers (``ETag`` of the dataset version and the request),
   the result-cache key and the worker job. Pure: the route decides a conditional ``GET``
   (304) from the planned headers before anything runs.
3. :func:`execute` — the cached answer, or a query worker's on the newest checkpoint
   within the deadline (cached afterwards if no write came meanwhile).
4. :func:`respond` — the body with its headers, the truncation warning if the row limit
   cut it.

The route (:mod:`iqkg.server.sparql`) runs them inside a
:class:`~iqkg.server.metrics.QueryMeter`, which counts the request under its outcome.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from starlette.datastructures import ImmutableMultiDict
from starlette.responses import Response, StreamingResponse

from iqkg.query.execution import QueryJob
from iqkg.query.policy import QueryShape, inspect_query
from iqkg.query.protocol import (
    ProtocolRequest,
    check_graphs,
    choose_syntax,
    content_type,
    protocol_request,
)
from iqkg.query.result_cache import CachedAnswer, CacheKey
from iqkg.server.conditional import entity_tag
from iqkg.server.services import Services

Params = ImmutableMultiDict[str, str]


@dataclass(frozen=True)
class CheckedQuery:
    """A request that may run: its protocol parameters, its shape and its result syntax."""

    request: ProtocolRequest
    shape: QueryShape
    syntax_name: str
    media_type: str


@dataclass(frozen=True)
class QueryPlan:
    """What answering a checked query takes, decided before anything runs."""

    headers: dict[str, str]
    version: str
    cache_key: CacheKey
    job: QueryJob
    timeout: float
    #: RAND, NOW, UUID, BNODE, SERVICE: never answered from, or stored in, the cache.
    volatile: bool


@dataclass(frozen=True)
class Executed:
    answer: CachedAnswer
    #: Answered from the result cache rather than by a worker.
    from_cache: bool


def format_names(params: Params) -> list[str]:
    """``format=`` and ``output=`` (the names Fuseki and Virtuoso clients send)."""
    return [*params.getlist("format"), *params.getlist("output")]


def check(
    query: str | None, params: Params, accept: str | None, services: Services
) -> CheckedQuery:
    settings = services.settings
    names = format_names(params)
    request = protocol_request(
        query,
        default_graphs=params.getlist("default-graph-uri"),
        named_graphs=params.getlist("named-graph-uri"),
        format_name=names[0] if names else None,
        timeout=params.get("timeout"),
        max_timeout=settings.query_timeout,
        max_bytes=settings.max_query_bytes,
    )
    shape = inspect_query(request.query, frozenset(settings.service_allowlist))
    if request.default_graphs is not None or shape.has_dataset_clause:
        check_graphs(request, shape, services.iris)
    syntax = choose_syntax(shape, names, accept)
    return CheckedQuery(request, shape, syntax.name, syntax.media_type)


def plan(checked: CheckedQuery, params: Params, method: str, services: Services) -> QueryPlan:
    settings = services.settings
    served = services.sparql.served
    request, shape = checked.request, checked.shape
    headers = {
        "Content-Type": content_type(checked.media_type),
        "Vary": "Accept, Accept-Encoding",
        "Cache-Control": "no-cache",
        "X-IQKG-Dataset-Version": served.version,
    }
    if method in ("GET", "HEAD"):
        headers["ETag"] = request_tag(served.version, request.query, params, checked.syntax_name)
        headers["Last-Modified"] = served.last_modified
    default_graphs, named_graphs = request.default_graphs, request.named_graphs
    if default_graphs is None and named_graphs is None and shape.has_dataset_clause:
        # SPARQL 1.1 Query §13.2: FROM/FROM NAMED name the dataset; the worker passes it
        # to Oxigraph explicitly, filtered to public graphs.
        default_graphs, named_graphs = shape.from_graphs, shape.from_named_graphs
    job = QueryJob(
        request.query,
        checked.syntax_name,
        default_graphs,
        named_graphs,
        row_limit=settings.row_limit,
        # Not the request URL: behind a proxy or the w3id redirect it would mint
        # http://127.0.0.1:… IRIs. A BASE in the query wins.
        base_iri=settings.base + "sparql",
        union_default=settings.default_graph == "union",
    )
    key: CacheKey = (
        request.query,
        checked.syntax_name,
        request.default_graphs,
        request.named_graphs,
        settings.row_limit,
    )
    return QueryPlan(headers, served.version, key, job, request.timeout, shape.volatile)


async def execute(planned: QueryPlan, services: Services, client: str | None) -> Executed:
    state = services.sparql
    cache = state.result_cache
    if not planned.volatile:
        cached = cache.get(planned.version, planned.cache_key)
        if cached is not None:
            return Executed(cached, from_cache=True)
    answer = await state.pool.run(planned.job, planned.timeout, client=client)
    result = CachedAnswer(tuple(answer.chunks), answer.truncated)
    if not planned.volatile and state.served.version == planned.version:  # no write meanwhile
        cache.put(planned.version, planned.cache_key, result)
    return Executed(result, from_cache=False)


def respond(executed: Executed, planned: QueryPlan, row_limit: int) -> Response:
    headers = dict(planned.headers)
    if executed.answer.truncated:
        headers["X-IQKG-Truncated"] = "true"
        headers["X-IQKG-Row-Limit"] = str(row_limit)
        headers["Warning"] = (
            f'199 iqkg "result truncated to the row limit of {row_limit} '
            '(IQKG_ROW_LIMIT); add LIMIT/OFFSET to page through it"'
        )
    return body_response(list(executed.answer.chunks), headers)


def body_response(chunks: list[bytes], headers: dict[str, str]) -> Response:
    """One chunk as a plain response; several streamed with their total length."""
    if len(chunks) <= 1:
        return Response(chunks[0] if chunks else b"", headers=headers)
    headers["Content-Length"] = str(sum(len(c) for c in chunks))

    def stream() -> Iterator[bytes]:
        yield from chunks

    return StreamingResponse(stream(), headers=headers)


def request_tag(version: str, query: str, params: Params, syntax: str) -> str:
    """The dataset version and a digest of what selects the answer (the query, the
    result syntax, the dataset parameters)."""
    digest = hashlib.blake2b(digest_size=10)
    for part in (
        query,
        syntax,
        *params.getlist("default-graph-uri"),
        "\0",
        *params.getlist("named-graph-uri"),
    ):
        digest.update(part.encode("utf-8") + b"\0")
    return entity_tag(version, digest.hexdigest())
