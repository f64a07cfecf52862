"""Who may say what: a partner describes only resources in its own IRI space.

A submission may mint resources under ``{base}id/partner/{slug}/`` (or use blank nodes)
and may *reference* anything, but every triple's subject must be the partner's own.
Each offending triple becomes a SHACL-style result, so the partner reads ownership
problems in the same table as shape violations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import RDF, SH, BNode, Graph, Literal, URIRef

from iqkg.rdf.convert import to_rdflib_term
from iqkg.rdf.iris import IriScheme

OWN_SPACE = "PartnerIriSpace"

_MESSAGES = {
    "curated": (
        "Aussagen über kuratierte Ressourcen sind nicht erlaubt: {s} gehört zu den kuratierten "
        "Daten. Verweisen Sie darauf (als Objekt) von einer eigenen Ressource unter {space}.",
        "Statements about curated resources are not allowed: {s} belongs to the curated data. "
        "Refer to it (as an object) from a resource of your own under {space}.",
    ),
    "partner": (
        "{s} gehört einem anderen Partner; Sie dürfen nur Ressourcen unter {space} beschreiben.",
        "{s} belongs to another partner; you may only describe resources under {space}.",
    ),
    "foreign": (
        "{s} liegt außerhalb Ihres IRI-Raums; legen Sie Ressourcen unter {space} an "
        "(oder verwenden Sie leere Knoten).",
        "{s} is outside your IRI space; create resources under {space} (or use blank nodes).",
    ),
}


@dataclass(frozen=True)
class OwnershipProblem:
    triple: ox.Triple
    reason: str  # "curated" | "partner" | "foreign"


def ownership_problems(
    triples: Iterable[ox.Triple], *, space: str, iris: IriScheme, curated: frozenset[str]
) -> list[OwnershipProblem]:
    """The triples whose subject is not the partner's: curated, another's, or foreign."""
    partners = f"{iris.base}id/partner/"
    problems: list[OwnershipProblem] = []
    for triple in triples:
        subject = triple.subject
        if not isinstance(subject, ox.NamedNode) or subject.value.startswith(space):
            continue
        iri = subject.value
        if iri in curated:
            reason = "curated"
        elif iri.startswith(partners):
            reason = "partner"
        else:
            reason = "foreign"
        problems.append(OwnershipProblem(triple, reason))
    return problems


def add_to_report(
    report: Graph, problems: Iterable[OwnershipProblem], *, space: str, iris: IriScheme
) -> None:
    """Add one ``sh:ValidationResult`` per offending triple to a report graph."""
    shape = URIRef(f"{iris.shapes}#{OWN_SPACE}")
    root = next(iter(report.subjects(RDF.type, SH.ValidationReport)), None)
    if root is None:
        root = BNode()
        report.add((root, RDF.type, SH.ValidationReport))
    any_problem = False
    for problem in problems:
        any_problem = True
        t = problem.triple
        node = BNode()
        german, english = _MESSAGES[problem.reason]
        subject = str(t.subject)
        report.add((root, SH.result, node))
        report.add((node, RDF.type, SH.ValidationResult))
        report.add((node, SH.focusNode, to_rdflib_term(t.subject)))
        report.add((node, SH.resultPath, to_rdflib_term(t.predicate)))
        report.add((node, SH.value, to_rdflib_term(t.object)))
        report.add((node, SH.sourceShape, shape))
        report.add((node, SH.sourceConstraintComponent, shape))
        report.add((node, SH.resultSeverity, SH.Violation))
        report.add((node, SH.resultMessage, Literal(german.format(s=subject, space=space), "de")))
        report.add((node, SH.resultMessage, Literal(english.format(s=subject, space=space), "en")))
    if any_problem:
        report.set((root, SH.conforms, Literal(False)))
