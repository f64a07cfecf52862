"""server/bodies.py in process: the media type a request declares, and a body read under a
byte limit: refused by ``Content-Length`` before a byte is read, and by counting while
reading (a chunked body declares no length) as soon as it passes the limit."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import Request
from starlette.types import Message

from iqkg.errors import PayloadTooLarge
from iqkg.server.bodies import read_limited, request_media_type

LIMIT = 10


class Body:
    """An ASGI ``receive`` that hands out ``chunks`` and counts how many were taken."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = list(chunks)
        self.taken = 0

    async def __call__(self) -> Message:
        self.taken += 1
        chunk = self.chunks.pop(0) if self.chunks else b""
        return {"type": "http.request", "body": chunk, "more_body": bool(self.chunks)}


def _request(headers: dict[str, str], receive: Body | None = None) -> Request:
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/validate",
        "headers": [(k.lower().encode(), v.encode("latin-1")) for k, v in headers.items()],
    }
    return Request(scope, receive or Body())


def _read(request: Request, limit: int = LIMIT) -> bytes:
    return asyncio.run(read_limited(request, limit, setting="IQKG_MAX_BODY", advice="Split it."))


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("text/turtle", "text/turtle"),
        ("text/turtle; charset=utf-8", "text/turtle"),
        ("Text/Turtle;charset=UTF-8", "text/turtle"),  # RFC 9110 §8.3.1: case-insensitive
        ("  application/ld+json ; profile=x", "application/ld+json"),
        ('multipart/form-data; boundary="a;b"', "multipart/form-data"),
        ("", ""),
        (None, ""),
    ],
)
def test_request_media_type(content_type: str | None, expected: str) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    assert request_media_type(_request(headers)) == expected


@pytest.mark.parametrize(
    "chunks",
    [(), (b"",), (b"0123456789",), (b"01234", b"56789"), (b"0", b"", b"123456789")],
    ids=["none", "empty", "at the limit", "two chunks", "with an empty chunk"],
)
def test_a_body_up_to_the_limit_is_read_whole(chunks: tuple[bytes, ...]) -> None:
    body = Body(*chunks)
    assert _read(_request({}, body)) == b"".join(chunks)


def test_a_declared_length_over_the_limit_is_refused_before_reading() -> None:
    body = Body(b"x" * 11)
    with pytest.raises(PayloadTooLarge) as refused:
        _read(_request({"Content-Length": "11"}, body))
    assert body.taken == 0
    assert refused.value.status == 413
    message = refused.value.message
    assert "11 bytes" in message and f"at most {LIMIT} bytes" in message
    assert "IQKG_MAX_BODY" in message and message.endswith("Split it.")


def test_a_chunked_body_is_cut_as_soon_as_it_passes_the_limit() -> None:
    """No Content-Length (Transfer-Encoding: chunked, RFC 9112 §7.1): counted while read;
    the chunks after the one that crossed the limit are never taken."""
    body = Body(b"0123456", b"789ab", b"c" * 1000, b"d" * 1000)
    with pytest.raises(PayloadTooLarge, match="12 bytes or more"):
        _read(_request({"Transfer-Encoding": "chunked"}, body))
    assert body.taken == 2


def test_a_body_longer_than_it_declared_is_still_cut() -> None:
    body = Body(b"0123456789", b"overflow")
    with pytest.raises(PayloadTooLarge):
        _read(_request({"Content-Length": "5"}, body))


@pytest.mark.parametrize("declared", ["abc", "-1", "1e3", " 11", ""])
def test_a_malformed_length_does_not_stand_in_for_counting(declared: str) -> None:
    """A length that is no number decides nothing: the body is counted instead."""
    assert _read(_request({"Content-Length": declared}, Body(b"fits"))) == b"fits"
    with pytest.raises(PayloadTooLarge):
        _read(_request({"Content-Length": declared}, Body(b"x" * 11)))


def test_the_message_without_advice_ends_cleanly() -> None:
    request = _request({"Content-Length": "99"})
    with pytest.raises(PayloadTooLarge) as refused:
        asyncio.run(read_limited(request, 5, setting="IQKG_MAX_QUERY_BYTES"))
    assert refused.value.message.endswith("(IQKG_MAX_QUERY_BYTES).")
