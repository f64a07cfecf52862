"""Report wording, case by case from files (tests/data/reports/<case>/): grouped by
resource, one entry per problem, prefixed names, singular and plural in German and
English, the root cause first. Each case is checked by :meth:`LocalChecker.check`, the
function behind ``iqkg validate --partner``, ``/validate`` and ``/submissions``, and
rendered as the CLI renders it; the folder's README says how to regenerate a case."""

from __future__ import annotations

from pathlib import Path

import pytest

from iqkg.rdf.formats import TURTLE
from iqkg.rdf.iris import IriScheme
from iqkg.settings import DEFAULT_BASE
from iqkg.submissions.checking import LocalChecker
from iqkg.validation.report import report_prefixes
from tests.support.server import ROOT

CASES = ROOT / "tests" / "data" / "reports"
CASE_DIRS = sorted(p for p in CASES.iterdir() if p.is_dir())


@pytest.fixture(scope="module")
def checker() -> LocalChecker:
    return LocalChecker.from_folders(ROOT, IriScheme(DEFAULT_BASE), max_triples=10_000)


def partner_of(case: Path) -> str | None:
    """The partner a case is checked as: ``partner.txt`` (empty: none), else ``example``."""
    named = case / "partner.txt"
    if not named.exists():
        return "example"
    return named.read_text(encoding="utf-8").strip() or None


@pytest.mark.parametrize("case", CASE_DIRS, ids=lambda p: p.name)
@pytest.mark.parametrize("lang", ["en", "de"])
def test_report_reads_as_expected(checker: LocalChecker, case: Path, lang: str) -> None:
    checked = checker.check((case / "data.ttl").read_bytes(), TURTLE, partner_of(case))
    text = checked.report.as_text(lang, report_prefixes(DEFAULT_BASE)) + "\n"
    expected = (case / f"expected.{lang}.txt").read_text(encoding="utf-8")
    assert text == expected


def test_the_cases_cover_the_wording() -> None:
    """The rules the cases exist for, stated once so a regenerated case cannot lose them."""
    read = {c.name: (c / "expected.en.txt").read_text(encoding="utf-8") for c in CASE_DIRS}
    german = {c.name: (c / "expected.de.txt").read_text(encoding="utf-8") for c in CASE_DIRS}
    # The root cause only: no "label missing or duplicated" for a partner's extra label.
    assert "curated resources are not allowed" in read["curated-statements"]
    assert "iqsh:label" not in read["curated-statements"]
    assert read["curated-statements"].count("Violation [") == 1  # three triples, one problem
    assert "NOT checked" in read["no-partner"] and "NICHT geprüft" in german["no-partner"]
    # The same rule broken twice on one value is said once.
    assert read["unknown-reference"].count("Implemented by") == 1
    assert "1 violation, 1 warning." in read["one-of-each"]
    assert "1 Verstoß, 1 Warnung." in german["one-of-each"]
    assert "with 2 warnings." in read["warnings-only"] and "2 Warnungen." in german["warnings-only"]
    assert "2 Verstöße." in german["unknown-reference"]
    for text in [*read.values(), *german.values()]:
        assert "(s)" not in text and "(en)" not in text and "/Verstöße" not in text
        assert "https://w3id.org/iqkg/def#" not in text and "w3id.org/iqkg/shapes#" not in text
