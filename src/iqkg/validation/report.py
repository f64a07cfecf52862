"""A SHACL validation report as data a caller can rely on, rendered as text or JSON.

pySHACL gives a ``sh:ValidationReport`` graph; this module reads it once into
:class:`ValidationResult` rows (focus node, path, value, shape, severity, messages per
language) so the CLI, the API and the pages show the same thing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, SH, Graph, Literal, URIRef
from rdflib.term import Node

from iqkg.messages import MESSAGES
from iqkg.messages import message as catalogued
from iqkg.rdf.convert import to_oxigraph_triples
from iqkg.rdf.iris import DCMITYPE, IriScheme, prefixes

SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


def label(key: str, lang: str) -> str:
    """A report's word for ``key`` (a heading, a severity, a sentence) in ``lang``."""
    return catalogued("report_" + key, lang) if "report_" + key in MESSAGES else key


def counted(n: int, severity: str, lang: str) -> str:
    """``n`` with the noun of ``severity`` in the right number: "1 violation", "2 Verstöße"."""
    number = "one" if n == 1 else "many"
    return f"{n} {catalogued(f'report_{severity}_{number}', lang)}"


def report_prefixes(base: str) -> dict[str, str]:
    """The prefixes a report shows names with: the installation's (:func:`prefixes`), its
    shapes (``iqsh:``), DCMI types, and ``id:`` for its resources (a CURIE, W3C CURIE
    Syntax 1.0, so ``id:network/bayern``: readable, though not a Turtle prefixed name)."""
    return {
        **prefixes(IriScheme(base)),
        "iqsh": f"{base}shapes#",
        "dcmitype": DCMITYPE,
        "id": f"{base}id/",
    }


def short_name(text: str | None, names: dict[str, str] | None) -> str | None:
    """``text`` as ``prefix:local`` when it starts with a namespace of ``names`` (the
    longest wins), else unchanged."""
    if text is None or not names:
        return text
    best = ""
    for prefix, namespace in names.items():
        if text.startswith(namespace) and len(namespace) > len(names.get(best, "")):
            best = prefix
    if best and len(text) > len(names[best]) and " " not in text:
        return f"{best}:{text[len(names[best]) :]}"
    return text


def _text(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, Literal):
        return str(node)
    return node.n3() if not isinstance(node, URIRef) else str(node)


def term_text(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """An Oxigraph term as a result row shows it, the way :func:`read_report` writes an
    rdflib one: ``_:id`` for a blank node, else its value (a lexical form for a literal)."""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term) if isinstance(term, ox.Triple) else term.value


def pick_message(messages: dict[str, str], lang: str, constraint: str) -> str:
    """The message in ``lang``, else English, else any message the shape gave, else the
    constraint component's name."""
    for key in (lang, "en", ""):
        if key in messages:
            return messages[key]
    return next(iter(messages.values()), constraint.rsplit("#", 1)[-1])


@dataclass(frozen=True)
class ValidationResult:
    """One ``sh:ValidationResult``."""

    focus: str
    path: str | None
    value: str | None
    shape: str
    constraint: str
    severity: str
    messages: dict[str, str] = field(default_factory=dict)

    def message(self, lang: str = "en") -> str:
        return pick_message(self.messages, lang, self.constraint)

    def as_json(self, lang: str = "en") -> dict[str, Any]:
        return {
            "focusNode": self.focus,
            "resultPath": self.path,
            "value": self.value,
            "sourceShape": self.shape,
            "sourceConstraintComponent": self.constraint,
            "severity": self.severity,
            "message": self.message(lang),
            "messages": self.messages,
        }


@dataclass(frozen=True)
class Problem:
    """One problem as a person reads it: the results of one resource that say the same
    thing (same severity, shape and message), whatever property or value they name, so a
    result reported twice, or once per offending triple, is one entry. Names are short
    (``prefix:local``) when a report is grouped with prefixes."""

    severity: str
    shape: str
    constraint: str
    messages: dict[str, str]
    paths: tuple[str, ...]
    values: tuple[str, ...]

    def message(self, lang: str = "en") -> str:
        return pick_message(self.messages, lang, self.constraint)


