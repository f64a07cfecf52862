"""Linked-data publication: every IRI under the base, the ontology, the shapes, VoID,
the dumps and the JSON-LD context.

Every thing here (``/id/network/bayern``, ``/graph/curated``, ``/def``, ``/shapes``,
``/.well-known/void``) follows the one pattern of :mod:`iqkg.server.documents`: 303 See
Other to a format-specific document (``….html``, ``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Request
from pyoxigraph import NamedNode, Triple
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse, Response

from iqkg.errors import NotFound
from iqkg.publish.context import jsonld_context
from iqkg.publish.curated import HomeData
from iqkg.publish.describe import Description, describe, description_triples
from iqkg.publish.diagrams import network_map, programme_structure
from iqkg.publish.dumps import DUMP_FORMATS, Dumps, DumpSet
from iqkg.publish.labels import Labels
from iqkg.publish.ontology_doc import ontology_doc
from iqkg.publish.pages import PageBuilder
from iqkg.publish.paths import (
    HTML_EXTENSION,
    candidate_iris,
    split_extension,
    syntax_for_extension,
)
from iqkg.publish.rdf_output import serialize_triples
from iqkg.publish.shapes_doc import shapes_doc, shapes_triples
from iqkg.publish.void import VoidStats, void_triples
from iqkg.rdf.formats import TURTLE
from iqkg.rdf.iris import GRAPH_ONTOLOGY, OWL, usable_origin
from iqkg.server.conditional import entity_tag, format_http_date, not_modified
from iqkg.server.documents import alternates, not_found, rdf_response, see_other
from iqkg.server.services import get_services
from iqkg.server.templates import page_headers, render, request_language
from iqkg.server.worker_reads import PerVersion, current_dumps, void_stats
from iqkg.settings import Settings
from iqkg.store.dataset import Dataset, dataset_iri
from iqkg.store.reading import graph_triples

router = APIRouter(tags=["linked data"])


@dataclass
class PublicationState:
    """What the whole-store computations of the site keep per dataset version
    (:mod:`iqkg.server.worker_reads` computes them in the query workers)."""

    dumps: Dumps
    void: PerVersion[VoidStats] = field(default_factory=PerVersion)
    home: PerVersion[HomeData] = field(default_factory=PerVersion)
    #: The dumps being written (the folders on disk are their cache).
    dumping: PerVersion[DumpSet] = field(default_factory=PerVersion)


def build_publication(settings: Settings) -> PublicationState:
    """The caches: VoID statistics and the home page's data in memory, dumps in
    ``dumps/`` beside the store."""
    return PublicationState(Dumps(Path(settings.store).parent / "dumps"))


def publication_state(request: Request) -> PublicationState:
    return get_services(request).publication


def install_base_path(app: FastAPI, settings: Settings) -> None:
    """Serve ``{base path}…`` too when the base has a path (after every other route)."""
    base_path = urlsplit(settings.base).path
    if base_path not in ("", "/"):
        app.add_api_route(
            base_path + "{rest:path}",
            _under_base_path,
            methods=["GET", "HEAD"],
            include_in_schema=False,
        )


def _dataset(request: Request) -> Dataset:
    return get_services(request).dataset


# --- resources ---------------------------------------------------------------------


def _find(dataset: Dataset, candidates: list[str]) -> Description | None:
    """The description of the first candidate IRI the dataset mentions.

    It stays in the server's thread pool, not the query workers: each candidate is two
    indexed pattern reads, and a description is bounded by design however large the
    store grows (:mod:`iqkg.publish.describe`: its blank-node closure is cut at
    ``MAX_BLANK_NODES``/``MAX_BLANK_DEPTH``, ``tests/publish/test_bounded_descriptions.py``).
    """
    for iri in candidates:
        found = describe(dataset, iri)
        if found is not None:
            return found
    return None


async def serve_resource(request: Request, path: str) -> Response:
    dataset = _dataset(request)
    base = get_services(request).settings.base
    origin = usable_origin(str(request.base_url), base)
    stem, extension = split_extension(path)
    description = await run_in_threadpool(_find, dataset, candidate_iris(stem, base, origin))
    if description is None and extension is not None:
        stem, extension = path, None
        description = await run_in_threadpool(_find, dataset, candidate_iris(path, base, origin))
    if description is None:
        return not_found(request, f"<{base}{path.lstrip('/')}>")
    url_stem = request.url.path[: len(request.url.path) - len(path)] + stem
    if extension is None:
        return see_other(request, url_stem)
    if extension == HTML_EXTENSION:
        return await resource_page(request, description)
    syntax = syntax_for_extension(extension)
    assert syntax is not None

    triples = await _description_triples(request, description, origin)

    def body() -> tuple[bytes, str]:
        context = jsonld_context(dataset)["@context"]
        return serialize_triples(triples, syntax, dataset.iris, context=context), dataset.version

    data, version = await run_in_threadpool(body)
    return rdf_response(request, data, extension, url_stem, version)


async def _description_triples(
    request: Request, description: Description, origin: str
) -> list[Triple]:
    """The description of ``description`` as triples; the dataset's own with its VoID.

    The labels of what the description links to are read per linked IRI (bounded with
    the description, so in the thread pool); the VoID statistics, which count the whole
    store, come from the query workers."""
    dataset = _dataset(request)
    triples = await run_in_threadpool(description_triples, dataset, description)
    if description.iri == dataset_iri(dataset.iris):
        stats = await void_stats(get_services(request))  # in a query worker
        triples += await run_in_threadpool(void_triples, stats, dataset, origin)
    return triples


async def resource_page(request: Request, description: Description) -> Response:
    dataset = _dataset(request)
    lang = request_language(request)
    stem = request.url.path.rsplit(".", 1)[0]
    # The version is read before the page is built: a write meanwhile makes the tag
    # older than the page (one more 200 later), never newer.
    headers = page_headers(request, dataset.version, "html", {"Link": alternates(stem)})
    unchanged = not_modified(request, headers)
    if unchanged is not None:
        return unchanged

    def context() -> dict[str, Any]:
        labels = Labels(dataset)
        page = PageBuilder(labels, lang).page(description)
        iris = dataset.iris
        types = set(description.types())
        showing_map = (
            page.kind in ("network", "federal-state") or iris.term("FundingProgramme") in types
        )
        return {
            "page": page,
            "map": network_map(labels, lang, description.iri) if showing_map else None,
            "structure": programme_structure(labels, lang, description.iri)
            if iris.term("FundingProgramme") in types
            else None,
        }

    data = await run_in_threadpool(context)
    return render(request, "publish/resource.html", data, headers=headers)


@router.api_route("/id/{path:path}", methods=["GET", "HEAD"], summary="A resource")
async def resource(request: Request, path: str) -> Response:
    return await serve_resource(request, "id/" + path)


@router.api_route("/graph/{path:path}", methods=["GET", "HEAD"], summary="A named graph")
async def graph(request: Request, path: str) -> Response:
    return await serve_resource(request, "graph/" + path)


async def _under_base_path(request: Request, rest: str) -> Response:
    return await serve_resource(request, rest)


# --- the ontology ------------------------------------------------------------------


def _ontology_version(dataset: Dataset) -> tuple[str | None, str | None]:
    iri = dataset.iris.ontology
    version_iri = version = None
    graph = dataset.iris.graph(GRAPH_ONTOLOGY)
    subject = NamedNode(iri)
    for triple in graph_triples(dataset, graph):
        if triple.subject != subject or isinstance(triple.object, Triple):
            continue
        if triple.predicate.value == OWL + "versionIRI":
            version_iri = triple.object.value
        if triple.predicate.value == OWL + "versionInfo":
            version = triple.object.value
    return version_iri, version


async def ontology_document(request: Request, extension: str, stem: str) -> Response:
    """``/def``: made of ``graph/ontology`` alone, which only the operator writes (from
    ``ontology/``), never partners' submissions, so its cost does not grow with the data;
    it stays in the thread pool."""
    dataset = _dataset(request)
    if extension == HTML_EXTENSION:
        headers = page_headers(request, dataset.version, "html", {"Link": alternates(stem)})
        unchanged = not_modified(request, headers)
        if unchanged is not None:
            return unchanged
        doc = await run_in_threadpool(ontology_doc, dataset, request_language(request))
        return render(request, "publish/ontology.html", {"doc": doc}, headers=headers)
    syntax = syntax_for_extension(extension)
    if syntax is None:
        return not_found(request, stem)

    def body() -> tuple[bytes, str]:
        triples = graph_triples(dataset, dataset.iris.graph(GRAPH_ONTOLOGY))
        return serialize_triples(triples, syntax, dataset.iris), dataset.version

    data, version = await run_in_threadpool(body)
    return rdf_response(request, data, extension, stem, version)


@router.api_route("/def", methods=["GET", "HEAD"], summary="The ontology")
async def ontology(request: Request) -> Response:
    return see_other(request, "/def")


@router.api_route("/def.{extension}", methods=["GET", "HEAD"], include_in_schema=False)
async def ontology_as(request: Request, extension: str) -> Response:
    return await ontology_document(request, extension, "/def")


@router.api_route("/def/{rest}", methods=["GET", "HEAD"], summary="A version of the ontology")
async def ontology_version(request: Request, rest: str) -> Response:
    version_name, extension = split_extension(rest)
    version_iri, _ = await run_in_threadpool(_ontology_version, _dataset(request))
    if version_iri != _dataset(request).iris.ontology + "/" + version_name:
        return not_found(request, f"Version {version_name!r} of the ontology")
    stem = f"/def/{version_name}"
    if extension is None:
        return see_other(request, stem)
    return await ontology_document(request, extension, stem)


# --- the shapes --------------------------------------------------------------------


async def shapes_document(request: Request, extension: str) -> Response:
    dataset = _dataset(request)
    settings = get_services(request).settings
    if extension == HTML_EXTENSION:
        headers = page_headers(request, dataset.version, "html", {"Link": alternates("/shapes")})
        unchanged = not_modified(request, headers)
        if unchanged is not None:
            return unchanged
    triples = await run_in_threadpool(shapes_triples, settings.shapes_dir, dataset.iris)
    if extension == HTML_EXTENSION:
        docs = await run_in_threadpool(shapes_doc, triples, dataset.iris)
        context = {"shapes": docs, "iri": dataset.iris.shapes}
        return render(request, "publish/shapes.html", context, headers=headers)
    syntax = syntax_for_extension(extension)
    if syntax is None:
        return not_found(request, "/shapes." + extension)
    data = serialize_triples(triples, syntax, dataset.iris)
    return rdf_response(request, data, extension, "/shapes", dataset.version)


@router.api_route("/shapes", methods=["GET", "HEAD"], summary="The SHACL shapes")
async def shapes(request: Request) -> Response:
    return see_other(request, "/shapes")


@router.api_route("/shapes.{extension}", methods=["GET", "HEAD"], include_in_schema=False)
async def shapes_as(request: Request, extension: str) -> Response:
    return await shapes_document(request, extension)


# --- VoID, dumps, context ----------------------------------------------------------


@router.api_route("/.well-known/void", methods=["GET", "HEAD"], summary="VoID and DCAT")
async def void(request: Request) -> Response:
    # RDF wins ties (VoID is for machines first); a browser, which prefers HTML, gets a page.
    return see_other(request, "/.well-known/void", html_first=False)


@router.api_route("/.well-known/void.{extension}", methods=["GET", "HEAD"], include_in_schema=False)
async def void_as(request: Request, extension: str) -> Response:
    page = extension == HTML_EXTENSION
    syntax = TURTLE if page else syntax_for_extension(extension)
    if syntax is None:
        return not_found(request, "/.well-known/void." + extension)
    dataset = _dataset(request)
    site = usable_origin(str(request.base_url), dataset.iris.base)

    stats = await void_stats(get_services(request))  # in a query worker, with a deadline

    def body() -> bytes:
        triples = void_triples(stats, dataset, site)
        return serialize_triples(triples, syntax, dataset.iris)

    data, version = await run_in_threadpool(body), stats.version
    if page:
        links = {"Link": alternates("/.well-known/void")}
        headers = page_headers(request, version, "html", links)
        unchanged = not_modified(request, headers)
        if unchanged is not None:
            return unchanged
        context = {"turtle": data.decode("utf-8"), "stats": stats}
        return render(request, "publish/void.html", context, headers=headers)
    return rdf_response(request, data, extension, "/.well-known/void", version)


@router.api_route(
    "/context.jsonld", methods=["GET", "HEAD"], summary="JSON-LD @context of the vocabulary"
)
async def context(request: Request) -> Response:
    """Generated from the ontology graph alone (like ``/def``), in the thread pool."""
    dataset = _dataset(request)
    headers = {"ETag": entity_tag(dataset.version, "context"), "Cache-Control": "no-cache"}
    unchanged = not_modified(request, headers)
    if unchanged is not None:
        return unchanged
    data = await run_in_threadpool(jsonld_context, dataset)
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False),
        media_type="application/ld+json",
        headers=headers,
    )


@router.api_route("/dumps/", methods=["GET", "HEAD"], summary="Dumps of the whole dataset")
async def dumps(request: Request) -> Response:
    current = await current_dumps(get_services(request))  # written by a query worker
    headers = page_headers(request, current.version, "html")
    unchanged = not_modified(request, headers)
    if unchanged is not None:
        return unchanged
    return render(request, "publish/dumps.html", {"dumps": current}, headers=headers)


@router.api_route("/dumps/{name}", methods=["GET", "HEAD"], include_in_schema=False)
async def dump_file(request: Request, name: str) -> Response:
    if name not in {f.name for f in DUMP_FORMATS}:
        return not_found(request, f"/dumps/{name}")
    current = await current_dumps(get_services(request))  # written by a query worker
    found = current.file(name)
    if found is None:
        raise NotFound(f"No dump named {name!r}.")
    modified = datetime.fromtimestamp(found.path.stat().st_mtime, UTC)
    headers = {
        "ETag": entity_tag(current.version, name),
        "Last-Modified": format_http_date(modified),
        "Cache-Control": "no-cache",
    }
    unchanged = not_modified(request, headers)
    if unchanged is not None:
        return unchanged
    media_type = found.format.media_type
    return FileResponse(found.path, media_type=media_type, filename=name, headers=headers)
