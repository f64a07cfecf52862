"""Web conventions every response shares: CORS (SPARQL clients in browsers) and gzip.

Installed once by ``create_app``. Gzip leaves responses under 1 KiB alone and compresses
large ones in a worker thread (Starlette's GZipMiddleware), never on the event loop.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

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


def install(app: FastAPI) -> None:
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
        allow_headers=["Accept", "Content-Type", "If-None-Match", "If-Modified-Since"],
        expose_headers=EXPOSED,
        max_age=86_400,
    )
