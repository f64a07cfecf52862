"""The one place that turns errors into HTTP responses.

Each :class:`~iqkg.errors.IqkgError` subclass carries its status; anything else is a bug,
logged with its traceback and answered with a 500 that reveals nothing internal.
Which of the three an error is answered as is negotiated by the q-values of ``Accept``
(RFC 9110 §12.5.1): clients that prefer JSON (``application/json`` or a ``+json`` type
they name, such as ``application/sparql-results+json``) get ``{"status", "error",
"message", "detail"}``; browsers (a ``GET`` that prefers ``text/html``) get a page of the
site in their language; everyone else, ``*/*`` included, gets the message as text/plain.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse, PlainTextResponse, Response

from iqkg.errors import IqkgError, NotAcceptable, Overloaded, Unauthorized
from iqkg.rdf.formats import negotiate
from iqkg.server.services import has_services
from iqkg.server.templates import error_page

log = logging.getLogger("iqkg.server")


def _named_json_types(accept: str) -> list[str]:
    """The JSON media types ``accept`` names itself (``application/json``, ``…+json``)."""
    named = (media_range.split(";", 1)[0].strip().lower() for media_range in accept.split(","))
    return list(dict.fromkeys(t for t in named if t == "application/json" or t.endswith("+json")))


def _error_media_type(request: Request) -> str:
    """``application/json``, ``text/html`` or ``text/plain``, by the client's q-values.

    JSON is offered only in the types the client named (a ``*/*`` is no wish for JSON) and
    wins a tie; a page only to a ``GET`` or ``HEAD`` of a running app. When the client
    accepts none of them, it gets text: a 406 instead of the error would help no one.
    """
    accept = request.headers.get("accept") or ""
    json_types = _named_json_types(accept)
    offered = [*json_types, "text/plain"]
    if request.method in ("GET", "HEAD") and has_services(request):
        offered.append("text/html")
    try:
        chosen = negotiate(accept, offered)
    except NotAcceptable:
        return "text/plain"
    return "application/json" if chosen in json_types else chosen


def error_response(
    request: Request, status: int, message: str, detail: dict[str, object] | None = None
) -> Response:
    phrase = HTTPStatus(status).phrase
    media_type = _error_media_type(request)
    if media_type == "application/json":
        return JSONResponse(
            {"status": status, "error": phrase, "message": message, "detail": detail or {}},
            status_code=status,
        )
    if media_type == "text/html":
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


async def _client_gone(request: Request, exc: Exception) -> Response:
    """The client closed the connection (or the read deadline closed it) before its body
    arrived: nobody receives an answer, and it is no server error."""
    log.info("%s %s: the client left before its body arrived", request.method, request.url.path)
    return error_response(request, 400, "the connection closed before the request body arrived")


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(request, 500, "internal error; it has been logged")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(IqkgError, _iqkg_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ClientDisconnect, _client_gone)
    app.add_exception_handler(Exception, _unexpected)
