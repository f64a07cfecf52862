"""``POST /validate``: SHACL-validate RDF without storing it; and what submissions share.

The body is RDF by its Content-Type, or a ``multipart/form-data`` upload whose file part
names its format by content type or file extension. The report comes back as JSON, as a
``sh:ValidationReport`` (Turtle, JSON-LD) or as an HTML page, in German or English
(the site's one language rule, :func:`iqkg.server.templates.request_language`). For a
partner (its token, ``?partner=SLUG`` or the upload form's ``partner`` field) the
ownership rules of submissions are checked too, by the same function, so a partner
sees exactly what ``/submissions`` will say; without one the report says that ownership
was not checked.
"""

from __future__ import annotations

import asyncio
import json
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response

from iqkg.errors import InputError, UnsupportedMediaType
from iqkg.messages import translator
from iqkg.query.workers import WorkerPool
from iqkg.rdf.formats import (
    ALL_RDF_SYNTAXES,
    JSON_LD,
    TURTLE,
    RdfSyntax,
    base_media_type,
    negotiate,
    rdf_syntax_for_media_type,
    rdf_syntax_for_path,
)
from iqkg.server.bodies import read_limited
from iqkg.server.services import get_services
from iqkg.server.templates import html_response, page_html, request_language
from iqkg.settings import Settings
from iqkg.store.dataset import Dataset
from iqkg.submissions import (
    Body,
    Caller,
    PartnerRegistry,
    SubmissionLedger,
    SubmissionService,
    identify,
)
from iqkg.submissions.checking import Checked, WorkerChecker, checker_kind
from iqkg.validation.report import ValidationReport, label, report_prefixes

router = APIRouter(tags=["validation"])

REPORT_MEDIA_TYPES = ["application/json", "text/html", TURTLE.media_type, JSON_LD.media_type]


@dataclass
class CheckingState:
    """The checking workers, and the submission service that reaches them."""

    pool: WorkerPool
    checker: WorkerChecker
    submissions: SubmissionService


async def build_checking(settings: Settings, dataset: Dataset) -> CheckingState:
    """Start the checking workers (each parses shapes, ontology and curated data once).

    The submission service runs in the thread pool and reaches the workers through the
    event loop; the server process itself never parses or validates a body.
    """
    pool = WorkerPool(
        settings.concurrent_validations,
        settings.concurrent_validations,
        None,
        settings.base,
        client_share=settings.client_worker_share,
        client_queue_share=settings.client_queue_share,
        kind=checker_kind(
            settings.base,
            settings.knowledge_dir,
            max_triples=settings.max_submission_triples,
            memory_mb=settings.worker_memory_mb,
        ),
    )
    await pool.start()
    checker = WorkerChecker(
        pool,
        settings.validation_timeout,
        dataset.iris,
        share_from=settings.validation_share_bytes,
    )
    loop = asyncio.get_running_loop()

    def check(
        data: bytes, syntax: RdfSyntax, owner: str | None, *, to_store: bool = True
    ) -> Checked:
        # Runs in the thread pool, whose context is the request's: who the work is for.
        work = checker.check(data, syntax, owner, to_store=to_store, client=_checking_client.get())
        return asyncio.run_coroutine_threadsafe(work, loop).result()

    submissions = SubmissionService(
        dataset,
        dataset.iris,
        check,
        PartnerRegistry(settings.partners_path),
        SubmissionLedger(settings.partners_path),
        crashes=dataset.crashes,
    )
    # Submissions withdrawn by an earlier iqkg still have their records in graph/meta.
    await run_in_threadpool(submissions.privatise_withdrawn)
    return CheckingState(pool, checker, submissions)


async def close_checking(state: CheckingState) -> None:
    await state.pool.stop()


def service(request: Request) -> SubmissionService:
    return get_services(request).checking.submissions


#: The client the current request's checking work is for: one client holds at most its
#: share of the checking workers, like the query workers (set by :func:`caller`).
_checking_client: ContextVar[str | None] = ContextVar("iqkg_checking_client", default=None)


def client_key(request: Request, who: Caller | None) -> str:
    """``operator``, ``partner:SLUG`` or ``address:HOST`` (the TCP peer, not a header).

    A client is its token when iqkg knows it, else its address: an unknown token does not
    make a new client, or anyone could claim a fresh share per request.
    """
    if who is not None and who.operator:
        return "operator"
    if who is not None and who.partner is not None:
        return f"partner:{who.partner.slug}"
    return f"address:{request.client.host if request.client else 'unknown'}"


