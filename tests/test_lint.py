"""lint.py: rules read from ``*.rq`` files with their required header, run over triples in
one default graph, findings sorted (the real rules against real defects are in
tests/knowledge/test_defects.py)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from iqkg.errors import InputError
from iqkg.lint import LintFinding, LintRule, read_rules, run_lint

HEADER = "# title: T\n# title@de: T de\n# message: M\n# message@de: M de\n"
EX = "https://example.org/"
UNTYPED = (
    HEADER
    + f"SELECT ?focus ?detail WHERE {{ ?focus <{EX}name> ?detail "
    + "FILTER NOT EXISTS { ?focus a ?c } }"
)


def _write(folder: Path, name: str, text: str) -> None:
    (folder / f"{name}.rq").write_text(text, encoding="utf-8")


def _triples(*facts: tuple[str, str, str | ox.Literal]) -> list[ox.Triple]:
    return [
        ox.Triple(
            ox.NamedNode(EX + s),
            ox.NamedNode(EX + p),
            o if isinstance(o, ox.Literal) else ox.NamedNode(EX + o),
        )
        for s, p, o in facts
    ]


def test_rules_sorted_by_name_with_their_header(tmp_path: Path) -> None:
    _write(tmp_path, "zeta", UNTYPED)
    _write(tmp_path, "alpha", UNTYPED)
    (tmp_path / "notes.txt").write_text("not a rule")
    rules = read_rules(tmp_path)
    assert [r.name for r in rules] == ["alpha", "zeta"]
    assert (rules[0].message("en"), rules[0].message("de"), rules[0].message("fr")) == (
        "M",
        "M de",
        "M",
    )


@pytest.mark.parametrize("missing", ["title", "title@de", "message", "message@de"])
def test_a_rule_without_its_header_is_refused(tmp_path: Path, missing: str) -> None:
    header = "".join(
        line + "\n" for line in HEADER.splitlines() if not line.startswith(f"# {missing}:")
    )
    _write(tmp_path, "rule", header + "SELECT ?focus ?detail WHERE { }")
    with pytest.raises(InputError, match=f"lacks {missing}"):
        read_rules(tmp_path)


def test_findings_of_every_rule_sorted() -> None:
    rules = [
        LintRule("untyped", UNTYPED),
        LintRule("self-link", f"SELECT ?focus WHERE {{ ?focus <{EX}link> ?focus }}"),
    ]
    triples = _triples(
        ("b", "name", ox.Literal("B")),
        ("a", "name", ox.Literal("A")),
        ("c", "name", ox.Literal("C")),
        ("d", "link", "d"),
    )
    triples.append(
        ox.Triple(
            ox.NamedNode(EX + "c"),
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode(EX + "Thing"),
        )
    )
    findings = run_lint(rules, triples)
    assert findings == [
        LintFinding("self-link", EX + "d", ""),
        LintFinding("untyped", EX + "a", "A"),
        LintFinding("untyped", EX + "b", "B"),
    ]
    assert str(findings[0]) == f"self-link: {EX}d"
    assert str(findings[1]) == f"untyped: {EX}a — A"


def test_no_findings_on_clean_data() -> None:
    assert run_lint([LintRule("untyped", UNTYPED)], []) == []


def test_a_rule_must_be_a_select() -> None:
    with pytest.raises(InputError, match="must be a SELECT"):
        run_lint([LintRule("ask", "ASK { ?s ?p ?o }")], [])
