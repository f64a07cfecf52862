"""submissions/partners.py: slugs from names, tokens shown once and stored hashed,
revocation, and who an ``Authorization`` header names."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from iqkg.errors import Conflict, InputError, NotFound, Unauthorized
from iqkg.rdf.iris import is_slug
from iqkg.submissions.partners import (
    ANONYMOUS,
    OPERATOR,
    TOKEN_PREFIX,
    Caller,
    Partner,
    PartnerRegistry,
    identify,
    slug_for,
    token_hash,
)

ADMIN = "admin-token-0123456789"


@pytest.fixture
def registry(tmp_path: Path) -> PartnerRegistry:
    return PartnerRegistry(tmp_path / "var" / "store-partners.sqlite")


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Netzwerk Köln", "netzwerk-koeln"),
        ("IQ Netzwerk Baden-Württemberg", "iq-netzwerk-baden-wuerttemberg"),
        ("Straße & Söhne GmbH", "strasse-soehne-gmbh"),
        ("  ÄRZTE  ", "aerzte"),
        ("Café Crème 2", "cafe-creme-2"),
        ("ÜBER", "ueber"),
    ],
)
def test_slug_for(name: str, slug: str) -> None:
    assert slug_for(name) == slug
    assert is_slug(slug)


@pytest.mark.parametrize("name", ["", "---", "東京", "🙂"])
def test_no_slug_from_names_without_latin_letters(name: str) -> None:
    with pytest.raises(InputError, match="--slug"):
        slug_for(name)


def test_add_returns_a_token_that_is_not_stored(registry: PartnerRegistry) -> None:
    partner, token = registry.add("  Netzwerk Köln ")
    assert (partner.slug, partner.name, partner.active) == ("netzwerk-koeln", "Netzwerk Köln", True)
    assert token.startswith(TOKEN_PREFIX) and len(token) > len(TOKEN_PREFIX) + 40
    with sqlite3.connect(registry.path) as db:
        stored = db.execute("SELECT token_sha256 FROM partner").fetchall()
    assert stored == [(token_hash(token),)]
    assert token not in registry.path.read_bytes().decode("latin-1")
    assert registry.authenticate(token) == partner


def test_tokens_differ_per_partner(registry: PartnerRegistry) -> None:
    _, first = registry.add("A", "a")
    _, second = registry.add("B", "b")
    assert first != second
    assert registry.authenticate(second).slug == "b"


@pytest.mark.parametrize(
    ("name", "slug", "error"),
    [
        ("   ", None, InputError),
        ("A", "Not A Slug", InputError),
        ("A", "a_b", InputError),
        ("A", "iq-nrw\n", InputError),
    ],
)
def test_add_refuses(registry: PartnerRegistry, name: str, slug: str | None, error: type) -> None:
    with pytest.raises(error):
        registry.add(name, slug)
    assert registry.list() == []


def test_slugs_are_unique(registry: PartnerRegistry) -> None:
    registry.add("Netzwerk Köln")
    with pytest.raises(Conflict, match="netzwerk-koeln"):
        registry.add("Netzwerk  Koeln")


def test_list_get_and_revoke(registry: PartnerRegistry) -> None:
    registry.add("Beta", "b")
    alpha, token = registry.add("Alpha", "a")
    assert [p.slug for p in registry.list()] == ["a", "b"]
    assert registry.get("a") == alpha
    revoked = registry.revoke("a")
    assert not revoked.active and revoked.revoked is not None
    assert registry.revoke("a").revoked == revoked.revoked  # revoking again keeps the date
    with pytest.raises(Unauthorized, match="revoked"):
        registry.authenticate(token)
    with pytest.raises(NotFound):
        registry.get("c")
    with pytest.raises(NotFound):
        registry.revoke("c")


def test_unknown_token(registry: PartnerRegistry) -> None:
    registry.add("A", "a")
    with pytest.raises(Unauthorized, match="matches no partner"):
        registry.authenticate(TOKEN_PREFIX + "guess")


def test_identify(registry: PartnerRegistry) -> None:
    partner, token = registry.add("A", "a")
    assert identify(registry, ADMIN, None) is ANONYMOUS
    assert identify(registry, ADMIN, "") is ANONYMOUS
    assert identify(registry, ADMIN, f"Bearer {ADMIN}") is OPERATOR
    assert identify(registry, ADMIN, f"bearer   {token}  ") == Caller(partner=partner)
    assert identify(registry, None, f"Bearer {token}").partner == partner


@pytest.mark.parametrize(
    "header", ["Basic YWRtaW46eA==", "Bearer", "Bearer   ", "Token abc", f"{ADMIN}"]
)
def test_identify_refuses_other_schemes(registry: PartnerRegistry, header: str) -> None:
    with pytest.raises(Unauthorized):
        identify(registry, ADMIN, header)


def test_without_an_admin_token_nobody_is_operator(registry: PartnerRegistry) -> None:
    with pytest.raises(Unauthorized):
        identify(registry, None, "Bearer ")
    with pytest.raises(Unauthorized, match="matches no partner"):
        identify(registry, "", "Bearer anything")


def test_who_may_change_a_submission() -> None:
    owner = Caller(partner=Partner("a", "A", "2026-01-01T00:00:00+00:00"))
    assert owner.may_change("a") and not owner.may_change("b")
    assert OPERATOR.may_change("b")
    assert not ANONYMOUS.may_change("a")