@dataclass
class ValidationReport:
    """The outcome of one validation: Violations block, Warnings and Infos do not.

    ``triples`` is the ``sh:ValidationReport`` graph as Oxigraph triples: they travel from
    a validation worker as N-Triples and serialise in Rust (rdflib's Turtle writer took
    53 s for a report of 2,000 results).

    ``ownership`` says whether the ownership rules of submissions were part of the check:
    the partner's slug when they were, ``False`` when they were not (a check without a
    partner: the report says so), ``None`` when not known (a stored report).
    """

    results: list[ValidationResult]
    triples: Sequence[ox.Triple]
    ownership: str | bool | None = None

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Warning"]

    @property
    def conforms(self) -> bool:
        return not self.violations

    def problem_counts(self) -> dict[str, int]:
        """Problems (not raw results) by severity: what the summary counts."""
        counts: dict[str, int] = defaultdict(int)
        for _, problems in self.grouped():
            for problem in problems:
                counts[problem.severity] += 1
        return counts

    def summary(self, lang: str = "en") -> str:
        if not self.results:
            return label("conforms", lang)
        counts = self.problem_counts()
        key = "fails" if self.violations else "warns"
        shown = [counted(counts[s], s, lang) for s in ("Violation", "Warning") if counts[s]]
        if not shown:  # only sh:Info results: nothing to count ("conforms, with ." before)
            return label("conforms", lang)
        return label(key, lang).format(counts=", ".join(shown))

    def ownership_note(self, lang: str = "en") -> str | None:
        """Whether the ownership rules were checked, when the report knows."""
        if self.ownership is False:
            return label("unowned", lang)
        if isinstance(self.ownership, str):
            return label("owned", lang).format(partner=self.ownership)
        return None

    def by_focus(self) -> dict[str, list[ValidationResult]]:
        grouped: dict[str, list[ValidationResult]] = {}
        for result in self.results:
            grouped.setdefault(result.focus, []).append(result)
        return grouped

    def grouped(self, names: dict[str, str] | None = None) -> list[tuple[str, list[Problem]]]:
        """The problems of each resource, in the order of the results (the root cause
        first where the checker put it first), names shortened with ``names``
        (:func:`report_prefixes`)."""
        groups: list[tuple[str, list[Problem]]] = []
        for focus, results in self.by_focus().items():
            merged: dict[tuple[object, ...], list[ValidationResult]] = {}
            for r in results:
                # Not the constraint when the shape has a message: one rule broken two
                # ways (sh:class and sh:nodeKind of one property shape) is one problem.
                said = tuple(sorted(r.messages.items())) or r.constraint
                key = (r.severity, r.shape, said)
                merged.setdefault(key, []).append(r)
            problems = [
                Problem(
                    severity=same[0].severity,
                    shape=short_name(same[0].shape, names) or "",
                    constraint=same[0].constraint,
                    messages=same[0].messages,
                    paths=_distinct(short_name(r.path, names) for r in same if _shown(r.path)),
                    values=_distinct(short_name(r.value, names) for r in same),
                )
                for same in merged.values()
            ]
            groups.append((short_name(focus, names) or focus, problems))
        return groups

    def as_json(self, lang: str = "en") -> dict[str, Any]:
        counts = self.problem_counts()
        answer = {
            "conforms": self.conforms,
            "summary": self.summary(lang),
            "violations": counts["Violation"],
            "warnings": counts["Warning"],
            "lang": lang,
            "results": [r.as_json(lang) for r in self.results],
        }
        if self.ownership is not None:
            answer["ownershipChecked"] = self.ownership is not False
            answer["partner"] = self.ownership if isinstance(self.ownership, str) else None
            answer["ownershipNote"] = self.ownership_note(lang)
        return answer

    def serialize(self, syntax: ox.RdfFormat) -> bytes:
        """The report graph in an RDF syntax, with the SHACL prefix where it has prefixes."""
        return ox.serialize(self.triples, format=syntax, prefixes={"sh": str(SH)}) or b""

    def as_text(self, lang: str = "en", names: dict[str, str] | None = None) -> str:
        """The report for people: grouped by resource, one entry per problem."""
        lines = [self.summary(lang)]
        note = self.ownership_note(lang)
        if note:
            lines.append(note)
        for focus, problems in self.grouped(names):
            lines.append("")
            lines.append(f"{label('focus', lang)}: {focus}")
            for p in problems:
                where = f" [{', '.join(p.paths)}]" if p.paths else ""
                value = f" ({label('value', lang)}: {', '.join(p.values)})" if p.values else ""
                lines.append(f"  {label(p.severity, lang)}{where}: {p.message(lang)}{value}")
                lines.append(f"    {label('shape', lang)}: {p.shape}")
        return "\n".join(lines)


