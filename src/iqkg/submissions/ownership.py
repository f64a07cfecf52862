"""Who may say what: a partner describes only resources in its own IRI space.

A submission may mint resources under ``{base}id/partner/{slug}/`` (or use blank nodes)
and may *reference* anything, but every triple's subject must be the partner's own.
Each offending triple becomes a SHACL-style result, so the partner reads ownership
problems in the same table as shape violations. The rules (documented as shapes in
``shapes/partner-shapes.ttl``, checked here because SHACL Core has no target for "every
subject"):

- ``PartnerIriSpace``: the subject lies below the partner's space, compared by scheme,
  authority and whole path segments (so ``…/partner/pa/../pb/x`` is not partner pa's);
- ``PartnerIriNormalForm``: every IRI subject is in RFC 3986 §6 normal form (no dot
  segments, lower-case scheme and host, no needless percent-encoding). RDF compares IRIs
  as strings, so rewriting them would change the partner's data: they are refused, and the
  message names the normal form;
- ``PartnerTypedResource``: every resource a partner describes has an ``rdf:type`` that
  is a class of the ontology, so that the class's shape validates everything said about
  it. An untyped resource would be checked by no shape (issue 9, finding 5).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from iqkg.messages import message as catalogued
from iqkg.rdf.iris import RDF, SH, XSD, IriScheme
from iqkg.rdf.normal_form import in_path_space, normal_form
from iqkg.validation.core import WHOLE, Part
from iqkg.validation.report import (
    SEVERITY_ORDER,
    ValidationReport,
    ValidationResult,
    report_prefixes,
    short_name,
    sort_results,
    term_text,
)

OWN_SPACE = "PartnerIriSpace"
NORMAL_FORM = "PartnerIriNormalForm"
TYPED = "PartnerTypedResource"
#: The shape each reason is reported under.
SHAPES = {
    "curated": OWN_SPACE,
    "partner": OWN_SPACE,
    "foreign": OWN_SPACE,
    "not-normal": NORMAL_FORM,
    "untyped": TYPED,
}


@dataclass(frozen=True)
class OwnershipProblem:
    triple: ox.Triple
    reason: str  # a key of SHAPES: "curated", "partner", "foreign", "not-normal", "untyped"


def stated_about_curated(problems: Iterable[OwnershipProblem]) -> set[str]:
    """The curated resources the partner made statements about."""
    return {
        p.triple.subject.value
        for p in problems
        if p.reason == "curated" and isinstance(p.triple.subject, ox.NamedNode)
    }


def root_cause_first(report: ValidationReport, iris: IriScheme) -> ValidationReport:
    """``report`` with the ownership results before the others of their severity: where a
    resource lies or whether it is typed decides what else about it matters."""
    rules = {f"{iris.shapes}#{shape}" for shape in SHAPES.values()}
    report.results = sorted(
        report.results,
        key=lambda r: (SEVERITY_ORDER.get(r.severity, 9), r.shape not in rules),
    )
    return report


#: The verdict on a subject of another share (:class:`~iqkg.validation.core.Part`).
_ELSEWHERE = "elsewhere"


def ownership_problems(
    triples: Iterable[ox.Triple],
    *,
    space: str,
    iris: IriScheme,
    curated: frozenset[str],
    classes: frozenset[str] | None = None,
    part: Part = WHOLE,
) -> list[OwnershipProblem]:
    """The triples whose subject is not the partner's (curated, another's, foreign or not
    in normal form) and, with ``classes`` (the ontology's), one per resource of the
    partner's that has no type among them; with a ``part``, only of the subjects in it."""
    partners = f"{iris.base}id/partner/"
    problems: list[OwnershipProblem] = []
    first_triple: dict[str, ox.Triple] = {}
    typed: set[str] = set()
    verdicts: dict[str, str | None] = {}  # subject IRI -> reason, None when it is own

    def verdict(iri: str) -> str | None:
        if normal_form(iri) != iri:
            return "not-normal"
        if in_path_space(iri, space):
            return None
        if iri in curated:
            return "curated"
        return "partner" if in_path_space(iri, partners) else "foreign"

    for triple in triples:
        subject = triple.subject
        if not isinstance(subject, ox.NamedNode):
            continue
        iri = subject.value
        if iri not in verdicts:
            verdicts[iri] = verdict(iri) if part.holds(subject) else _ELSEWHERE
        reason = verdicts[iri]
        if reason is _ELSEWHERE:
            continue
        if reason is not None:
            problems.append(OwnershipProblem(triple, reason))
            continue
        first_triple.setdefault(iri, triple)
        kind = triple.object
        is_type = triple.predicate.value == RDF + "type"
        if is_type and isinstance(kind, ox.NamedNode) and kind.value in (classes or ()):
            typed.add(iri)
    if classes is not None:
        problems += [
            OwnershipProblem(triple, "untyped")
            for iri, triple in first_triple.items()
            if iri not in typed
        ]
    return problems


def ownership_report(
    problems: Iterable[OwnershipProblem], *, space: str, iris: IriScheme
) -> ValidationReport:
    """One ``sh:ValidationResult`` per offending triple, as rows and as report triples.

    Made directly, like the SHACL engine's results: written into an rdflib graph and read
    back, 2,000 of them took 1.1 s, most of a 2,000-subject body's whole check.
    """
    root = ox.BlankNode()
    triples = [ox.Triple(root, _TYPE, _SH_REPORT)]
    rows: list[ValidationResult] = []
    names = report_prefixes(iris.base)
    for problem in problems:
        t = problem.triple
        node = ox.BlankNode()
        key = f"ownership_{problem.reason}"
        shape = ox.NamedNode(f"{iris.shapes}#{SHAPES[problem.reason]}")
        subject = str(t.subject)
        if isinstance(t.subject, ox.NamedNode) and problem.reason != "not-normal":
            short = short_name(t.subject.value, names)
            subject = short if short and short != t.subject.value else subject
        normal = f"<{normal_form(t.subject.value)}>" if isinstance(t.subject, ox.NamedNode) else ""
        messages = {
            lang: catalogued(key, lang).format(s=subject, space=space, normal=normal)
            for lang in ("de", "en")
        }
        triples += [
            ox.Triple(root, _sh("result"), node),
            ox.Triple(node, _TYPE, _sh("ValidationResult")),
            ox.Triple(node, _sh("focusNode"), t.subject),
            ox.Triple(node, _sh("resultPath"), t.predicate),
            ox.Triple(node, _sh("value"), t.object),
            ox.Triple(node, _sh("sourceShape"), shape),
            ox.Triple(node, _sh("sourceConstraintComponent"), shape),
            ox.Triple(node, _sh("resultSeverity"), _sh("Violation")),
            *(
                ox.Triple(node, _sh("resultMessage"), ox.Literal(m, language=lang))
                for lang, m in messages.items()
            ),
        ]
        rows.append(
            ValidationResult(
                focus=term_text(t.subject),
                path=t.predicate.value,
                value=term_text(t.object),
                shape=shape.value,
                constraint=shape.value,
                severity="Violation",
                messages=messages,
            )
        )
    conforms = ox.Literal("false" if rows else "true", datatype=_BOOLEAN)
    triples.append(ox.Triple(root, _sh("conforms"), conforms))
    return ValidationReport(results=sort_results(rows), triples=triples)


def _sh(name: str) -> ox.NamedNode:
    return ox.NamedNode(f"{SH}{name}")


_TYPE = ox.NamedNode(f"{RDF}type")
_SH_REPORT = ox.NamedNode(f"{SH}ValidationReport")
_BOOLEAN = ox.NamedNode(f"{XSD}boolean")
