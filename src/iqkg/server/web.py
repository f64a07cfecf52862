"""Web conventions every response shares: CORS (SPARQL clients in browsers) and gzip.

Installed once by ``create_app``. Gzip (Starlette's GZipMiddleware) leaves responses under
1 KiB alone and compresses larger ones at the fastest level. It names ``Accept-Encoding``
in ``Vary`` only when it compressed, which a 304 (no body) never is; so every answer
with an ``ETag`` names it (:class:`VaryOnEncoding`), and a 304 carries the ``Vary`` of
its 200 (RFC 9110 §15.4.5).
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Headers a cross-origin script may read (SPARQL answers say what they are through them).
EXPOSED = [
    "ETag",
    "Last-Modified",
    "Retry-After",
    "Warning",
    "X-IQKG-Truncated",
    "X-IQKG-Row-Limit",
    "X-IQKG-Dataset-Version",
]


def vary_on_encoding(headers: MutableHeaders) -> None:
    """Name ``Accept-Encoding`` in the ``Vary`` of an answer with an ``ETag``: once each,
    whether gzip compressed this answer or not (the 304 and the 200 must agree)."""
    if "etag" in headers:
        named = [v.strip() for v in headers.get("vary", "").split(",") if v.strip()]
        # Field names are case-insensitive (RFC 9110 §5.1): once each in any case.
        varied: dict[str, str] = {}
        for name in [*named, "Accept-Encoding"]:
            varied.setdefault(name.lower(), name)
        headers["Vary"] = ", ".join(varied.values())


class VaryOnEncoding:
    """:func:`vary_on_encoding` on every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_varied(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                vary_on_encoding(MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_varied)


#: Gzip leaves answers under 1 KiB alone. Level 1: measured 1.8 ms instead of 5.4 ms
#: (level 6) for an 883 KB SPARQL answer, for a 34% larger body; on the networks SPARQL
#: clients use, the faster level wins. Starlette compresses a body of 128 KiB or more in a
#: thread, which cost 1.2-1.5 ms more than compressing it (a 160 KB CONSTRUCT answer at
#: level 1: 0.26 ms); below 512 KiB (~1.5 ms of the event loop at level 1) it is done inline.
GZIP_MINIMUM_SIZE = 1024
GZIP_LEVEL = 1
GZIP_THREAD_MINIMUM = 512 * 1024


def compressing(app: ASGIApp) -> ASGIApp:
    """``app`` inside gzip as :func:`install` puts every route (the direct path to
    ``/sparql``, :mod:`iqkg.server.fast_path`, uses it alone)."""
    return GZipMiddleware(
        app,
        minimum_size=GZIP_MINIMUM_SIZE,
        compresslevel=GZIP_LEVEL,
        thread_minimum_size=GZIP_THREAD_MINIMUM,
    )


def install(app: FastAPI) -> None:
    app.add_middleware(
        GZipMiddleware,
        minimum_size=GZIP_MINIMUM_SIZE,
        compresslevel=GZIP_LEVEL,
        thread_minimum_size=GZIP_THREAD_MINIMUM,
    )
    app.add_middleware(VaryOnEncoding)  # outside gzip: sees what it added
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
        allow_headers=[
            "Accept",
            "Content-Type",
            "If-None-Match",
            "If-Modified-Since",
            "If-Match",
            "If-Unmodified-Since",
        ],
        expose_headers=EXPOSED,
        max_age=86_400,
    )
