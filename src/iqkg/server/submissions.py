"""``/submissions``: partners submit, replace and withdraw RDF; anyone reads what is accepted.

``POST`` accepts (201 + ``Location``) or rejects (422 + the report, nothing written);
content equal to a live submission of the partner is answered 200 with that submission
(``"unchanged": true``, nothing written); ``PUT`` stores a new version (or, equal to the
current one, answers 200 unchanged), ``DELETE`` withdraws. Both writes honour an
``Idempotency-Key`` (:mod:`iqkg.server.idempotency`). ``GET /submissions/{id}`` negotiates:
JSON (metadata + report) by default, the data in any RDF syntax, or an HTML report;
``GET /submissions`` is JSON by default and, for browsers, a page with filters. Also the
``/submit`` page for people. Answers depend on the caller, so they are ``private``; one
submission carries an ``ETag``, and ``PUT``/``DELETE`` with ``If-Match`` change only the
version the client read (:mod:`iqkg.server.conditional`). Pages are in the site layout
(:mod:`iqkg.server.templates`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, JSONResponse, Response

from iqkg.errors import InputError, NotAcceptable
from iqkg.messages import LANGUAGES, translator
from iqkg.rdf.formats import GRAPH_SYNTAXES, negotiate
from iqkg.server.conditional import check_write, entity_tag, not_modified, validators
from iqkg.server.idempotency import idempotent
from iqkg.server.services import get_services
from iqkg.server.templates import STATIC_PAGE, Language, page_headers, render, request_language
from iqkg.server.validation import (
    caller,
    read_rdf_body,
    render_report,
    service,
)
from iqkg.submissions import SubmissionRecord, SubmissionRejected
from iqkg.submissions.provenance import SubmissionIris, VersionFacts
from iqkg.validation.report import label, report_prefixes

router = APIRouter(tags=["submissions"])

STATUSES = ("accepted", "withdrawn")
_RDF_BY_MEDIA_TYPE = {mt: s for s in GRAPH_SYNTAXES for mt in s.media_types}
RECORD_MEDIA_TYPES = ["application/json", "text/html", *_RDF_BY_MEDIA_TYPE]
#: What a caller sees of submissions depends on who asks (a partner sees its private and
#: withdrawn ones), so no shared cache may keep these answers.
PER_CALLER = {
    "Vary": "Accept, Accept-Language, Cookie, Authorization",
    "Cache-Control": "private, no-cache",
}
#: The representations of one submission, as they appear in its ETags.
_REPRESENTATIONS = {"application/json": "json", "text/html": "html"} | {
    mt: s.name for mt, s in _RDF_BY_MEDIA_TYPE.items()
}


def record_tag(record: SubmissionRecord, number: int | None, media_type: str, lang: str) -> str:
    """The ``ETag`` of one representation of a submission (or of one of its versions):
    it changes with a new version, a withdrawal, the representation and the language."""
    representation = _REPRESENTATIONS[media_type]
    language = lang if representation in ("json", "html") else "-"
    shown = "current" if number is None else f"v{number}"
    parts = (record.id, f"v{record.current.number}", record.status, shown)
    return entity_tag(*parts, representation, language)


async def _check_write(request: Request, submission_id: str) -> None:
    """``If-Match``/``If-Unmodified-Since``: replace or withdraw only the submission as
    the client read it (any representation, any language), else 412 (RFC 9110 §13.1)."""
    if not any(h in request.headers for h in ("if-match", "if-unmodified-since")):
        return
    record = await _record(request, submission_id)
    tags = [record_tag(record, None, mt, lang) for mt in _REPRESENTATIONS for lang in LANGUAGES]
    check_write(request, validators(tags))


def _version_json(names: SubmissionIris, record: SubmissionRecord, v: VersionFacts) -> Any:
    return {
        "version": v.number,
        "received": v.received,
        "mediaType": v.media_type,
        "sha256": v.sha256,
        "triples": v.triples,
        "graph": names.version(record.id, v.number),
        "url": f"/submissions/{record.id}/versions/{v.number}",
    }


def record_json(request: Request, record: SubmissionRecord) -> dict[str, Any]:
    names = service(request).names
    current = _version_json(names, record, record.current)
    return {
        "id": record.id,
        "url": f"/submissions/{record.id}",
        "partner": record.partner,
        "status": record.status,
        "created": record.created,
        "modified": record.modified,
        "withdrawn": record.withdrawn,
        "graph": names.live(record.id),
        **{k: current[k] for k in ("version", "received", "mediaType", "sha256", "triples")},
        "versions": [_version_json(names, record, v) for v in record.versions],
    }


async def _rejected(request: Request, error: SubmissionRejected) -> Response:
    return await render_report(request, error.report, status=422, extra_json={"accepted": False})


@router.post("/submissions", status_code=201, summary="Submit RDF (partner token required)")
async def create_submission(request: Request) -> Response:
    who = await caller(request)
    lang = request_language(request)
    body = await read_rdf_body(request)
    submissions = service(request)
    on_behalf_of = request.query_params.get("partner")

    async def answer() -> Response:
        try:
            outcome = await run_in_threadpool(
                submissions.create, who, body, on_behalf_of=on_behalf_of
            )
        except SubmissionRejected as error:
            return await _rejected(request, error)
        record = outcome.record
        report = outcome.report  # the stored one is read back only when unchanged
        if report is None:
            report = await run_in_threadpool(submissions.report, record)
        return JSONResponse(
            {
                **record_json(request, record),
                "accepted": True,
                "unchanged": outcome.unchanged,
                "report": report.as_json(lang),
            },
            200 if outcome.unchanged else 201,
            {"Location": f"/submissions/{record.id}"},
        )

    return await idempotent(request, submissions.ledger, who, body, answer)


def _date_param(request: Request, name: str) -> str | None:
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        (datetime if "T" in value else date).fromisoformat(value)
    except ValueError:
        raise InputError(f"{name} must be an ISO date or date-time, not {value!r}") from None
    return value


@router.api_route(
    "/submissions",
    methods=["GET", "HEAD"],
    summary="List submissions (filter by partner, status, date): JSON, or a page for browsers",
)
async def list_submissions(request: Request) -> Response:
    try:
        wants = negotiate(request.headers.get("accept"), ["application/json", "text/html"])
    except NotAcceptable:  # the list was JSON whatever the client asked; it stays so
        wants = "application/json"
    who = await caller(request)
    status = request.query_params.get("status")
    if status is not None and status not in STATUSES:
        raise InputError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    records = await run_in_threadpool(
        service(request).search,
        who,
        partner=request.query_params.get("partner") or None,
        status=status,
        since=_date_param(request, "since"),
        until=_date_param(request, "until"),
    )
    listed = [record_json(request, r) for r in records]
    if wants == "text/html":
        filters = {
            name: request.query_params.get(name, "")
            for name in ("partner", "status", "since", "until")
        }
        context = {"submissions": listed, "filters": filters, "statuses": STATUSES}
        return render(request, "submissions/list.html", context, headers=PER_CALLER)
    return JSONResponse({"submissions": listed}, headers=PER_CALLER)


async def _record(request: Request, submission_id: str) -> SubmissionRecord:
    who = await caller(request)
    record: SubmissionRecord = await run_in_threadpool(service(request).get, who, submission_id)
    return record


async def _represent(request: Request, record: SubmissionRecord, number: int | None) -> Response:
    submissions = service(request)
    media_type = negotiate(request.headers.get("accept"), RECORD_MEDIA_TYPES)
    lang = request_language(request)
    headers = {**PER_CALLER, "ETag": record_tag(record, number, media_type, lang)}
    unchanged = not_modified(request, headers)
    if unchanged is not None:
        return unchanged
    if media_type in _RDF_BY_MEDIA_TYPE:
        syntax = _RDF_BY_MEDIA_TYPE[media_type]
        triples = await run_in_threadpool(submissions.data, record, number)
        data = ox.serialize(triples, format=syntax.format) or b""
        return Response(data, 200, headers, media_type=syntax.media_type)
    report = await run_in_threadpool(submissions.report, record, number)
    if media_type == "text/html":
        context = {
            "record": record_json(request, record),
            "report": report,
            "title": f"{translator(lang)('submission')} {record.id}",
            "label": lambda key: label(key, lang),
            "names": report_prefixes(get_services(request).settings.base),
        }
        return render(request, "submissions/record.html", context, headers=headers)
    body = record_json(request, record)
    if number is not None:
        body["shownVersion"] = number
    return JSONResponse({**body, "report": report.as_json(lang)}, 200, headers)


@router.get("/submissions/{submission_id}", summary="A submission: metadata, report, data")
async def get_submission(request: Request, submission_id: str) -> Response:
    return await _represent(request, await _record(request, submission_id), None)


@router.get("/submissions/{submission_id}/versions/{number}", summary="One version of it")
async def get_version(request: Request, submission_id: str, number: int) -> Response:
    return await _represent(request, await _record(request, submission_id), number)


@router.get("/submissions/{submission_id}/report", summary="The report of the current version")
async def get_report(request: Request, submission_id: str) -> Response:
    record = await _record(request, submission_id)
    report = await run_in_threadpool(service(request).report, record)
    return await render_report(request, report)


@router.put("/submissions/{submission_id}", summary="Replace with a new version")
async def replace_submission(request: Request, submission_id: str) -> Response:
    who = await caller(request)
    body = await read_rdf_body(request)
    submissions = service(request)

    async def answer() -> Response:
        await _check_write(request, submission_id)  # not for a replayed answer
        try:
            outcome = await run_in_threadpool(submissions.replace, who, submission_id, body)
        except SubmissionRejected as error:
            return await _rejected(request, error)
        record = outcome.record
        return JSONResponse(
            {**record_json(request, record), "accepted": True, "unchanged": outcome.unchanged}
        )

    return await idempotent(request, submissions.ledger, who, body, answer)


@router.delete("/submissions/{submission_id}", summary="Withdraw (kept, leaves the union)")
async def withdraw_submission(request: Request, submission_id: str) -> Response:
    who = await caller(request)
    await _check_write(request, submission_id)
    record = await run_in_threadpool(service(request).withdraw, who, submission_id)
    return JSONResponse(record_json(request, record))


# --- the page for people ---------------------------------------------------------------


@router.api_route(
    "/submit",
    methods=["GET", "HEAD"],
    response_class=HTMLResponse,
    summary="Validate and submit in the browser",
)
async def submit_page(request: Request, lang: Language) -> Response:
    """The same for everyone in one language (the token is typed in, never shown): a
    weak ``ETag`` of the language and the software's version, 304 when it matches."""
    headers = page_headers(request, STATIC_PAGE, "submit")
    unchanged = not_modified(request, headers)
    if unchanged is not None:
        return unchanged
    context = {"label": lambda key: label(key, lang)}
    return render(request, "submissions/submit.html", context, headers=headers)
