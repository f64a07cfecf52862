"""Reading request bodies: the media type a request declares, and a body under a byte limit.

Shared by every route that takes a body (queries, updates, RDF to validate or submit), so
each refuses an oversized body the same way: by ``Content-Length`` before reading, and by
counting while reading (a chunked body declares no length).
"""

from __future__ import annotations

from fastapi import Request

from iqkg.errors import PayloadTooLarge
from iqkg.rdf.formats import base_media_type


def request_media_type(request: Request) -> str:
    return base_media_type(request.headers.get("content-type"))


async def read_limited(request: Request, limit: int, *, setting: str, advice: str = "") -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit`` bytes.

    ``setting`` names the configuration key behind the limit and ``advice`` says what to
    do instead, so the message is one a client can act on.
    """

    def too_large(size: int) -> PayloadTooLarge:
        return PayloadTooLarge(
            f"the request body is {size} bytes or more; this endpoint accepts at most "
            f"{limit} bytes ({setting}). {advice}".rstrip()
        )

    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_large(int(declared))
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > limit:
            raise too_large(len(received))
    return bytes(received)
