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

from iqkg.publish.curated import curated_pairs, home_counts, pairs, submission_graphs
from iqkg.publish.diagrams import network_map
from iqkg.publish.labels import Labels
from iqkg.publish.language import Text
from iqkg.publish.pages import Linker, Origin, PageBuilder
from iqkg.rdf.iris import RDF, SKOS
from iqkg.server.conditional import (
    Outcome,
    Validators,
    evaluate,
    not_modified,
    not_modified_headers,
)
from iqkg.server.services import get_services
from iqkg.server.templates import Language, page_headers, render
from iqkg.store.dataset import Dataset

router = APIRouter()

# --- home --------------------------------------------------------------------------


def _browse(labels: Labels, lang: str) -> list[tuple[Text, str | None, list[tuple[Text, str]]]]:
    """Every class the curated data uses, with its curated instances (by label)."""
    dataset = labels.dataset
    iris = dataset.iris
    linker = Linker(iris)
    members: dict[str, set[str]] = {}
    for s, o in curated_pairs(dataset, RDF + "type"):
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


def _contributions(labels: Labels, lang: str) -> list[tuple[Origin, list[tuple[Text, str]], int]]:
    """Per accepted submission, its partner's resources (typed subjects): listed apart
    from the curated classes, never among them; at most CONTRIBUTIONS_SHOWN each."""
    dataset = labels.dataset
    builder = PageBuilder(labels, lang)
    groups = []
    for graph in submission_graphs(dataset):
        subjects = sorted({s for s, _ in pairs(dataset, RDF + "type", {graph})})
        items = [
            (labels.label(s, lang), href)
            for s in subjects[:CONTRIBUTIONS_SHOWN]
            if dataset.iris.is_resource(s) and (href := builder.linker.href(s)) is not None
        ]
        if items:
            groups.append((builder.origin(graph), items, len(subjects)))
    return sorted(groups, key=lambda group: group[0].label.value)


def _home_context(dataset: Dataset, request: Request, lang: str) -> dict[str, Any]:
    labels = Labels(dataset)
    programme = dataset.iris.resource("programme", "iq")
    return {
        "stats": home_counts(dataset),
        "browse": _browse(labels, lang),
        "contributions": _contributions(labels, lang),
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
    dataset = get_services(request).dataset
    link = {"Link": '</.well-known/void>; rel="describedby"; type="text/turtle"'}
    headers = page_headers(request, dataset.version, "html", link)
    unchanged = not_modified(request, headers)
    if unchanged is not None:
        return unchanged
    context = await run_in_threadpool(_home_context, dataset, request, lang)
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
