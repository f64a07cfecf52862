"""Lint rules: named SPARQL checks over ontology, imported axioms and data.

Some defects are not contradictions a reasoner can find. schema.org publishes no domains,
ranges or disjointness, so aligning a programme below ``schema:FundingScheme`` (a kind of
``schema:Organization``) is consistent for HermiT and still false; a year stated under
``schema:startDate`` (whose values are dates) and a fact that says more than its source
are of the same kind. Each such defect class is a rule in ``shapes/lint/NAME.rq``: a SELECT
whose solutions are the findings, with ``?focus`` (what is wrong) and ``?detail`` (why).

Header lines, as in the query catalogue: ``title``, ``title@de``, ``message`` and
``message@de`` are required, so a finding can be explained in German and English.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from iqkg.errors import InputError
from iqkg.query.catalogue import parse_header

__all__ = ["LintFinding", "LintRule", "read_rules", "run_lint"]

_REQUIRED = ("title", "title@de", "message", "message@de")


@dataclass(frozen=True)
class LintRule:
    """One named rule: its file stem is its name."""

    name: str
    sparql: str
    header: dict[str, str] = field(default_factory=dict)

    def message(self, lang: str = "en") -> str:
        return self.header.get(f"message@{lang}") or self.header["message"]


@dataclass(frozen=True)
class LintFinding:
    """One solution of a rule: the resource at fault and what the rule says about it."""

    rule: str
    focus: str
    detail: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.focus} — {self.detail}".rstrip(" —")


def read_rules(folder: Path) -> list[LintRule]:
    """All rules of ``folder`` (``*.rq``), sorted by name; a rule without its header fails."""
    rules = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        header = parse_header(text)
        missing = [key for key in _REQUIRED if not header.get(key)]
        if missing:
            raise InputError(f"{path}: lint rule header lacks {', '.join(missing)}")
        rules.append(LintRule(path.stem, text, header))
    return rules


def run_lint(rules: Iterable[LintRule], triples: Iterable[ox.Triple]) -> list[LintFinding]:
    """Run every rule over ``triples`` (one default graph, in memory) and collect findings."""
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    findings = []
    for rule in rules:
        result = store.query(rule.sparql)
        if not isinstance(result, ox.QuerySolutions):
            raise InputError(f"lint rule {rule.name} must be a SELECT query")
        for row in result:
            focus, detail = row["focus"], row["detail"]
            findings.append(
                LintFinding(
                    rule.name,
                    focus.value if focus is not None else "",
                    detail.value if detail is not None else "",
                )
            )
    return sorted(findings, key=lambda f: (f.rule, f.focus, f.detail))
