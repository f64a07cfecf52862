"""The worked partner examples in examples/: each file gets the verdict its name promises
from ``iqkg validate --partner example`` (which checks as ``iqkg submit`` does), and each
committed report is exactly what the command prints now, so neither can go stale.

Naming: ``*-conforming.<ext>`` must conform, ``*-not-conforming.<ext>`` must not and has
its report beside it as ``<stem>.report.<lang>.txt``. Regenerate a report with (from
the repository's root) ``iqkg validate --partner example --lang LANG examples/FILE >
examples/STEM.report.LANG.txt``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from iqkg.rdf.formats import ALL_RDF_SYNTAXES
from iqkg.settings import DEFAULT_BASE
from tests.support.server import ROOT, iqkg

EXAMPLES = ROOT / "examples"
PARTNER = "example"
ENV = {"IQKG_BASE": DEFAULT_BASE, "IQKG_KNOWLEDGE_DIR": str(ROOT)}
EXTENSIONS = {syntax.extension for syntax in ALL_RDF_SYNTAXES}
RDF_FILES = sorted(p for p in EXAMPLES.iterdir() if p.suffix.lstrip(".") in EXTENSIONS)


def test_there_are_worked_examples_both_ways() -> None:
    names = [p.stem for p in RDF_FILES]
    assert any(n.endswith("-not-conforming") for n in names)
    assert any(n.endswith("-conforming") and not n.endswith("-not-conforming") for n in names)
    assert (EXAMPLES / "README.md").is_file()


@pytest.mark.parametrize("path", RDF_FILES, ids=lambda p: p.name)
def test_example_gets_the_verdict_its_name_promises(path: Path) -> None:
    assert path.stem.endswith("-conforming"), (
        f"{path.name}: name it *-conforming or *-not-conforming"
    )
    conforming = not path.stem.endswith("-not-conforming")
    reports = sorted(EXAMPLES.glob(f"{path.stem}.report.*.txt"))
    if not conforming:
        assert reports, f"{path.name} does not conform: commit its report beside it"
    for lang in [r.name.split(".")[-2] for r in reports] or ["en"]:
        result = iqkg(
            "validate",
            "--partner",
            PARTNER,
            "--lang",
            lang,
            str(path.relative_to(ROOT)),
            env=ENV,
            check=False,
        )
        assert result.returncode == (0 if conforming else 1), result.stdout + result.stderr
        assert f"partner {PARTNER}," in result.stdout.lower()  # "checked as partner example,"
        report = EXAMPLES / f"{path.stem}.report.{lang}.txt"
        if report.exists():
            assert result.stdout == report.read_text(encoding="utf-8"), (
                f"{report.name} is stale; regenerate it (see this module's docstring)"
            )
