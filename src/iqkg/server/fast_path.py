"""A direct way to the query endpoint: ``GET``/``HEAD /sparql`` without the framework's layers.

A cheap query (benchmark query 12, result cache off) cost the server process ~700 µs of
CPU; py-spy put a fifth of it in layers that do nothing for such a request: FastAPI's and
Starlette's app entry, the error, telemetry and body-limit middlewares, CORS (for a request
without ``Origin`` it only adds ``Origin`` to ``Vary``), the exception middleware, the exit
stack, matching the path against every route and solving the endpoint's dependencies.

:class:`IqkgApp` answers such a request by calling the endpoint itself,
:func:`iqkg.server.sparql.sparql_get`, inside the same gzip middleware
(:func:`iqkg.server.web.compressing`), with the ``Vary`` the whole stack gives (in one pass
over the headers), turning errors into answers with the app's own exception handlers, and
a failure nobody handles into the app's 500 answer before it goes on to the server, as
Starlette's ``ServerErrorMiddleware`` does. The answer is the one the
whole stack gives, header for header (``tests/server/test_fast_path.py`` compares them).

Everything else takes the whole stack: other paths and methods, requests with ``Origin``
(CORS acts on them), browsers (``html`` in ``Accept``: the editor and error pages use the
router), and an app given a root path.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import cast

from fastapi import FastAPI, Request
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from iqkg.server import web
from iqkg.server.sparql import sparql_get

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


class IqkgApp(FastAPI):
    """FastAPI with the direct path to ``/sparql`` queries in front (see the module)."""

    _direct: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self.root_path and takes_direct_path(scope):
            if self._direct is None:
                self._direct = _varied(web.compressing(self._endpoint))
            scope["app"] = self
            if "router" not in scope:
                scope["router"] = self.router  # as Starlette's router sets it (url_for)
            await self._direct(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    async def _endpoint(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        try:
            response = await sparql_get(request)
        except Exception as error:
            handler = self._handler(error)
            response = await handler(request, error)
            if handler is self.exception_handlers.get(Exception):
                await response(scope, receive, send)
                raise  # as ServerErrorMiddleware: the server logs it and closes
        await response(scope, receive, send)

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


def _varied(app: ASGIApp) -> ASGIApp:
    """``Vary`` as the whole stack leaves it, in one pass over the headers: what
    :class:`~iqkg.server.web.VaryOnEncoding` names, then ``Origin``, which CORSMiddleware
    adds to the answer of every request without ``Origin`` (one with it is answered
    differently)."""

    async def varied(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_varied(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                web.vary_on_encoding(headers)
                headers["Vary"] = ", ".join([*headers.getlist("Vary"), "Origin"])
            await send(message)

        await app(scope, receive, send_varied)

    return varied
