"""submissions/ledger.py: content digests per partner and the first answer to each
Idempotency-Key (kept for KEY_LIFETIME, the first one winning), in one SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from iqkg.submissions.ledger import KEY_LIFETIME, StoredAnswer, SubmissionLedger


@pytest.fixture
def ledger(tmp_path: Path) -> SubmissionLedger:
    return SubmissionLedger(tmp_path / "beside-the-store" / "partners.sqlite")


def _answer(body: bytes = b"{}", created: datetime | None = None) -> StoredAnswer:
    return StoredAnswer(
        fingerprint="sha256:abc",
        request="POST /submissions",
        created=(created or datetime.now(UTC)).isoformat(),
        status=201,
        media_type="application/json",
        location="/submissions/s1",
        body=body,
    )


def test_versions_with_a_digest_are_the_partners_own_oldest_first(ledger: SubmissionLedger) -> None:
    ledger.record_content("p1", "s2", 1, "d")
    ledger.record_content("p1", "s1", 3, "d")
    ledger.record_content("p1", "s1", 4, "other")
    ledger.record_content("p2", "s9", 1, "d")
    assert ledger.versions_with("p1", "d") == [("s2", 1), ("s1", 3)]
    assert ledger.versions_with("p2", "d") == [("s9", 1)]
    assert ledger.versions_with("p3", "d") == []


def test_a_version_has_one_digest(ledger: SubmissionLedger) -> None:
    ledger.record_content("p1", "s1", 1, "first")
    ledger.record_content("p1", "s1", 1, "again")  # recorded twice (a retry): the last stays
    assert ledger.digest_of("s1", 1) == "again"
    assert ledger.versions_with("p1", "first") == []
    assert ledger.digest_of("s1", 2) is None


def test_the_first_answer_to_a_key_wins(ledger: SubmissionLedger) -> None:
    assert ledger.answer_for("p1", "key-1") is None
    first = _answer(b"first")
    assert ledger.remember("p1", "key-1", first) == first
    assert ledger.remember("p1", "key-1", _answer(b"second")) == first
    assert ledger.answer_for("p1", "key-1") == first


def test_keys_are_per_scope(ledger: SubmissionLedger) -> None:
    ledger.remember("p1", "key", _answer(b"p1"))
    ledger.remember("p2", "key", _answer(b"p2"))
    assert ledger.answer_for("p1", "key").body == b"p1"  # type: ignore[union-attr]
    assert ledger.answer_for("p2", "key").body == b"p2"  # type: ignore[union-attr]


def test_answers_keep_every_field(ledger: SubmissionLedger) -> None:
    answer = StoredAnswer("f", "DELETE /submissions/s1", datetime.now(UTC).isoformat(), 204,
                          "text/plain", None, b"\x00\xff binary")  # fmt: skip
    ledger.remember("p", "k", answer)
    assert ledger.answer_for("p", "k") == answer


def test_expired_keys_are_forgotten(ledger: SubmissionLedger) -> None:
    old = datetime.now(UTC) - KEY_LIFETIME - timedelta(minutes=1)
    young = datetime.now(UTC) - KEY_LIFETIME + timedelta(minutes=5)
    ledger.remember("p", "old", _answer(b"old", old))
    ledger.remember("p", "young", _answer(b"young", young))
    assert ledger.answer_for("p", "old") is None
    assert ledger.answer_for("p", "young") is not None
    # an expired key may be used again: the new answer is kept
    fresh = _answer(b"fresh")
    assert ledger.remember("p", "old", fresh) == fresh


def test_lifetime_is_at_least_a_day() -> None:
    assert timedelta(hours=24) <= KEY_LIFETIME


def test_two_ledgers_on_one_file_share_it(ledger: SubmissionLedger) -> None:
    ledger.record_content("p1", "s1", 1, "d")
    assert SubmissionLedger(ledger.path).versions_with("p1", "d") == [("s1", 1)]
