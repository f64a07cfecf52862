"""A SHACL validation report as data a caller can rely on, rendered as text or JSON.

pySHACL gives a ``sh:ValidationReport`` graph; this module reads it once into
:class:`ValidationResult` rows (focus node, path, value, shape, severity, messages per
language) so the CLI, the API and the pages show the same thing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, SH, Graph, Literal, URIRef
from rdflib.term import Node

from iqkg.rdf.convert import to_oxigraph_triples

SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}

_LABELS = {
    "en": {
        "conforms": "The data conforms to the iqkg shapes.",
        "fails": "The data does not conform: {violations} violation(s), {warnings} warning(s).",
        "warns": "The data conforms, with {warnings} warning(s).",
        "focus": "Resource",
        "path": "Property",
        "value": "Value",
        "shape": "Shape",
        "severity": "Severity",
        "message": "Message",
        "Violation": "Violation",
        "Warning": "Warning",
        "Info": "Info",
    },
    "de": {
        "conforms": "Die Daten entsprechen den iqkg-Shapes.",
        "fails": (
            "Die Daten sind nicht gültig: {violations} Verstoß/Verstöße, {warnings} Warnung(en)."
        ),
        "warns": "Die Daten sind gültig, mit {warnings} Warnung(en).",
        "focus": "Ressource",
        "path": "Eigenschaft",
        "value": "Wert",
        "shape": "Shape",
        "severity": "Schweregrad",
        "message": "Meldung",
        "Violation": "Verstoß",
        "Warning": "Warnung",
        "Info": "Hinweis",
    },
}

LANGUAGES = tuple(_LABELS)


def label(key: str, lang: str) -> str:
    return _LABELS.get(lang, _LABELS["en"]).get(key, key)


def _text(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, Literal):
        return str(node)
    return node.n3() if not isinstance(node, URIRef) else str(node)


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
        """The message in ``lang``, else English, else any message the shape gave."""
        for key in (lang, "en", ""):
            if key in self.messages:
                return self.messages[key]
        return next(iter(self.messages.values()), self.constraint.rsplit("#", 1)[-1])

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


@dataclass
class ValidationReport:
    """The outcome of one validation: Violations block, Warnings and Infos do not.

    ``triples`` is the ``sh:ValidationReport`` graph as Oxigraph triples: they travel from
    a validation worker as N-Triples and serialise in Rust (rdflib's Turtle writer took
    53 s for a report of 2,000 results).
    """

    results: list[ValidationResult]
    triples: list[ox.Triple]

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Warning"]

    @property
    def conforms(self) -> bool:
        return not self.violations

    def summary(self, lang: str = "en") -> str:
        if not self.results:
            return label("conforms", lang)
        key = "fails" if self.violations else "warns"
        return label(key, lang).format(violations=len(self.violations), warnings=len(self.warnings))

    def by_focus(self) -> dict[str, list[ValidationResult]]:
        grouped: dict[str, list[ValidationResult]] = {}
        for result in self.results:
            grouped.setdefault(result.focus, []).append(result)
        return grouped

    def as_json(self, lang: str = "en") -> dict[str, Any]:
        return {
            "conforms": self.conforms,
            "summary": self.summary(lang),
            "violations": len(self.violations),
            "warnings": len(self.warnings),
            "lang": lang,
            "results": [r.as_json(lang) for r in self.results],
        }

    def serialize(self, syntax: ox.RdfFormat) -> bytes:
        """The report graph in an RDF syntax, with the SHACL prefix where it has prefixes."""
        return ox.serialize(self.triples, format=syntax, prefixes={"sh": str(SH)}) or b""

    def as_text(self, lang: str = "en") -> str:
        lines = [self.summary(lang)]
        for focus, results in self.by_focus().items():
            lines.append("")
            lines.append(f"{label('focus', lang)}: {focus}")
            for r in results:
                where = f" [{r.path}]" if r.path else ""
                value = f" ({label('value', lang)}: {r.value})" if r.value is not None else ""
                lines.append(f"  {label(r.severity, lang)}{where}: {r.message(lang)}{value}")
                lines.append(f"    {label('shape', lang)}: {r.shape}")
        return "\n".join(lines)


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
