"""The one place that turns errors into HTTP responses.

Each :class:`~iqkg.errors.IqkgError` subclass carries its status; anything else is a bug,
logged with its traceback and answered with a 500 that reveals nothing internal.
Clients that prefer JSON get ``{"status", "error", "message", "detail"}``; browsers
(clients that name ``text/html`` before anything else they accept) get a page of the site
in their language; everyone else gets the message as text/plain.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, PlainTextResponse, Response

from iqkg.errors import IqkgError, NotAcceptable, Overloaded, Unauthorized
from iqkg.rdf.formats import negotiate
from iqkg.server.services import has_services
from iqkg.server.templates import error_page

log = logging.getLogger("iqkg.server")


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "json" in accept and "html" not in accept.split(",")[0]


def _wants_html(request: Request) -> bool:
    try:
        chosen = negotiate(request.headers.get("accept"), ["text/plain", "text/html"])
    except NotAcceptable:
        return False
    return chosen == "text/html" and request.method in ("GET", "HEAD")


def error_response(
    request: Request, status: int, message: str, detail: dict[str, object] | None = None
) -> Response:
    phrase = HTTPStatus(status).phrase
    if _wants_json(request):
        return JSONResponse(
            {"status": status, "error": phrase, "message": message, "detail": detail or {}},
            status_code=status,
        )
    if _wants_html(request) and has_services(request):
        try:
            return error_page(request, status, message)
        except Exception:  # a broken page must not hide the error it was to show
            log.exception("the error page for %s %s failed", request.method, request.url.path)
    return PlainTextResponse(f"{status} {phrase}: {message}\n", status_code=status)


async def _iqkg_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, IqkgError)
    response = error_response(request, exc.status, exc.message, exc.detail)
    if isinstance(exc, Overloaded):
        response.headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, Unauthorized):  # RFC 9110 §15.5.2: a 401 names its schemes
        for challenge in exc.challenges:
            response.headers.append("WWW-Authenticate", challenge)
    return response


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    response = error_response(request, exc.status_code, str(exc.detail))
    for key, value in (exc.headers or {}).items():
        response.headers[key] = value
    return response


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = "; ".join(
        f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg')}" for err in exc.errors()
    )
    return error_response(request, 400, f"invalid request parameters: {problems}")


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(request, 500, "internal error; it has been logged")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(IqkgError, _iqkg_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
