"""server/idempotency.py in process, over a real ledger (SQLite in a temporary folder):
the ``Idempotency-Key`` header (draft-ietf-httpapi-idempotency-key-header) answered once,
replayed after, refused for another body (§2.7: 422), kept per caller, only for final
answers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import Request
from starlette.responses import JSONResponse, Response

from iqkg.errors import InputError, Unprocessable
from iqkg.rdf.formats import TURTLE
from iqkg.server.idempotency import MAX_KEY_LENGTH, idempotent
from iqkg.submissions import Body, Caller, Partner, SubmissionLedger
from iqkg.submissions.ledger import KEY_LIFETIME, StoredAnswer
from iqkg.submissions.partners import ANONYMOUS, OPERATOR

ALPHA = Caller(partner=Partner(slug="alpha", name="Alpha", created="2026-01-01"))
BETA = Caller(partner=Partner(slug="beta", name="Beta", created="2026-01-01"))
BODY = Body(data=b"<urn:a> <urn:b> <urn:c> .", syntax=TURTLE, media_type="text/turtle")


class Answer:
    """The route's own answer: counts how often it ran (each run would write)."""

    def __init__(self, status: int = 201) -> None:
        self.status = status
        self.runs = 0

    async def __call__(self) -> Response:
        self.runs += 1
        headers = {"Location": f"/submissions/s{self.runs}"} if self.status == 201 else None
        return JSONResponse({"run": self.runs}, self.status, headers)


def _request(key: str | None, path: str = "/submissions", query: str = "") -> Request:
    headers = [] if key is None else [(b"idempotency-key", key.encode("latin-1"))]
    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "query_string": query.encode(),
        "headers": headers,
    }
    return Request(scope)


@pytest.fixture
def ledger(tmp_path: Path) -> SubmissionLedger:
    return SubmissionLedger(tmp_path / "partners.sqlite")


def _submit(
    ledger: SubmissionLedger | None,
    key: str | None,
    answer: Answer,
    who: Caller = ALPHA,
    body: Body = BODY,
    query: str = "",
) -> Response:
    return asyncio.run(idempotent(_request(key, query=query), ledger, who, body, answer))


def test_a_retry_gets_the_first_answer_and_nothing_runs_twice(ledger: SubmissionLedger) -> None:
    answer = Answer()
    first = _submit(ledger, "9f2c-4711", answer)
    again = _submit(ledger, "9f2c-4711", answer)
    assert answer.runs == 1
    assert first.status_code == again.status_code == 201
    assert bytes(again.body) == bytes(first.body) == b'{"run":1}'
    assert again.headers["location"] == first.headers["location"] == "/submissions/s1"
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers


def test_another_key_is_another_request(ledger: SubmissionLedger) -> None:
    answer = Answer()
    _submit(ledger, "key-1", answer)
    _submit(ledger, "key-2", answer)
    assert answer.runs == 2


def test_without_a_key_every_request_runs(ledger: SubmissionLedger) -> None:
    answer = Answer()
    _submit(ledger, None, answer)
    _submit(ledger, None, answer)
    assert answer.runs == 2


def test_the_quoted_and_the_bare_key_are_one(ledger: SubmissionLedger) -> None:
    """The draft's key is a Structured Field string (``"…"``, RFC 8941 §3.3.3); most
    clients send the bare token. Both name the same key."""
    answer = Answer()
    _submit(ledger, '"0e6f-abc"', answer)
    replayed = _submit(ledger, " 0e6f-abc ", answer)
    assert answer.runs == 1 and replayed.headers["idempotent-replayed"] == "true"


def test_a_key_reused_for_another_body_is_422(ledger: SubmissionLedger) -> None:
    answer = Answer()
    _submit(ledger, "k", answer)
    other = Body(data=BODY.data + b"\n", syntax=TURTLE, media_type="text/turtle")
    with pytest.raises(Unprocessable) as refused:
        _submit(ledger, "k", answer, body=other)
    assert refused.value.status == 422 and answer.runs == 1
    assert refused.value.detail == {"idempotencyKey": "k", "firstRequest": "POST /submissions"}
    # the first answer stays what it was
    assert bytes(_submit(ledger, "k", answer).body) == b'{"run":1}'