async def caller(request: Request) -> Caller:
    """Who is asking; the partner lookup (SQLite) runs off the event loop."""
    settings = get_services(request).settings
    who = await run_in_threadpool(
        identify,
        service(request).registry,
        settings.admin_token,
        request.headers.get("authorization"),
    )
    _checking_client.set(client_key(request, who))
    return who


# --- reading bodies ------------------------------------------------------------------


async def read_rdf_body(request: Request) -> Body:
    """The RDF in a request: the body itself, or the file part of a multipart upload."""
    settings = get_services(request).settings
    content_type = request.headers.get("content-type", "")
    data = await read_limited(
        request,
        settings.max_submission_bytes,
        setting="IQKG_MAX_SUBMISSION_BYTES",
        advice="Split the data into several submissions.",
    )
    if base_media_type(content_type) == "multipart/form-data":
        return await _from_multipart(request, data)
    syntax = rdf_syntax_for_media_type(content_type)
    return Body(data, syntax, syntax.media_type)


async def _from_multipart(request: Request, data: bytes) -> Body:
    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": data, "more_body": False}

    buffered = Request(request.scope, receive=replay)
    form = await buffered.form(max_files=1, max_fields=10)
    try:
        upload = next((v for v in form.values() if isinstance(v, UploadFile)), None)
        if upload is None:
            raise InputError("the multipart form holds no file; send the RDF as a file part")
        content = await upload.read()
        named = form.get("partner")
        partner = named.strip() if isinstance(named, str) and named.strip() else None
        media_type = base_media_type(upload.content_type)
        fmt = form.get("format")
        if isinstance(fmt, str) and fmt:
            syntax = rdf_syntax_for_media_type(fmt)
        elif any(media_type in s.media_types for s in ALL_RDF_SYNTAXES) and media_type not in (
            "text/plain",
            "application/xml",
            "text/xml",
        ):
            syntax = rdf_syntax_for_media_type(media_type)
        else:
            try:
                syntax = rdf_syntax_for_path(upload.filename or "")
            except UnsupportedMediaType:
                if media_type:
                    syntax = rdf_syntax_for_media_type(media_type)
                else:
                    raise
        return Body(content, syntax, syntax.media_type, partner)
    finally:
        await form.close()


# --- language and report rendering ---------------------------------------------------


def report_page(
    request: Request, report: ValidationReport, *, title: str, extra: dict[str, Any] | None = None
) -> str:
    """A report as a page of the site (callable in the thread pool: reports can be long)."""
    lang = request_language(request)
    services = get_services(request)
    context = {
        "report": report,
        "title": title,
        "label": lambda key: label(key, lang),
        "names": report_prefixes(services.settings.base),
    }
    templates = services.templates
    return page_html(templates, request, "submissions/report.html", {**context, **(extra or {})})


async def render_report(
    request: Request,
    report: ValidationReport,
    *,
    status: int = 200,
    extra_json: dict[str, Any] | None = None,
) -> Response:
    """The report in the negotiated representation (JSON unless asked otherwise).

    Rendered in the thread pool: a report can hold thousands of results, and the event
    loop must stay free for everyone else.
    """
    lang = request_language(request)
    media_type = negotiate(request.headers.get("accept"), REPORT_MEDIA_TYPES)
    headers = {"Content-Language": lang, "Vary": "Accept, Accept-Language"}
    if media_type == "text/html":
        title = translator(lang)("validation_report")
        page = await run_in_threadpool(report_page, request, report, title=title)
        return html_response(request, page, status=status, headers=headers)
    if media_type in (TURTLE.media_type, JSON_LD.media_type):
        syntax = TURTLE if media_type == TURTLE.media_type else JSON_LD
        body = await run_in_threadpool(report.serialize, syntax.format)
        return Response(body, status, headers, media_type=media_type)
    content = await run_in_threadpool(
        lambda: json.dumps(
            {**report.as_json(lang), **(extra_json or {})}, ensure_ascii=False
        ).encode("utf-8")
    )
    return Response(content, status, headers, media_type="application/json")


@router.post("/validate", summary="Validate RDF against the iqkg shapes (nothing is stored)")
async def validate(request: Request) -> Response:
    who = await caller(request)
    # A bad Accept is refused before the (costly) validation.
    negotiate(request.headers.get("accept"), REPORT_MEDIA_TYPES)
    body = await read_rdf_body(request)
    submissions = service(request)
    named = request.query_params.get("partner") or body.partner
    owner = await run_in_threadpool(submissions.validation_owner, who, named)
    checked = await run_in_threadpool(submissions.check, body, owner, to_store=False)
    return await render_report(request, checked.report, extra_json={"triples": checked.distinct})
