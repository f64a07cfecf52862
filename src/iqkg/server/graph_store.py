"""``/store``: the SPARQL 1.1 Graph Store HTTP Protocol (indirect graph identification).

``GET``/``HEAD /store?graph=<iri>`` (or ``?default``) read a public graph for anyone, in
every RDF format by content negotiation, read and serialised in a query worker with the
query deadline (:mod:`iqkg.server.worker_reads`); ``PUT`` (replace), ``POST`` (merge) and
``DELETE`` need the operator's credentials (:mod:`iqkg.server.operator`). ``?default`` is
the store's own default graph (what an update writes when it names no graph), in both
default-graph modes. ``POST /store`` without a graph creates a new graph under
``{base}graph/store/`` and answers 201 with its IRI as Location (GSP §5.5), the name a
client then uses in ``?graph=`` (and at ``/graph/store/…`` for direct writes).

Partners write through ``/submissions``; this is the operator's path. A body is read,
parsed and checked completely (bounded, no network: the untrusted-RDF parser of
submissions) before the old graph is touched, so a bad PUT never clears a graph; the
change, the version bump and the staleness mark of ``graph/inferred`` are one
transaction (:meth:`iqkg.store.dataset.Dataset.write_graph`). ``graph/meta`` and archived
or private graphs cannot be written (403); hidden graphs cannot be read (403).

Direct identification (GSP §4.1) where it fits the IRI scheme: ``PUT``/``POST``/``DELETE``
on ``/graph/{name}`` write the graph ``{base}graph/{name}`` (``GET`` there stays the
linked-data publication's; the content is read through ``/store?graph=``).

Statuses (GSP §5): 201 when a PUT/POST created the graph, 204 when it changed an existing
one, 404 for a GET/HEAD/DELETE of a graph that does not exist. A write's preconditions
(``If-Match``, ``If-None-Match: *``, ``If-Unmodified-Since``; 412) and whether the graph
existed are decided as the single writer, just before it writes.
"""

from __future__ import annotations

import email.policy
import hashlib
import uuid
from dataclasses import dataclass
from email.parser import BytesParser

from fastapi import APIRouter, Request
from pyoxigraph import Triple
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from iqkg.errors import Forbidden, InputError, NotFound
from iqkg.query.protocol import check_iri, content_type
from iqkg.rdf.formats import (
    ALL_RDF_SYNTAXES,
    RdfSyntax,
    base_media_type,
    negotiate_rdf_syntax,
    rdf_syntax_for_media_type,
)
from iqkg.server.bodies import read_limited
from iqkg.server.conditional import check_write, entity_tag, not_modified, validators
from iqkg.server.operator import require_operator
from iqkg.server.services import get_services
from iqkg.server.worker_reads import graph_content
from iqkg.settings import Settings
from iqkg.store.dataset import Dataset, hidden_graph_prefixes

router = APIRouter(tags=["graph store"])

PATH = "/store"
DIRECT = "/graph/{name:path}"


def _target(request: Request) -> str | None:
    """The graph a request names: an IRI, or None for the default graph (GSP §4.2)."""
    params = request.query_params
    graphs = params.getlist("graph")
    if "default" in params and graphs:
        raise InputError("name either ?default or ?graph=<iri>, not both (GSP §4.2).")
    if len(graphs) > 1:
        raise InputError(f"the parameter 'graph' was given {len(graphs)} times; send it once.")
    if graphs:
        check_iri("graph", graphs[0])
        return graphs[0]
    if "default" in params:
        return None
    raise InputError(
        "name a graph: /store?graph=<absolute IRI> or /store?default (SPARQL 1.1 Graph Store "
        "HTTP Protocol §4.2)."
    )


def _refuse_hidden(dataset: Dataset, graph: str | None, *, writing: bool) -> None:
    if graph is None:
        return
    if graph.startswith(hidden_graph_prefixes(dataset.iris)):
        raise Forbidden(f"graph <{graph}> is not public (private data or an archived version).")
    if writing and graph == dataset.iris.graph("meta"):
        raise Forbidden("graph/meta is kept by iqkg itself (provenance, versions); not writable.")


def _exists(dataset: Dataset, graph: str | None) -> bool:
    """Whether the graph exists; one a write has staged and not committed does not yet."""
    return graph is None or dataset.has_graph(graph)


