"""Withdrawn means private, in the service itself: the record moves out of graph/meta,
owner and operator still read it, and a store written before this rule is migrated by
:meth:`SubmissionService.privatise_withdrawn` (issue 9, finding 10)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import RDF, SH, BNode, Graph, Literal

from iqkg.rdf.formats import TURTLE
from iqkg.rdf.iris import IriScheme
from iqkg.store.dataset import Dataset, GraphWrite
from iqkg.submissions import Body, PartnerRegistry, SubmissionService
from iqkg.submissions.checking import LocalChecker
from iqkg.submissions.partners import ANONYMOUS, OPERATOR
from iqkg.submissions.provenance import submission_triples
from iqkg.validation.report import ValidationReport, read_report
from tests.submissions.helpers import fixture
from tests.support.server import ROOT

PARTNER = "pa"


class ConformingValidator:
    """Stands in for SHACL (tested elsewhere): every body conforms. The ontology is real,
    for the ownership rule that every partner resource has one of its classes.

    Building the real validator here would patch pySHACL for the whole test session
    (validation/shacl.py), which other modules' in-process validations do not expect."""

    def __init__(self) -> None:
        self.curated = Graph()
        self.ontology = Graph()
        for path in sorted((ROOT / "ontology").glob("*.ttl")):
            self.ontology.parse(path, format="turtle")

    def validate(self, triples: object) -> ValidationReport:
        graph = Graph()
        root = BNode()
        graph.add((root, RDF.type, SH.ValidationReport))
        graph.add((root, SH.conforms, Literal(True)))
        return read_report(graph)


@pytest.fixture
def service(tmp_path: Path) -> SubmissionService:
    registry = PartnerRegistry(tmp_path / "partners.sqlite")
    registry.add("Partner A", PARTNER)
    checker = LocalChecker(ConformingValidator(), IriScheme(), max_triples=1000)  # type: ignore[arg-type]
    return SubmissionService(Dataset.open(None, IriScheme()), IriScheme(), checker.check, registry)


def _body() -> Body:
    return Body(fixture("project.ttl", PARTNER), TURTLE, TURTLE.media_type)


def _mentions(dataset: Dataset, graph: str, ident: str) -> int:
    return sum(
        1 for t in dataset.triples(graph) if ident in str(t.subject) or ident in str(t.object)
    )


def test_withdrawal_moves_the_record_out_of_meta(service: SubmissionService) -> None:
    record = service.create(OPERATOR, _body(), on_behalf_of=PARTNER).record
    meta = service.iris.graph("meta")
    assert _mentions(service.dataset, meta, record.id) > 10  # record, version, report
    service.withdraw(OPERATOR, record.id)
    assert _mentions(service.dataset, meta, record.id) == 0
    assert _mentions(service.dataset, service.names.private(record.id), record.id) > 10
    kept = service.get(OPERATOR, record.id)
    assert kept.status == "withdrawn" and [v.number for v in kept.versions] == [1]
    assert service.report(kept).conforms
    assert service.search(ANONYMOUS) == []


def test_a_store_from_before_is_migrated_once(service: SubmissionService) -> None:
    record = service.create(OPERATOR, _body(), on_behalf_of=PARTNER).record
    # Withdrawn the way earlier versions did it: the record stays in graph/meta.
    old = replace(record, status="withdrawn", modified=record.created, withdrawn=record.created)
    live = service.names.live(record.id)
    service.dataset.write(
        [GraphWrite(live, None)], submission_triples(service.names, old), replace_meta_about=[live]
    )
    meta = service.iris.graph("meta")
    assert _mentions(service.dataset, meta, record.id) > 0
    assert service.privatise_withdrawn() == [record.id]
    assert _mentions(service.dataset, meta, record.id) == 0
    assert service.get(OPERATOR, record.id).status == "withdrawn"
    version = service.dataset.version
    assert service.privatise_withdrawn() == []
    assert service.dataset.version == version  # nothing left to move: nothing written
