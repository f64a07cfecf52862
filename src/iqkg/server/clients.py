"""Who is asking, for the per-client shares of the worker pools.

A client is its token when it presents one that iqkg knows (the operator's or a
partner's), else its network address. An unknown or malformed token does not make a new
client: otherwise anyone could claim a fresh share per request by inventing tokens.
"""

from __future__ import annotations

from fastapi import Request

from iqkg.errors import Unauthorized
from iqkg.server.validation import caller


async def client_identity(request: Request) -> str:
    """``operator``, ``partner:SLUG`` or ``address:HOST`` (the TCP peer, not a header)."""
    if request.headers.get("authorization"):
        try:
            who = await caller(request)
        except Unauthorized:
            who = None
        if who is not None and who.operator:
            return "operator"
        if who is not None and who.partner is not None:
            return f"partner:{who.partner.slug}"
    host = request.client.host if request.client else "unknown"
    return f"address:{host}"
