"""Partners and their tokens, in a small SQLite file beside the store.

Tokens are high-entropy (``secrets.token_urlsafe``), shown once, and stored only as
SHA-256 hashes, compared with :func:`hmac.compare_digest`. The file is outside the RDF
store on purpose: nothing about tokens is ever queryable, and ``iqkg partner add`` works
while the server holds the store's lock (each request reads the file afresh, so a new or
revoked partner takes effect at once).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import unicodedata
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from iqkg.errors import Conflict, InputError, NotFound, Unauthorized
from iqkg.rdf.iris import is_slug

TOKEN_PREFIX = "iqkg_"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS partner (
    slug TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    token_sha256 TEXT NOT NULL,
    created TEXT NOT NULL,
    revoked TEXT
)
"""


@dataclass(frozen=True)
class Partner:
    slug: str
    name: str
    created: str
    revoked: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked is None


@dataclass(frozen=True)
class Caller:
    """Who is making a request: a partner, the operator, or nobody (``partner=None``)."""

    partner: Partner | None = None
    operator: bool = False

    def may_change(self, owner_slug: str) -> bool:
        return self.operator or (self.partner is not None and self.partner.slug == owner_slug)


ANONYMOUS = Caller()
OPERATOR = Caller(operator=True)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def slug_for(name: str) -> str:
    """A lower-case ASCII slug for a partner's name (``Netzwerk Köln`` → ``netzwerk-koeln``)."""
    text = name.lower()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelled)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = "-".join("".join(c if c.isalnum() else " " for c in ascii_text).split())
    if not slug:
        raise InputError(f"cannot derive a slug from {name!r}; give one with --slug")
    return slug


class PartnerRegistry:
    """Partners registered in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=10)) as connection:
            connection.execute(_SCHEMA)
            with connection:
                yield connection

    def add(self, name: str, slug: str | None = None) -> tuple[Partner, str]:
        """Register a partner; returns it and its token (which is not stored anywhere)."""
        if not name.strip():
            raise InputError("a partner needs a name")
        slug = slug or slug_for(name)
        if not is_slug(slug):
            raise InputError(f"{slug!r} is not a slug (lower-case ASCII letters, digits, '-')")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        partner = Partner(slug, name.strip(), datetime.now(UTC).isoformat(timespec="seconds"))
        with self._connect() as db:
            try:
                db.execute(
                    "INSERT INTO partner (slug, name, token_sha256, created) VALUES (?,?,?,?)",
                    (partner.slug, partner.name, token_hash(token), partner.created),
                )
            except sqlite3.IntegrityError:
                raise Conflict(f"a partner with the slug {slug!r} exists already") from None
        return partner, token

    def list(self) -> list[Partner]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT slug, name, created, revoked FROM partner ORDER BY slug"
            ).fetchall()
        return [Partner(*row) for row in rows]

    def get(self, slug: str) -> Partner:
        """The partner with this slug (its key), by one lookup."""
        with self._connect() as db:
            row = db.execute(
                "SELECT slug, name, created, revoked FROM partner WHERE slug = ?", (slug,)
            ).fetchone()
        if row is None:
            raise NotFound(f"no partner with the slug {slug!r}")
        return Partner(*row)

    def revoke(self, slug: str) -> Partner:
        """Revoke a partner's token; its accepted submissions stay."""
        self.get(slug)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._connect() as db:
            db.execute(
                "UPDATE partner SET revoked = ? WHERE slug = ? AND revoked IS NULL", (now, slug)
            )
        return self.get(slug)

    def authenticate(self, token: str) -> Partner:
        """The partner owning ``token``; 401 when it matches nobody or was revoked."""
        presented = token_hash(token)
        with self._connect() as db:
            rows = db.execute(
                "SELECT slug, name, created, revoked, token_sha256 FROM partner"
            ).fetchall()
        found: Partner | None = None
        for slug, name, created, revoked, stored in rows:
            # Compare with every row, in constant time each, whatever matched before.
            if hmac.compare_digest(presented, stored):
                found = Partner(slug, name, created, revoked)
        if found is None:
            raise Unauthorized("the token matches no partner; check it or ask the operator")
        if not found.active:
            raise Unauthorized(
                f"the token of partner {found.slug!r} was revoked on {found.revoked}; "
                "ask the operator for a new one"
            )
        return found


def identify(
    registry: PartnerRegistry, admin_token: str | None, authorization: str | None
) -> Caller:
    """The caller an ``Authorization: Bearer`` header names (anonymous without one)."""
    if not authorization:
        return ANONYMOUS
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("use the header 'Authorization: Bearer <token>'")
    if admin_token and hmac.compare_digest(token.encode(), admin_token.encode()):
        return OPERATOR
    return Caller(partner=registry.authenticate(token))
