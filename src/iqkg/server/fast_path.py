"""A direct way to the query endpoint: ``GET``/``HEAD /sparql`` without the framework's layers.

A cheap query (benchmark query 12, result cache off) cost the server process ~700 µs of
CPU; py-spy put a fifth of it in layers that do nothing for such a request: FastAPI's and
Starlette's app entry, the error, telemetry and body-limit middlewares, CORS (for a request
without ``Origin`` it only adds ``Origin`` to ``Vary``), the exception middleware, the exit
stack, matching the path against every route and solving the endpoint's dependencies.

:class:`IqkgApp` answers such a request by calling the endpoint itself,
:func:`iqkg.server.sparql.answer_get`, with the query string decoded by
:func:`query_params` (Starlette's parameters, ~4 µs instead of ~19 µs for the benchmark's
600-byte query), its answer passed through the same gzip middleware
(:func:`iqkg.server.web.compressing`) unless it is too small to compress (gzip passes
those on untouched), with the ``Vary`` the whole stack gives (in one pass over the
headers), turning errors into answers with the app's own exception handlers, and a failure
nobody handles into the app's 500 answer before it goes on to the server, as Starlette's
``ServerErrorMiddleware`` does. The answer is the one the whole stack gives, header for
header (``tests/server/test_fast_path.py`` compares them).

Everything else takes the whole stack: other paths and methods, requests with ``Origin``
(CORS acts on them), browsers (``html`` in ``Accept``: the editor and error pages use the
router), and an app given a root path.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import cast

from fastapi import FastAPI, Request
from starlette.datastructures import MutableHeaders, QueryParams
from starlette.responses import FileResponse, Response, StreamingResponse
from starlette.types import Message, Receive, Scope, Send

from iqkg.server import web
from iqkg.server.sparql import answer_get

#: iqkg's exception handlers are all coroutines (``iqkg.server.errors``).
Handler = Callable[[Request, Exception], Awaitable[Response]]


def takes_direct_path(scope: Scope) -> bool:
    """Whether the request is a ``GET``/``HEAD /sparql`` the direct path answers as the
    whole stack would (no ``Origin``, no ``html`` in ``Accept``, no root path)."""
    if scope["path"] != "/sparql" or scope["method"] not in ("GET", "HEAD"):
        return False
    if scope.get("root_path"):
        return False
    for name, value in scope["headers"]:
        if name == b"origin":
            return False
        if name == b"accept" and b"html" in value.lower():
            return False
    return True


def query_params(raw: bytes) -> QueryParams:
    """``raw`` read as Starlette's ``QueryParams(raw)`` reads it (``parse_qsl`` with blank
    values kept), percent escapes decoded by the codecs, in C, instead of by
    ``urllib.parse.unquote``'s loop in Python. Only plain ASCII whose escapes are well-formed
    UTF-8 is read so; anything else (raw non-ASCII bytes, a stray ``%``, bytes that are not
    UTF-8) goes to Starlette, whose reading of such strings is the reference."""
    text = raw.decode("latin-1")
    if not text.isascii():
        return QueryParams(raw)
    pairs: list[tuple[str, str]] = []
    try:
        for part in text.split("&"):
            if part:
                name, _, value = part.partition("=")
                pairs.append((_unquoted(name), _unquoted(value)))
    except UnicodeError:  # a malformed escape or not UTF-8: as urllib reads it
        return QueryParams(raw)
    return QueryParams(pairs)


def _unquoted(part: str) -> str:
    """``urllib.parse.unquote_plus`` of an ASCII ``part``, strict: ``%XX`` becomes
    ``\\xXX`` for the ``unicode_escape`` codec (every backslash doubled first, so no other
    escape exists), whose latin-1 code points are the bytes to read as UTF-8."""
    part = part.replace("+", " ")
    if "%" not in part:
        return part
    escaped = part.replace("\\", "\\\\").replace("%", "\\x").encode("ascii")
    return escaped.decode("unicode_escape").encode("latin-1").decode("utf-8")


class IqkgApp(FastAPI):
    """FastAPI with the direct path to ``/sparql`` queries in front (see the module)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self.root_path and takes_direct_path(scope):
            scope["app"] = self
            if "router" not in scope:
                scope["router"] = self.router  # as Starlette's router sets it (url_for)
            await self._direct(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    async def _direct(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        try:
            response = await answer_get(request, query_params(scope["query_string"]))
        except Exception as error:
            handler = self._handler(error)
            response = await handler(request, error)
            if handler is self.exception_handlers.get(Exception):
                await _deliver(response, scope, receive, send)
                raise  # as ServerErrorMiddleware: the server logs it and closes
        await _deliver(response, scope, receive, send)

    def _handler(self, error: Exception) -> Handler:
        """The app's handler for ``error``, looked up as Starlette's exception middleware
        does (by class, nearest first); the 500 handler for an error nobody handles."""
        for kind in type(error).__mro__:
            if kind is not Exception and kind in self.exception_handlers:
                return cast(Handler, self.exception_handlers[kind])
        unexpected = self.exception_handlers.get(Exception)
        if unexpected is None:
            raise error
        return cast(Handler, unexpected)


async def _deliver(response: Response, scope: Scope, receive: Receive, send: Send) -> None:
    """``response`` as gzip and the ``Vary`` step leave it. One body smaller than gzip's
    minimum is what gzip passes on untouched (``starlette.middleware.gzip``: any such
    single-message answer), so it skips the middleware and its two header parses."""
    varied = _varied(send)
    if (
        not isinstance(response, StreamingResponse | FileResponse)
        and len(response.body) < web.GZIP_MINIMUM_SIZE
    ):
        await response(scope, receive, varied)
    else:
        await web.compressing(response)(scope, receive, varied)


def _varied(send: Send) -> Send:
    """``Vary`` as the whole stack leaves it, in one pass over the headers: what
    :class:`~iqkg.server.web.VaryOnEncoding` names, then ``Origin``, which CORSMiddleware
    adds to the answer of every request without ``Origin`` (one with it is answered
    differently)."""

    async def send_varied(message: Message) -> None:
        if message["type"] == "http.response.start":
            message.setdefault("headers", [])
            headers = MutableHeaders(scope=message)
            web.vary_on_encoding(headers)
            headers["Vary"] = ", ".join([*headers.getlist("Vary"), "Origin"])
        await send(message)

    return send_varied
