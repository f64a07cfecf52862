"""``/search?q=``: find resources by name, as a page (browsers) or JSON (``Accept``).

The index (:mod:`iqkg.publish.search`) is made current by the first search of a dataset
version (a file of the current version left by an earlier run is reused): a query worker
reads its statements from every public graph with the query deadline (504 past it,
:mod:`iqkg.server.worker_reads`), and the SQLite file is built from them off the event
loop; searches meanwhile wait for that one build. The writer never waits for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from iqkg.errors import InputError
from iqkg.publish.labels import Labels
from iqkg.publish.language import pick
from iqkg.publish.paths import local_path
from iqkg.publish.search import SearchIndex, SearchResult
from iqkg.rdf.formats import negotiate
from iqkg.rdf.iris import IriScheme
from iqkg.server.conditional import not_modified
from iqkg.server.services import get_services
from iqkg.server.templates import page_headers, render, request_language
from iqkg.server.worker_reads import PerVersion, current_search_index
from iqkg.settings import Settings
from iqkg.store.dataset import Dataset

router = APIRouter(tags=["linked data"])

MAX_QUERY_CHARS = 200
PAGE_SIZE = 50


def index_path(settings: Settings) -> Path:
    """Beside the store, like the partners' file: never inside the RDF."""
    return settings.store.parent / f"{settings.store.name}-search.sqlite"


@dataclass
class SearchState:
    """The index, and its builds in progress (one per dataset version)."""

    index: SearchIndex
    building: PerVersion[None] = field(default_factory=PerVersion)


def build_search(settings: Settings, iris: IriScheme) -> SearchState:
    """The index beside the store; built by the first search that needs it."""
    return SearchState(SearchIndex(index_path(settings), iris))


def _hits_json(
    dataset: Dataset, result: SearchResult, lang: str, type_iri: str | None
) -> dict[str, Any]:
    labels = Labels(dataset)
    base = dataset.iris.base

    def label(iri: str) -> str:
        return labels.label(iri, lang).value

    return {
        "total": result.total,
        "type": type_iri,
        "results": [
            {
                "iri": hit.iri,
                "url": local_path(hit.iri, base) or hit.iri,
                "label": pick({k: [v] for k, v in hit.names.items()}, lang)
                or labels.label(hit.iri, lang),
                "description": pick({k: [v] for k, v in hit.descriptions.items()}, lang),
                "types": [{"iri": t, "label": label(t)} for t in hit.types],
                "partner": hit.partner,
                "match": hit.match,
            }
            for hit in result.hits
        ],
        "facets": [{"iri": t, "label": label(t), "count": n} for t, n in result.facets],
    }


@router.api_route("/search", methods=["GET", "HEAD"], summary="Find resources by name")
async def search(request: Request) -> Response:
    query = request.query_params.get("q", "").strip()
    if len(query) > MAX_QUERY_CHARS:
        raise InputError(f"q is longer than {MAX_QUERY_CHARS} characters; search for less")
    type_iri = request.query_params.get("type") or None
    lang = request_language(request)
    wants = negotiate(request.headers.get("accept"), ["text/html", "application/json"])
    services = get_services(request)
    dataset = services.dataset
    index = services.search.index
    # The answer depends on the URL (q, type), the dataset version and the language.
    representation = "json" if wants == "application/json" else "html"
    headers = page_headers(request, dataset.version, representation, {"Vary": "Accept"})
    unchanged = not_modified(request, headers)
    if unchanged is not None:
        return unchanged

    await current_search_index(services)  # its statements read in a query worker

    def run() -> dict[str, Any]:
        """Bounded: at most CANDIDATES rows of the local index, labels of one page."""
        result = index.search(query, type_iri=type_iri, limit=PAGE_SIZE)
        return _hits_json(dataset, result, lang, type_iri)

    found = await run_in_threadpool(run)
    if wants == "application/json":
        for hit in found["results"]:
            for key in ("label", "description"):
                text = hit[key]
                hit[key] = None if text is None else {"value": text.value, "lang": text.lang}
        return JSONResponse({"query": query, **found}, headers=headers)
    context = {"query": query, "search_query": query, **found}
    return render(request, "publish/search.html", context, headers=headers)
