"""What makes submitting idempotent, kept in the SQLite file beside the store.

Two tables, next to the partners (:mod:`.partners`), outside the queryable RDF store:

- ``content``: the canonical digest (:mod:`.canonical`) of every accepted version, so a
  body equal to a live submission of the same partner is recognised. It is written right
  after the store's transaction; a crash in between loses one digest, which costs at
  most one duplicate later, never a wrong match (matches are checked against the store).
- ``idempotency_key``: the first answer to each ``Idempotency-Key`` a partner sent
  (draft-ietf-httpapi-idempotency-key-header), kept at least :data:`KEY_LIFETIME`, so a
  client that retries after a lost answer gets the same answer instead of a second write.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

#: How long an Idempotency-Key's first answer is replayed (the issue asks ≥ 24 h).
KEY_LIFETIME = timedelta(hours=24)

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS content (
        partner TEXT NOT NULL,
        digest TEXT NOT NULL,
        submission_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        PRIMARY KEY (submission_id, version)
    )""",
    "CREATE INDEX IF NOT EXISTS content_by_digest ON content (partner, digest)",
    """CREATE TABLE IF NOT EXISTS idempotency_key (
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        request TEXT NOT NULL,
        created TEXT NOT NULL,
        status INTEGER NOT NULL,
        media_type TEXT NOT NULL,
        location TEXT,
        body BLOB NOT NULL,
        PRIMARY KEY (scope, key)
    )""",
)


@dataclass(frozen=True)
class StoredAnswer:
    """The first answer given to an Idempotency-Key, and what it answered."""

    fingerprint: str
    request: str
    created: str
    status: int
    media_type: str
    location: str | None
    body: bytes


class SubmissionLedger:
    """Content digests and idempotency keys in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=10)) as connection:
            for statement in _SCHEMA:
                connection.execute(statement)
            with connection:
                yield connection

    # --- content -------------------------------------------------------------------

    def record_content(self, partner: str, submission_id: str, version: int, digest: str) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO content VALUES (?, ?, ?, ?)",
                (partner, digest, submission_id, version),
            )

    def versions_with(self, partner: str, digest: str) -> list[tuple[str, int]]:
        """(submission id, version) of the partner's versions with this content, oldest
        first; whether they are still live is for the caller to check."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT submission_id, version FROM content WHERE partner = ? AND digest = ? "
                "ORDER BY rowid",
                (partner, digest),
            ).fetchall()
        return [(str(ident), int(version)) for ident, version in rows]

    def digest_of(self, submission_id: str, version: int) -> str | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT digest FROM content WHERE submission_id = ? AND version = ?",
                (submission_id, version),
            ).fetchone()
        return str(row[0]) if row else None

    # --- idempotency keys ------------------------------------------------------------

    def answer_for(self, scope: str, key: str) -> StoredAnswer | None:
        oldest = (datetime.now(UTC) - KEY_LIFETIME).isoformat()
        with self._connect() as db:
            row = db.execute(
                "SELECT fingerprint, request, created, status, media_type, location, body "
                "FROM idempotency_key WHERE scope = ? AND key = ? AND created >= ?",
                (scope, key, oldest),
            ).fetchone()
        if row is None:
            return None
        fingerprint, request, created, status, media_type, location, body = row
        return StoredAnswer(fingerprint, request, created, int(status), media_type, location, body)

    def remember(self, scope: str, key: str, answer: StoredAnswer) -> StoredAnswer:
        """Keep the first answer to ``key``; returns the one kept (an earlier one wins a
        race between two requests with the same key). Expired keys are dropped here."""
        oldest = (datetime.now(UTC) - KEY_LIFETIME).isoformat()
        with self._connect() as db:
            db.execute("DELETE FROM idempotency_key WHERE created < ?", (oldest,))
            db.execute(
                "INSERT OR IGNORE INTO idempotency_key VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    scope,
                    key,
                    answer.fingerprint,
                    answer.request,
                    answer.created,
                    answer.status,
                    answer.media_type,
                    answer.location,
                    answer.body,
                ),
            )
        kept = self.answer_for(scope, key)
        return kept or answer
