"""The ``Idempotency-Key`` header on submissions (draft-ietf-httpapi-idempotency-key-header).

A client that sends a key and loses the answer (timeout, dropped connection) can send
the same request again: it gets the first answer back (with ``Idempotent-Replayed:
true``) and nothing is written twice. Keys belong to the caller (a partner, or the
operator), are kept at least 24 hours (:data:`~iqkg.submissions.ledger.KEY_LIFETIME`),
and a key reused for a different request is refused with 422, as the draft says (§2.7).
Only final answers are kept (accepted 200/201, rejected 422); a 503 or a 401 is not,
so a retry after them is tried afresh.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from iqkg.errors import InputError, Unprocessable
from iqkg.submissions import Body, Caller, SubmissionLedger
from iqkg.submissions.ledger import StoredAnswer

HEADER = "idempotency-key"
#: Answers worth replaying: final outcomes of the request, not transient refusals.
KEPT_STATUSES = frozenset({200, 201, 422})
MAX_KEY_LENGTH = 255


def _key(raw: str) -> str:
    """The key's value; a Structured Field string (``"…"``, as the draft writes it) or
    the bare token most clients send."""
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not key or len(key) > MAX_KEY_LENGTH or not all(" " < c < "\x7f" for c in key):
        raise InputError(
            f"the Idempotency-Key must be 1 to {MAX_KEY_LENGTH} visible ASCII characters "
            '(e.g. a UUID, optionally in double quotes: "…")'
        )
    return key


def _scope(who: Caller) -> str | None:
    if who.partner is not None:
        return f"partner:{who.partner.slug}"
    return "operator" if who.operator else None


def _request_line(request: Request) -> str:
    partner = request.query_params.get("partner")
    return f"{request.method} {request.url.path}" + (f"?partner={partner}" if partner else "")


def _fingerprint(request: Request, body: Body) -> str:
    digest = hashlib.sha256(f"{_request_line(request)}\n{body.media_type}\n".encode())
    digest.update(body.data)
    return digest.hexdigest()


def _replay(stored: StoredAnswer) -> Response:
    headers = {"Idempotent-Replayed": "true"}
    if stored.location:
        headers["Location"] = stored.location
    return Response(stored.body, stored.status, headers, media_type=stored.media_type)


async def idempotent(
    request: Request,
    ledger: SubmissionLedger | None,
    who: Caller,
    body: Body,
    answer: Callable[[], Awaitable[Response]],
) -> Response:
    """``answer()``, unless the caller's ``Idempotency-Key`` was answered before."""
    raw = request.headers.get(HEADER)
    scope = _scope(who)
    if raw is None or ledger is None or scope is None:  # anonymous: answer() says 401
        return await answer()
    key = _key(raw)
    fingerprint = _fingerprint(request, body)
    stored = await run_in_threadpool(ledger.answer_for, scope, key)
    if stored is None:
        response = await answer()
        if response.status_code not in KEPT_STATUSES:
            return response
        stored = await run_in_threadpool(
            ledger.remember,
            scope,
            key,
            StoredAnswer(
                fingerprint=fingerprint,
                request=_request_line(request),
                created=datetime.now(UTC).isoformat(),
                status=response.status_code,
                media_type=response.headers.get("content-type", "application/octet-stream"),
                location=response.headers.get("location"),
                body=bytes(response.body),
            ),
        )
        if stored.fingerprint == fingerprint and stored.body == bytes(response.body):
            return response
    if stored.fingerprint != fingerprint:
        raise Unprocessable(
            f"the Idempotency-Key {key!r} was first used at {stored.created} for "
            f"{stored.request} with a different body; its answer stays as it was. Send "
            "different content with a new key.",
            detail={"idempotencyKey": key, "firstRequest": stored.request},
        )
    return _replay(stored)
