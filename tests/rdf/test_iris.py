"""rdf/iris.py: minting and recognising the installation's IRIs for any base (cases in
tests/data/iris/minting.json, on the default base and on a base with a path), rebasing the
files, and the checks that keep an invalid IRI out of the store."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pyoxigraph import NamedNode

from iqkg.rdf.iris import IriScheme, is_slug, prefixes, usable_origin, valid_iri
from iqkg.settings import DEFAULT_BASE
from tests.support.server import ROOT

MINTING: dict[str, Any] = json.loads(
    (ROOT / "tests" / "data" / "iris" / "minting.json").read_text(encoding="utf-8")
)
OTHER_BASE = next(b for b in MINTING["bases"] if b != DEFAULT_BASE)


def _fill(value: object, base: str) -> object:
    return value.replace("{base}", base) if isinstance(value, str) else value


@pytest.mark.parametrize("base", MINTING["bases"])
@pytest.mark.parametrize(
    "case", MINTING["cases"], ids=[f"{c['call']}{c['args']}" for c in MINTING["cases"]]
)
def test_minting(base: str, case: dict[str, Any]) -> None:
    iris = IriScheme(base)
    member = getattr(iris, case["call"])
    args = [_fill(a, base) for a in case["args"]]
    if case["expected"] == "ValueError":
        with pytest.raises(ValueError, match="slug"):
            member(*args)
        return
    got = member(*args) if callable(member) else member
    assert got == _fill(case["expected"], base)
    if isinstance(got, str):
        NamedNode(got)  # every minted IRI is one the store accepts


@pytest.mark.parametrize(
    "iri",
    [
        DEFAULT_BASE + "id/project/kp-iq",
        DEFAULT_BASE + "def#Project",
        DEFAULT_BASE + "graph/curated",
        DEFAULT_BASE,
    ],
)
def test_rebase_moves_the_default_base_onto_the_installations(iri: str) -> None:
    rebased = IriScheme(OTHER_BASE).rebase(iri)
    assert rebased == OTHER_BASE + iri.removeprefix(DEFAULT_BASE)
    assert IriScheme().rebase(iri) == iri


@pytest.mark.parametrize(
    "iri",
    [
        "http://www.w3.org/ns/org#Organization",
        "https://w3id.org/iqkg-other/id/x",  # shares a string prefix, not the base
        "http://w3id.org/iqkg/id/project/kp-iq",  # another scheme
        "https://example.org/see/https://w3id.org/iqkg/id/x",
    ],
)
def test_rebase_leaves_other_iris_alone(iri: str) -> None:
    assert IriScheme(OTHER_BASE).rebase(iri) == iri


def test_rebase_is_idempotent_on_rebased_iris() -> None:
    iris = IriScheme(OTHER_BASE)
    once = iris.rebase(DEFAULT_BASE + "id/project/kp-iq")
    assert iris.rebase(once) == once


@pytest.mark.parametrize("base", MINTING["bases"])
def test_prefixes_name_the_installations_vocabulary(base: str) -> None:
    table = prefixes(IriScheme(base))
    assert table["iq"] == IriScheme(base).vocab
    assert len(set(table.values())) == len(table), "two prefixes for one namespace"
    for namespace in table.values():
        NamedNode(namespace)
        assert namespace.endswith(("#", "/")), namespace


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("kp-iq", True),
        ("a", True),
        ("2011", True),
        ("a-b-c", True),
        ("", False),
        ("A", False),
        ("a-", False),
        ("a--b", False),
        ("a_b", False),
        ("a b", False),
        ("ä", False),
        ("kp-iq\n", False),
    ],
)
def test_is_slug(value: str, expected: bool) -> None:
    assert is_slug(value) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://w3id.org/iqkg/id/x", True),
        ("urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66", True),
        ("https://例え.jp/パス", True),
        ("relative/path", False),
        ("", False),
        ("https://host/with space", False),
        ("https://host/<angle>", False),
        ('https://host/"quote"', False),
    ],
)
def test_valid_iri(text: str, expected: bool) -> None:
    assert valid_iri(text) is expected


def test_usable_origin_falls_back_for_a_hostile_host() -> None:
    assert usable_origin("https://kg.example.org/", DEFAULT_BASE) == "https://kg.example.org/"
    assert usable_origin("https://evil host/", DEFAULT_BASE) == DEFAULT_BASE
    assert usable_origin("http://x/{}", OTHER_BASE) == OTHER_BASE
