"""Who is asking, for the per-client shares of the worker pools.

A client is its token when it presents one that iqkg knows (the operator's or a
partner's), else its network address. An unknown or malformed token does not make a new
client: otherwise anyone could claim a fresh share per request by inventing tokens.
"""

from __future__ import annotations

import contextlib

from fastapi import Request

from iqkg.errors import Unauthorized
from iqkg.server.validation import caller, client_key


async def client_identity(request: Request) -> str:
    """``operator``, ``partner:SLUG`` or ``address:HOST`` (see :func:`client_key`)."""
    who = None
    if request.headers.get("authorization"):
        with contextlib.suppress(Unauthorized):
            who = await caller(request)
    return client_key(request, who)
