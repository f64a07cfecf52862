"""The query editor (YASGUI at ``GET /sparql`` for browsers) and ``/queries``, the catalogue.

YASGUI's assets are vendored under ``static/yasgui/`` and served here, so the editor works
without network access. The catalogue (``queries/*.rq``) is re-read when its folder
changes, so curators see new questions without a restart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response

from iqkg.errors import NotFound
from iqkg.publish.language import from_accept_language
from iqkg.query.catalogue import Catalogue
from iqkg.rdf.formats import negotiate
from iqkg.server.services import get_services

router = APIRouter(tags=["sparql"])

STATIC = Path(__file__).resolve().parents[1] / "static" / "yasgui"
_templates = Environment(
    loader=PackageLoader("iqkg", "templates"), autoescape=select_autoescape(["html"])
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


def _lang(request: Request) -> str:
    return from_accept_language(request.headers.get("accept-language")) or "en"


def editor_page(request: Request, query: str) -> Response:
    """YASGUI over this endpoint, with the catalogue as examples and ``query`` filled in."""
    root = request.scope.get("root_path", "") + "/"
    catalogue = _catalogue(request).get()
    html = _templates.get_template("sparql/editor.html").render(
        root=root,
        lang=_lang(request),
        # Jinja's tojson escapes <, >, & and ': a query cannot close the script element.
        examples=_entries(catalogue, root),
        query=query,
    )
    return HTMLResponse(html, headers={"Vary": "Accept"})


@router.api_route("/queries", methods=["GET", "HEAD"], summary="The query catalogue (HTML or JSON)")
async def queries(request: Request) -> Response:
    chosen = negotiate(request.headers.get("accept"), ["application/json", "text/html"])
    catalogue = await run_in_threadpool(_catalogue(request).get)
    root = request.scope.get("root_path", "") + "/"
    entries = _entries(catalogue, root)
    if chosen == "application/json":
        return JSONResponse({"queries": entries}, headers={"Vary": "Accept"})
    html = _templates.get_template("sparql/queries.html").render(
        root=root, lang=_lang(request), queries=entries
    )
    return HTMLResponse(html, headers={"Vary": "Accept"})


@router.get("/queries/{name}", summary="One catalogue query as application/sparql-query")
async def query_text(request: Request, name: str) -> Response:
    catalogue = await run_in_threadpool(_catalogue(request).get)
    return Response(catalogue.get(name).sparql, media_type="application/sparql-query")


@router.get("/static/yasgui/{name}", include_in_schema=False)
async def yasgui_asset(name: str) -> Response:
    path = STATIC / name
    if name not in ("yasgui.min.js", "yasgui.min.css") or not path.is_file():
        raise NotFound(f"no editor asset {name!r}")
    return FileResponse(path, headers={"Cache-Control": "public, max-age=86400"})
