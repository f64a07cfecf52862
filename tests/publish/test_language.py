"""The reader's language: ?lang=, then the remembered choice, then Accept-Language."""

from __future__ import annotations

import json

import pytest

from iqkg.publish.language import Text, choose_language, from_accept_language, pick
from tests.support.server import ROOT

CASES = json.loads((ROOT / "tests/data/publish/accept-language.json").read_text())


@pytest.mark.parametrize("case", CASES, ids=[c["header"] or "(empty)" for c in CASES])
def test_accept_language(case: dict[str, str]) -> None:
    assert choose_language(None, None, case["header"]) == case["expected"]


def test_query_wins_over_cookie_and_header() -> None:
    assert choose_language("de", "en", "en") == "de"
    assert choose_language(None, "de", "en") == "de"
    assert choose_language("xx", None, "de") == "de"
    assert from_accept_language("fr") is None


def test_pick_prefers_language_then_other_then_untagged() -> None:
    texts = {"de": {"Bayern"}, "en": {"Bavaria"}}
    assert pick(texts, "en") == Text("Bavaria", "en")
    assert pick({"de": {"Bayern"}}, "en") == Text("Bayern", "de")
    assert pick({"": {"ebb"}}, "de") == Text("ebb", "")
    assert pick({}, "de") is None