@router.api_route(PATH, methods=["GET", "HEAD"], summary="Read a graph (GSP GET)")
async def read_graph(request: Request) -> Response:
    dataset = get_services(request).dataset
    graph = _target(request)
    _refuse_hidden(dataset, graph, writing=False)
    syntax = negotiate_rdf_syntax(request.headers.get("accept"))
    version = dataset.version  # before the read: a write meanwhile only makes it older
    headers = {
        "Content-Type": content_type(syntax.media_type),
        "Vary": "Accept",
        "Cache-Control": "no-cache",
        "ETag": graph_tag(version, graph, syntax),
        "X-IQKG-Dataset-Version": get_services(request).sparql.served.version,
    }
    if not await run_in_threadpool(_exists, dataset, graph):
        raise NotFound(f"there is no graph <{graph}> in the store.")
    unchanged = not_modified(request, headers)
    if unchanged is not None:
        return unchanged
    # The whole graph is read and serialised in a query worker, with the query deadline.
    body = await graph_content(get_services(request), graph, syntax)
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        return Response(headers=headers)
    return Response(body, headers=headers)


def graph_tag(version: str, graph: str | None, syntax: RdfSyntax) -> str:
    """The ``ETag`` of a graph in one syntax: the dataset version, the graph, the syntax."""
    name = hashlib.blake2b((graph or "").encode("utf-8"), digest_size=8).hexdigest()
    return entity_tag(version, name if graph is not None else "default", syntax.name)


@dataclass
class _UnderTheLock:
    """What a write finds as the single writer, just before it writes (passed to
    :meth:`Dataset.write_graph` as its ``precondition``, so no other write comes between
    the check and the write: of two PUTs with the same ``If-Match``, one wins)."""

    request: Request
    dataset: Dataset
    graph: str | None
    must_exist: bool = False
    #: Whether the graph existed before this write (201 or 204); set by the call.
    existed: bool = False

    def __call__(self) -> None:
        """``If-Match``/``If-None-Match``/``If-Unmodified-Since`` of a write (RFC 9110
        §13.1), against the graph as it is now: a tag of it in any syntax matches (the
        client may have read it as Turtle and write N-Triples); a missing graph has no
        tags, so ``If-None-Match: *`` is "create only" and ``If-Match: *`` "replace only".
        """
        self.existed = _exists(self.dataset, self.graph)
        if self.must_exist and not self.existed:
            raise NotFound(f"there is no graph <{self.graph}> in the store.")
        names = ("if-match", "if-none-match", "if-unmodified-since")
        if not any(name in self.request.headers for name in names):
            return
        version = self.dataset.version
        tags = [graph_tag(version, self.graph, syntax) for syntax in ALL_RDF_SYNTAXES]
        check_write(self.request, validators(tags) if self.existed else None)


@router.put(PATH, summary="Replace a graph (GSP PUT, operator)")
async def replace_graph(request: Request) -> Response:
    return await _write(request, _target(request), replace=True)


@router.post(PATH, summary="Add to a graph, or create one (GSP POST, operator)")
async def merge_graph(request: Request) -> Response:
    params = request.query_params
    if "graph" not in params and "default" not in params:
        return await _create(request)
    return await _write(request, _target(request), replace=False)


@router.delete(PATH, summary="Drop a graph (GSP DELETE, operator)")
async def drop_graph(request: Request) -> Response:
    return await _drop(request, _target(request))


# Direct graph identification (GSP §4.1) where it fits the IRI scheme: a graph
# {base}graph/{name} is also written at its own path. GET and HEAD there stay the
# linked-data publication's (server/publication.py: pages of the graphs it describes);
# the graph's content is read through /store?graph=.


@router.put(DIRECT, summary="Replace a graph at its own IRI (GSP PUT, operator)")
async def replace_graph_directly(request: Request, name: str) -> Response:
    return await _write(request, _direct(request, name), replace=True)


@router.post(DIRECT, summary="Add to a graph at its own IRI (GSP POST, operator)")
async def merge_graph_directly(request: Request, name: str) -> Response:
    return await _write(request, _direct(request, name), replace=False)


