"""``iqkg serve``: run the HTTP service on uvicorn over the store."""

from __future__ import annotations

import argparse
from typing import Any

import uvicorn

from iqkg.server.app import create_app
from iqkg.server.http import guarded_protocol
from iqkg.settings import Settings


def register(subparsers: Any) -> None:
    serve = subparsers.add_parser("serve", help="serve SPARQL, linked data and submissions")
    serve.add_argument("--host", help="interface to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8000)")
    serve.add_argument("--workers", type=int, help="query worker processes (default 2)")
    serve.set_defaults(func=cmd_serve)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    settings = settings.with_overrides(host=args.host, port=args.port, query_workers=args.workers)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="info",
        # httptools with iqkg's guard (see iqkg.server.http): bodies of requests with
        # ``Upgrade: h2c`` arrive, heads are bounded, and reading a request has deadlines.
        http=guarded_protocol(
            settings.head_timeout, settings.body_timeout, settings.max_header_bytes
        ),
        limit_concurrency=settings.max_connections,
        timeout_keep_alive=int(settings.keep_alive_timeout),
        access_log=settings.access_log,
    )
    return 0