def _shown(path: str | None) -> bool:
    """A path worth showing: a property, not the label of a blank node (a complex path)."""
    return bool(path) and not (path or "").startswith("_:")


def _distinct(texts: Any) -> tuple[str, ...]:
    """Each text once, sorted: results that differ only in order read the same."""
    return tuple(sorted({t for t in texts if t is not None}))


def read_report(graph: Graph) -> ValidationReport:
    """Read a pySHACL report graph into results, most severe first.

    One pass over the triples, grouped by subject: asking rdflib ``graph.value`` for each
    field of each result took 4 s for a report of 12,000 results.
    """
    triples = list(graph)  # one pass: each pass over rdflib's memory store costs seconds
    properties: dict[Node, dict[Node, list[Node]]] = defaultdict(lambda: defaultdict(list))
    for subject, predicate, obj in triples:
        properties[subject][predicate].append(obj)

    def first(fields: dict[Node, list[Node]], key: URIRef) -> Node | None:
        values = fields.get(key)
        return values[0] if values else None

    results: list[ValidationResult] = []
    for fields in properties.values():
        if SH.ValidationResult not in fields.get(RDF.type, ()):
            continue
        severity_node = first(fields, SH.resultSeverity)
        severity = str(severity_node).rsplit("#", 1)[-1] if severity_node else "Violation"
        messages: dict[str, str] = {}
        for message in fields.get(SH.resultMessage, ()):
            if isinstance(message, Literal):
                messages.setdefault(message.language or "", str(message))
        results.append(
            ValidationResult(
                focus=_text(first(fields, SH.focusNode)) or "",
                path=_text(first(fields, SH.resultPath)),
                value=_text(first(fields, SH.value)),
                shape=_text(first(fields, SH.sourceShape)) or "",
                constraint=_text(first(fields, SH.sourceConstraintComponent)) or "",
                severity=severity,
                messages=messages,
            )
        )
    return ValidationReport(results=sort_results(results), triples=to_oxigraph_triples(triples))


def sort_results(results: list[ValidationResult]) -> list[ValidationResult]:
    """Most severe first, then by focus node, path and shape (the order every view shows)."""
    return sorted(
        results, key=lambda r: (SEVERITY_ORDER.get(r.severity, 9), r.focus, r.path or "", r.shape)
    )


def without_results_on(report: ValidationReport, focuses: set[str]) -> ValidationReport:
    """``report`` without the results whose focus node is one of ``focuses`` (IRIs), in
    its rows and in its graph (the result nodes; structures they share with other
    results, such as a copied complex path, stay).

    For results that only follow from another problem: a partner's statement about a
    curated resource can make that resource break its shape, which the partner cannot fix
    but by dropping the statement.
    """
    if not focuses:
        return report
    focus_node = ox.NamedNode(str(SH.focusNode))
    result = ox.NamedNode(str(SH.result))
    doomed = {
        t.subject
        for t in report.triples
        if t.predicate == focus_node
        and isinstance(t.object, ox.NamedNode)
        and t.object.value in focuses
    }
    triples = [
        t
        for t in report.triples
        if t.subject not in doomed and not (t.predicate == result and t.object in doomed)
    ]
    results = [r for r in report.results if r.focus not in focuses]
    return ValidationReport(results=results, triples=triples, ownership=report.ownership)