@router.delete(DIRECT, summary="Drop a graph at its own IRI (GSP DELETE, operator)")
async def drop_graph_directly(request: Request, name: str) -> Response:
    return await _drop(request, _direct(request, name))


def _direct(request: Request, name: str) -> str:
    graph = str(get_services(request).iris.graph(name))
    check_iri("graph", graph)
    return graph


async def _drop(request: Request, graph: str | None) -> Response:
    settings = get_services(request).settings
    require_operator(request, settings, "writing to the graph store")
    dataset = get_services(request).dataset
    _refuse_hidden(dataset, graph, writing=True)
    check = _UnderTheLock(request, dataset, graph, must_exist=True)
    version = await run_in_threadpool(
        lambda: dataset.write_graph(
            graph,
            None,
            replace=True,
            union_default=settings.default_graph == "union",
            precondition=check,
        )
    )
    return Response(status_code=204, headers={"X-IQKG-Dataset-Version": version})


async def _write(request: Request, graph: str | None, *, replace: bool) -> Response:
    settings = get_services(request).settings
    require_operator(request, settings, "writing to the graph store")
    dataset = get_services(request).dataset
    _refuse_hidden(dataset, graph, writing=True)
    triples = await _parsed_body(request, settings, graph)
    check = _UnderTheLock(request, dataset, graph)
    version = await run_in_threadpool(
        lambda: dataset.write_graph(
            graph,
            triples,
            replace=replace,
            union_default=settings.default_graph == "union",
            precondition=check,
        )
    )
    status = 204 if check.existed else 201
    return Response(status_code=status, headers={"X-IQKG-Dataset-Version": version})


async def _create(request: Request) -> Response:
    """GSP §5.5: POST to the service itself makes a new graph, named by the server."""
    settings = get_services(request).settings
    require_operator(request, settings, "writing to the graph store")
    dataset = get_services(request).dataset
    graph = dataset.iris.graph(f"store/{uuid.uuid4().hex}")
    triples = await _parsed_body(request, settings, graph)
    version = await run_in_threadpool(
        lambda: dataset.write_graph(
            graph, triples, replace=True, union_default=settings.default_graph == "union"
        )
    )
    # The graph's IRI, as the W3C tests expect: the client reads it with ?graph=<it>.
    return Response(status_code=201, headers={"Location": graph, "X-IQKG-Dataset-Version": version})


async def _parsed_body(request: Request, settings: Settings, graph: str | None) -> list[Triple]:
    """The request's RDF, parsed and bounded before anything is written.

    A ``multipart/form-data`` body (GSP §5.5) is several RDF documents, each with its own
    Content-Type; their triples are merged."""
    content_type_header = request.headers.get("content-type", "")
    multipart = base_media_type(content_type_header) == "multipart/form-data"
    if not multipart:
        rdf_syntax_for_media_type(content_type_header)  # 415 before reading the body
    body = await read_limited(
        request,
        settings.max_submission_bytes,
        setting="IQKG_MAX_SUBMISSION_BYTES",
        advice="Split the data into several requests (POST adds to a graph).",
    )
    base_iri = graph or settings.base + "store"
    documents = _parts(content_type_header, body) if multipart else [(content_type_header, body)]

    # Parsed in a checking worker, like every untrusted body (issue #9): a parser that dies
    # costs a worker and this request a 400, never the server.
    checker = get_services(request).checking.checker
    triples: list[Triple] = []
    for number, (media_type, document) in enumerate(documents, start=1):
        triples += await checker.parse(
            document,
            rdf_syntax_for_media_type(media_type),
            base_iri=base_iri,
            max_triples=settings.max_submission_triples - len(triples),
            source="body" if len(documents) == 1 else f"part {number}",
        )
    return triples


def _parts(content_type_header: str, body: bytes) -> list[tuple[str, bytes]]:
    """The documents of a multipart/form-data body (RFC 7578), with their media types."""
    message = BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type_header}\r\n\r\n".encode("latin-1") + body
    )
    if not message.is_multipart():
        raise InputError("the multipart/form-data body has no parts (is the boundary right?).")
    parts: list[tuple[str, bytes]] = []
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            raise InputError("a part of the multipart/form-data body is not a document.")
        parts.append((str(part.get("content-type", "")), payload))
    return parts
