"""The query editor (YASGUI at ``GET /sparql`` for browsers) and ``/queries``, the catalogue,
both pages of the site layout in the reader's language.

YASGUI's assets are vendored under ``static/yasgui/`` and served by the site's static
files (:func:`iqkg.server.pages.static_files`), so the editor works without network
access. The catalogue (``queries/*.rq``) is re-read when its folder changes, so curators
see new questions without a restart.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from iqkg.messages import MESSAGES, translator
from iqkg.publish.labels import prefixes
from iqkg.query.catalogue import Catalogue
from iqkg.rdf.formats import negotiate
from iqkg.rdf.iris import IriScheme
from iqkg.server.conditional import not_modified
from iqkg.server.services import get_services
from iqkg.server.templates import page_headers, render, request_language

router = APIRouter(tags=["sparql"])

#: Words the editor's script shows (errors come from the endpoint, in English), and the
#: names it gives YASGUI's unlabelled fields.
EDITOR_WORDS = (
    "error",
    "no_answer",
    "yasgui_query",
    "yasgui_editor",
    "yasgui_endpoint",
    "yasgui_tab_name",
)
#: YASGUI's own words the script replaces, as far as YASGUI lets a page reach them.
YASGUI_WORDS = (
    "yasgui_table",
    "yasgui_response",
    "yasgui_simple_view",
    "yasgui_ellipse",
    "yasgui_page_size",
    "yasgui_filter",
    "yasgui_add_tab",
    "yasgui_add_tab_title",
    "yasgui_show_table",
    "yasgui_show_response",
    "yasgui_download",
    "yasgui_download_title",
    "yasgui_close_tab",
)


class CatalogueCache:
    """The catalogue, read again only when a file in its folder changed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._stamp: tuple[float, ...] | None = None
        self._catalogue: Catalogue | None = None

    def _current_stamp(self) -> tuple[float, ...]:
        if not self.folder.is_dir():
            return ()
        return (
            self.folder.stat().st_mtime,
            *(p.stat().st_mtime for p in sorted(self.folder.glob("*.rq"))),
        )

    def version(self) -> str:
        """A token that changes when a file of the catalogue changes (its ETags)."""
        stamp = ",".join(repr(t) for t in self._current_stamp())
        return hashlib.blake2b(stamp.encode(), digest_size=8).hexdigest()

    def get(self) -> Catalogue:
        stamp = self._current_stamp()
        if self._catalogue is None or stamp != self._stamp:
            self._catalogue = Catalogue(self.folder)
            self._stamp = stamp
        return self._catalogue


def _catalogue(request: Request) -> CatalogueCache:
    return get_services(request).catalogue


def _entries(catalogue: Catalogue, root: str) -> list[dict[str, Any]]:
    return [
        {
            "name": q.name,
            "title": {"en": q.title("en"), "de": q.title("de")},
            "description": {"en": q.description("en"), "de": q.description("de")},
            "sparql": q.sparql,
            "editor": f"{root}sparql?query={quote(q.sparql)}",
            "source": f"{root}queries/{q.name}",
        }
        for q in catalogue
    ]


def editor_prefixes(iris: IriScheme) -> dict[str, str]:
    """The prefixes the editor declares: the vocabulary's and the data's namespaces."""
    return {
        **prefixes(iris),
        "iqid": iris.base + "id/",
        "iqgraph": iris.base + "graph/",
    }


def editor_page(request: Request, query: str) -> Response:
    """YASGUI over this endpoint in the site layout, with the catalogue as examples,
    the vocabulary's prefixes declared and ``query`` filled in.

    A page like the catalogue's: a weak ``ETag`` of the catalogue's version, the
    language and the query filled in (another query is another page), 304 when it
    matches."""
    cache = _catalogue(request)
    filled_in = hashlib.blake2b(query.encode("utf-8"), digest_size=8).hexdigest()
    headers = page_headers(request, cache.version(), f"editor-{filled_in}", {"Vary": "Accept"})
    unchanged = not_modified(request, headers)
    if unchanged is not None:
        return unchanged
    root = request.scope.get("root_path", "") + "/"
    catalogue = cache.get()
    iris = get_services(request).iris
    t = translator(request_language(request))
    context = {
        "root": root,
        "endpoint_path": f"{root}sparql",
        "examples": _entries(catalogue, root),
        "query": query,
        "prefixes": editor_prefixes(iris),
        "base": iris.base,
        "editor_words": {key: t(key) for key in EDITOR_WORDS},
        # YASGUI's English → the reader's language.
        "yasgui_words": {MESSAGES[key]["en"]: t(key) for key in YASGUI_WORDS},
    }
    return render(request, "sparql/editor.html", context, headers=headers)


@router.api_route("/queries", methods=["GET", "HEAD"], summary="The query catalogue (HTML or JSON)")
async def queries(request: Request) -> Response:
    chosen = negotiate(request.headers.get("accept"), ["application/json", "text/html"])
    cache = _catalogue(request)
    representation = "json" if chosen == "application/json" else "html"
    # The JSON holds both languages; the tag names the language anyway (one rule).
    headers = page_headers(request, cache.version(), representation, {"Vary": "Accept"})
    unchanged = not_modified(request, headers)
    if unchanged is not None:
        return unchanged
    catalogue = await run_in_threadpool(cache.get)
    root = request.scope.get("root_path", "") + "/"
    entries = _entries(catalogue, root)
    if chosen == "application/json":
        return JSONResponse({"queries": entries}, headers=headers)
    context = {"root": root, "queries": entries}
    return render(request, "sparql/queries.html", context, headers=headers)


@router.get("/queries/{name}", summary="One catalogue query as application/sparql-query")
async def query_text(request: Request, name: str) -> Response:
    catalogue = await run_in_threadpool(_catalogue(request).get)
    return Response(catalogue.get(name).sparql, media_type="application/sparql-query")
