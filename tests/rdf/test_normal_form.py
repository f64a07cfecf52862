"""RFC 3986 §6 normal form and segment-wise IRI spaces, over the cases in
tests/data/iris/normal-form.json (dot-segment cases from RFC 3986 §5.2.4 and §5.4)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from iqkg.rdf.normal_form import in_path_space, is_normal, normal_form, remove_dot_segments
from tests.support.server import ROOT

CASES: dict[str, Any] = json.loads(
    (ROOT / "tests" / "data" / "iris" / "normal-form.json").read_text(encoding="utf-8")
)
SPACE = CASES["path_space"]["space"]


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["iri"] for c in CASES["cases"]])
def test_normal_form(case: dict[str, str]) -> None:
    assert normal_form(case["iri"]) == case["normal"]
    assert is_normal(case["iri"]) is (case["iri"] == case["normal"])
    assert is_normal(case["normal"])  # normalising twice changes nothing


@pytest.mark.parametrize(("path", "expected"), CASES["remove_dot_segments"])
def test_remove_dot_segments(path: str, expected: str) -> None:
    assert remove_dot_segments(path) == expected


@pytest.mark.parametrize("iri", CASES["path_space"]["inside"])
def test_inside_the_space(iri: str) -> None:
    assert in_path_space(iri, SPACE)


@pytest.mark.parametrize("iri", CASES["path_space"]["outside"])
def test_outside_the_space(iri: str) -> None:
    assert not in_path_space(iri, SPACE)
