"""Content negotiation and format lookup, driven by tests/data/formats/negotiation.tsv."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from iqkg.errors import NotAcceptable, UnsupportedMediaType
from iqkg.rdf.formats import (
    JSON_LD,
    N_QUADS,
    TURTLE,
    negotiate_rdf_syntax,
    negotiate_results_syntax,
    rdf_syntax_for_media_type,
    rdf_syntax_for_path,
)

CASES = Path(__file__).parents[1] / "data" / "formats" / "negotiation.tsv"


def _cases() -> list[tuple[str, str, str]]:
    with CASES.open(newline="") as handle:
        rows = [r for r in csv.reader(handle, delimiter="\t") if r and not r[0].startswith("#")]
    return [(r[0], r[1], r[2]) for r in rows]


@pytest.mark.parametrize(("accept", "family", "expected"), _cases())
def test_negotiation(accept: str, family: str, expected: str) -> None:
    negotiate = negotiate_rdf_syntax if family == "rdf" else negotiate_results_syntax
    if expected == "406":
        with pytest.raises(NotAcceptable, match="available"):
            negotiate(accept)
    else:
        assert negotiate(accept).name == expected


def test_media_type_with_parameters() -> None:
    assert rdf_syntax_for_media_type("text/turtle; charset=utf-8") is TURTLE
    assert rdf_syntax_for_media_type("application/ld+json") is JSON_LD
    with pytest.raises(UnsupportedMediaType, match="text/turtle"):
        rdf_syntax_for_media_type("application/pdf")


def test_path_extensions() -> None:
    assert rdf_syntax_for_path("x.ttl") is TURTLE
    assert rdf_syntax_for_path("dump.NQ") is N_QUADS
    with pytest.raises(UnsupportedMediaType):
        rdf_syntax_for_path("notes.txt")