def test_a_key_reused_with_another_media_type_or_partner_is_422(ledger: SubmissionLedger) -> None:
    answer = Answer()
    _submit(ledger, "k", answer, who=OPERATOR, query="partner=alpha")
    with pytest.raises(Unprocessable):
        _submit(ledger, "k", answer, who=OPERATOR, query="partner=beta")
    as_ntriples = Body(data=BODY.data, syntax=TURTLE, media_type="application/n-triples")
    with pytest.raises(Unprocessable):
        _submit(ledger, "k", answer, who=OPERATOR, body=as_ntriples, query="partner=alpha")
    assert answer.runs == 1


def test_keys_belong_to_their_caller(ledger: SubmissionLedger) -> None:
    answer = Answer()
    _submit(ledger, "shared", answer, who=ALPHA)
    _submit(ledger, "shared", answer, who=BETA)
    _submit(ledger, "shared", answer, who=OPERATOR)
    assert answer.runs == 3


def test_an_anonymous_request_is_answered_not_remembered(ledger: SubmissionLedger) -> None:
    answer = Answer(401)
    _submit(ledger, "k", answer, who=ANONYMOUS)
    _submit(ledger, "k", answer, who=ANONYMOUS)
    assert answer.runs == 2


def test_without_a_ledger_every_request_runs() -> None:
    answer = Answer()
    _submit(None, "k", answer)
    _submit(None, "k", answer)
    assert answer.runs == 2


@pytest.mark.parametrize("status", [200, 201, 422])
def test_final_answers_are_kept(ledger: SubmissionLedger, status: int) -> None:
    answer = Answer(status)
    _submit(ledger, "k", answer)
    assert _submit(ledger, "k", answer).status_code == status
    assert answer.runs == 1


@pytest.mark.parametrize("status", [400, 401, 403, 409, 413, 500, 503, 504])
def test_transient_or_refused_answers_are_tried_afresh(
    ledger: SubmissionLedger, status: int
) -> None:
    answer = Answer(status)
    _submit(ledger, "k", answer)
    retried = _submit(ledger, "k", answer)
    assert answer.runs == 2 and "idempotent-replayed" not in retried.headers


def test_a_key_past_its_lifetime_is_forgotten(ledger: SubmissionLedger) -> None:
    """Kept at least KEY_LIFETIME (the issue: ≥ 24 h), then a new request."""
    assert timedelta(hours=24) <= KEY_LIFETIME
    old = (datetime.now(UTC) - KEY_LIFETIME - timedelta(minutes=1)).isoformat()
    answer = Answer()
    stored = StoredAnswer("fp", "POST /submissions", old, 201, "application/json", None, b"{}")
    ledger.remember("partner:alpha", "old", stored)
    _submit(ledger, "old", answer)
    assert answer.runs == 1
    recent = (datetime.now(UTC) - KEY_LIFETIME + timedelta(minutes=5)).isoformat()
    ledger.remember("partner:alpha", "recent", StoredAnswer(**{**vars(stored), "created": recent}))
    with pytest.raises(Unprocessable):  # still kept, and "fp" is not this request's
        _submit(ledger, "recent", answer)


MALFORMED_KEYS = {
    "empty": "",
    "empty string": '""',
    "blank": "   ",
    "space": "a b",
    "tab": "tab\there",
    "non-ASCII": "ümlaut",
    "too long": "x" * (MAX_KEY_LENGTH + 1),
    "too long quoted": '"' + "x" * (MAX_KEY_LENGTH + 1) + '"',
}


@pytest.mark.parametrize("key", MALFORMED_KEYS.values(), ids=MALFORMED_KEYS.keys())
def test_a_malformed_key_is_400(ledger: SubmissionLedger, key: str) -> None:
    answer = Answer()
    with pytest.raises(InputError) as refused:
        _submit(ledger, key, answer)
    assert refused.value.status == 400 and "Idempotency-Key" in refused.value.message
    assert answer.runs == 0


def test_the_longest_key_is_accepted(ledger: SubmissionLedger) -> None:
    answer = Answer()
    _submit(ledger, "k" * MAX_KEY_LENGTH, answer)
    _submit(ledger, "k" * MAX_KEY_LENGTH, answer)
    assert answer.runs == 1
