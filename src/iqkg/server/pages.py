"""The home page ``/`` and the site's static files under ``/static/``.

Pages are rendered by :mod:`iqkg.server.templates` (one template setup, one language rule).
"""

from __future__ import annotations

import os
from os import PathLike
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from iqkg.publish.curated import HomeData
from iqkg.publish.diagrams import network_map
from iqkg.publish.labels import Labels
from iqkg.publish.language import Text
from iqkg.publish.pages import Linker, Origin, PageBuilder
from iqkg.rdf.iris import SKOS
from iqkg.server.conditional import (
    Outcome,
    Validators,
    evaluate,
    not_modified,
    not_modified_headers,
)
from iqkg.server.services import get_services
from iqkg.server.templates import Language, page_headers, render
from iqkg.server.worker_reads import home_data
from iqkg.store.dataset import Dataset

router = APIRouter()

# --- home --------------------------------------------------------------------------


def _browse(
    labels: Labels, lang: str, typed: list[tuple[str, str]]
) -> list[tuple[Text, str | None, list[tuple[Text, str]]]]:
    """Every class the curated data uses, with its curated instances (by label)."""
    iris = labels.dataset.iris
    linker = Linker(iris)
    members: dict[str, set[str]] = {}
    for s, o in typed:
        listed = o.startswith(iris.vocab) or o == SKOS + "ConceptScheme"
        if listed and iris.is_resource(s):
            members.setdefault(o, set()).add(s)
    groups = []
    for cls, instances in members.items():
        items = sorted(
            ((labels.label(i, lang), href) for i in instances if (href := linker.href(i))),
            key=lambda item: item[0].value.lower(),
        )
        groups.append((labels.label(cls, lang), linker.href(cls), items))
    return sorted(groups, key=lambda g: g[0].value.lower())


#: Resources listed per submission on the home page (its graph page lists them all).
CONTRIBUTIONS_SHOWN = 20


def _contributions(
    labels: Labels, lang: str, contributed: dict[str, list[str]]
) -> list[tuple[Origin, list[tuple[Text, str]], int]]:
    """Per accepted submission, its partner's resources (typed subjects): listed apart
    from the curated classes, never among them; at most CONTRIBUTIONS_SHOWN each."""
    dataset = labels.dataset
    builder = PageBuilder(labels, lang)
    groups = []
    for graph, subjects in contributed.items():
        items = [
            (labels.label(s, lang), href)
            for s in subjects[:CONTRIBUTIONS_SHOWN]
            if dataset.iris.is_resource(s) and (href := builder.linker.href(s)) is not None
        ]
        if items:
            groups.append((builder.origin(graph), items, len(subjects)))
    return sorted(groups, key=lambda group: group[0].label.value)


def _home_context(dataset: Dataset, home: HomeData, lang: str) -> dict[str, Any]:
    """The page from what a query worker read of the whole store (``home``), plus
    lookups bounded by what the page shows: a label per listed resource, the map's 16
    states, the programme's name (indexed reads per IRI, in the thread pool)."""
    labels = Labels(dataset)
    programme = dataset.iris.resource("programme", "iq")
    return {
        "stats": home.counts,
        "browse": _browse(labels, lang, home.typed),
        "contributions": _contributions(labels, lang, home.contributed),
        "map": network_map(labels, lang),
        "programme_href": Linker(dataset.iris).href(programme),
        "programme": labels.label(programme, lang) if labels.texts(programme) else None,
    }


@router.api_route(
    "/",
    methods=["GET", "HEAD"],
    response_class=HTMLResponse,
    tags=["linked data"],
    summary="Home page",
)
async def home(request: Request, lang: Language) -> Response:
    services = get_services(request)
    dataset = services.dataset
    link = {"Link": '</.well-known/void>; rel="describedby"; type="text/turtle"'}
    headers = page_headers(request, dataset.version, "html", link)
    unchanged = not_modified(request, headers)
    if unchanged is not None:
        return unchanged
    home = await home_data(services)  # in a query worker, with the query deadline
    context = await run_in_threadpool(_home_context, dataset, home, lang)
    return render(request, "publish/home.html", context, headers=headers)


class SiteStaticFiles(StaticFiles):
    """Starlette's ``StaticFiles`` (ETag, Last-Modified, HEAD, no paths that leave the
    folder) deciding 304 by the site's one rule, :mod:`iqkg.server.conditional`, with
    the 304 carrying the 200's validators (Starlette's leaves out Last-Modified)."""

    def file_response(
        self,
        full_path: PathLike[str] | str,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = FileResponse(full_path, status_code=status_code, stat_result=stat_result)
        current = Validators.of_headers(response.headers)
        if evaluate("GET", Headers(scope=scope), current) is Outcome.NOT_MODIFIED:
            return Response(status_code=304, headers=not_modified_headers(response.headers))
        return response


def static_files() -> StaticFiles:
    """``/static/``: the stylesheet, scripts and vendored assets (YASGUI) of the site."""
    return SiteStaticFiles(packages=[("iqkg", "static")])
