"""Every defect class of the first edition, reintroduced in a fixture, makes a check fail.

Each file under tests/data/defects/ adds one defect to the curated knowledge and says in its
header which check must catch it::

    # expect: inconsistent                      HermiT, with the imported axioms loaded
    # expect-lint: <rule>                       a rule of shapes/lint/ reports it
    # expect-unchecked-problem: <text>          the check of axioms HermiT cannot read

and the same knowledge without the fixture passes each of those checks (so the fixture, not
something else, is what fails).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from iqkg.lint import read_rules, run_lint
from iqkg.rdf.convert import to_oxigraph_triples
from iqkg.reasoning import check_consistency
from tests.knowledge.conftest import FIXTURES_DIR, SHAPES_DIR

DEFECTS = sorted((FIXTURES_DIR / "defects").glob("*.ttl"))
RULES = read_rules(SHAPES_DIR / "lint")


def expectations(path: Path) -> list[tuple[str, str]]:
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect"):
            key, _, value = line.removeprefix("# ").partition(":")
            found.append((key.strip(), value.strip()))
    return found


def lint(*graphs: Graph) -> set[tuple[str, str]]:
    triples = [t for g in graphs for t in to_oxigraph_triples(g)]
    return {(f.rule, f.focus) for f in run_lint(RULES, triples)}


def test_every_defect_fixture_says_what_must_catch_it() -> None:
    assert len(DEFECTS) >= 10
    kinds = {key for path in DEFECTS for key, _ in expectations(path)}
    assert kinds == {"expect", "expect-lint", "expect-unchecked-problem"}
    for path in DEFECTS:
        assert expectations(path), path.name


def test_the_curated_knowledge_passes_every_check(
    ontology: Graph, curated: Graph, imports: Graph
) -> None:
    report = check_consistency(ontology, curated, imports)
    assert report.consistent and not report.unsatisfiable, report.message
    assert not report.unchecked.problems
    assert not lint(ontology, imports, curated)


@pytest.mark.parametrize("path", DEFECTS, ids=[p.stem for p in DEFECTS])
def test_defect_is_caught(path: Path, ontology: Graph, curated: Graph, imports: Graph) -> None:
    defect = Graph().parse(path, format="turtle")
    data = Graph()
    data += curated
    data += defect
    for key, value in expectations(path):
        if key == "expect":
            assert value == "inconsistent"
            report = check_consistency(ontology, data, imports)
            assert not report.consistent, report.message
        elif key == "expect-lint":
            rules = {rule for rule, _ in lint(ontology, imports, data)}
            assert value in rules, f"{path.name}: rule {value} did not fire; fired: {rules}"
        else:
            report = check_consistency(ontology, data, imports)
            assert any(value in p for p in report.unchecked.problems), report.unchecked.problems


def test_inconsistency_needs_the_imported_axioms(ontology: Graph, curated: Graph) -> None:
    """Without PROV-O's axioms the first edition's wasDerivedFrom on activities went unseen."""
    data = Graph()
    data += curated
    data.parse(FIXTURES_DIR / "defects" / "activity-derived-from-source.ttl", format="turtle")
    assert check_consistency(ontology, data).consistent
