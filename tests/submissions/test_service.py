"""submissions/service.py: reads and withdrawal, in process on an embedded store.

Reads: one store query each (list, search, get), values bound safely. The service reads
through the store interface; these tests count its queries on the embedded store and send
hostile ids and filters, which must find nothing and change nothing (issue 12: no N+1
reads, no values interpolated into SPARQL).

Withdrawn means private, in the service itself: the record moves out of graph/meta,
owner and operator still read it, and a store written before this rule is migrated by
:meth:`SubmissionService.privatise_withdrawn` (issue 9, finding 10).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from rdflib import RDF, SH, BNode, Graph, Literal

from iqkg.errors import NotFound
from iqkg.rdf.formats import TURTLE
from iqkg.rdf.iris import IriScheme
from iqkg.store.dataset import Dataset, GraphWrite
from iqkg.submissions import Body, PartnerRegistry, SubmissionService
from iqkg.submissions.checking import LocalChecker
from iqkg.submissions.partners import ANONYMOUS, OPERATOR, Caller
from iqkg.submissions.provenance import submission_triples
from iqkg.validation.report import ValidationReport, read_report
from tests.submissions.helpers import fixture
from tests.support.server import ROOT

PARTNER = "pa"

HOSTILE = [
    '" } } ; DROP ALL ; #',
    "x> } ; DROP ALL ; INSERT DATA { <a",
    "line\nbreak",
    "back\\slash\\u0022",
    "Köln 日本 🎉",
    "",
]


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

    def validate(
        self, triples: object, *, leftovers: object = None, part: object = None
    ) -> ValidationReport:
        graph = Graph()
        root = BNode()
        graph.add((root, RDF.type, SH.ValidationReport))
        graph.add((root, SH.conforms, Literal(True)))
        return read_report(graph)


@pytest.fixture
def service(tmp_path: Path) -> SubmissionService:
    registry = PartnerRegistry(tmp_path / "partners.sqlite")
    registry.add("Partner A", "pa")
    registry.add("Partner B", "pb")
    checker = LocalChecker(ConformingValidator(), IriScheme(), max_triples=1000)  # type: ignore[arg-type]
    return SubmissionService(Dataset.open(None, IriScheme()), IriScheme(), checker.check, registry)


def _submit(service: SubmissionService, partner: str) -> str:
    body = Body(fixture("project.ttl", partner), TURTLE, TURTLE.media_type)
    return service.create(OPERATOR, body, on_behalf_of=partner).record.id


def _counting(service: SubmissionService) -> list[str]:
    """Count the queries the service sends to its store from now on."""
    asked: list[str] = []
    dataset = service.dataset
    for name in ("select", "ask", "construct"):
        method: Callable[..., Any] = getattr(dataset, name)

        def counted(query: str, *args: Any, _method: Any = method, **kw: Any) -> Any:
            asked.append(query)
            return _method(query, *args, **kw)

        setattr(dataset, name, counted)
    return asked


def test_list_search_and_get_are_one_query_each(service: SubmissionService) -> None:
    ids = [_submit(service, "pa"), _submit(service, "pa"), _submit(service, "pb")]
    service.withdraw(OPERATOR, ids[1])
    asked = _counting(service)
    assert {r.id for r in service.search(ANONYMOUS)} == {ids[0], ids[2]}
    assert len(asked) == 1
    assert {r.id for r in service.search(OPERATOR, partner="pa")} == {ids[0], ids[1]}
    assert len(asked) == 2
    record = service.get(OPERATOR, ids[1])
    assert len(asked) == 3
    assert record.status == "withdrawn" and [v.number for v in record.versions] == [1]


def test_search_filters_match_their_meaning(service: SubmissionService) -> None:
    ids = [_submit(service, "pa"), _submit(service, "pb")]
    service.withdraw(OPERATOR, ids[1])
    everything = service.search(OPERATOR)
    assert sorted(r.id for r in everything) == sorted(ids)
    assert [r.created for r in everything] == sorted((r.created for r in everything), reverse=True)
    assert [r.id for r in service.search(OPERATOR, status="withdrawn")] == [ids[1]]
    assert [r.id for r in service.search(OPERATOR, status="accepted")] == [ids[0]]
    assert [r.id for r in service.search(OPERATOR, partner="pb")] == [ids[1]]
    assert service.search(OPERATOR, status="unknown") == []
    assert service.search(ANONYMOUS, partner="pb") == []  # withdrawn: only its owner sees it
    own = Caller(partner=service.registry.get("pb"))
    assert [r.id for r in service.search(own, partner="pb")] == [ids[1]]
    # since/until compare as text, until over as many characters as it has: as stated.
    created = sorted(r.created for r in everything)
    bounds = [created[0][:10], created[0], created[-1], created[0][:-1] + "\U0010ffff", "2000", ""]
    for since in [None, *bounds]:
        for until in [None, *bounds]:
            expected = {
                r.id
                for r in everything
                if (since is None or r.created >= since)
                and (until is None or r.created[: len(until)] <= until)
            }
            found = service.search(OPERATOR, since=since, until=until)
            assert {r.id for r in found} == expected, (since, until)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_values_find_nothing_and_change_nothing(
    service: SubmissionService, hostile: str
) -> None:
    _submit(service, "pa")
    version = service.dataset.version
    with pytest.raises(NotFound):
        service.get(OPERATOR, hostile)
    assert service.search(OPERATOR, partner=hostile) == []
    (only,) = service.search(OPERATOR)
    expected = [only.id] if only.created >= hostile else []
    assert [r.id for r in service.search(OPERATOR, since=hostile)] == expected
    expected = [only.id] if only.created[: len(hostile)] <= hostile else []
    assert [r.id for r in service.search(OPERATOR, until=hostile)] == expected
    assert service.dataset.version == version


def test_partner_lookup_by_key(service: SubmissionService) -> None:
    assert service.registry.get("pb").name == "Partner B"
    for hostile in ["' OR '1'='1", "pa%", "PA", *HOSTILE]:
        with pytest.raises(NotFound):
            service.registry.get(hostile)


# Withdrawn means private.


def _body() -> Body:
    return Body(fixture("project.ttl", PARTNER), TURTLE, TURTLE.media_type)


def _mentions(dataset: Dataset, graph: str, ident: str) -> int:
    return sum(
        1 for t in dataset.triples(graph) if ident in str(t.subject) or ident in str(t.object)
    )


def test_a_stored_version_comes_with_the_report_that_was_stored(
    service: SubmissionService,
) -> None:
    first = service.create(OPERATOR, _body(), on_behalf_of=PARTNER)
    stored = service.report(first.record)
    assert first.report is not None and not first.unchanged
    assert (first.report.results, first.report.conforms) == (stored.results, stored.conforms)
    # (The body has blank nodes: compared only by a checking worker, so a new version.)
    changed = service.replace(OPERATOR, first.record.id, _body())
    assert not changed.unchanged and changed.record.current.number == 2
    assert changed.report is not None
    assert changed.report.results == service.report(changed.record).results


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


def _text(body: bytes, marker: str) -> Body:
    changed = body.replace(b"(example)", f"(example, {marker})".encode())
    assert changed != body
    return Body(changed, TURTLE, TURTLE.media_type)


def _labels(triples: list[Any]) -> set[str]:
    return {t.object.value for t in triples if "(example" in str(t.object)}


def test_a_version_is_archived_when_it_stops_being_current(service: SubmissionService) -> None:
    """The current version's data is the live graph; replacing or withdrawing archives it
    first, and each version reads back as it was sent."""
    source = fixture("project.ttl", PARTNER)
    record = service.create(OPERATOR, _text(source, "v1"), on_behalf_of=PARTNER).record
    archived = {n: service.names.version(record.id, n) for n in (1, 2, 3)}
    assert not service.dataset.has_graph(archived[1])  # one copy: the live graph
    first = _labels(service.data(record))
    assert first and all("v1" in label for label in first)
    record = service.replace(OPERATOR, record.id, _text(source, "v2")).record
    assert service.dataset.has_graph(archived[1]) and service.dataset.has_graph(archived[2])
    assert _labels(service.data(record, 1)) == first
    second = _labels(service.data(record, 2))
    assert second and all("v2" in label for label in second)
    assert _labels(service.data(record)) == second
    record = service.withdraw(OPERATOR, record.id)
    record = service.replace(OPERATOR, record.id, _text(source, "v3")).record
    third = _labels(service.data(record))
    assert third and all("v3" in label for label in third)
    assert not service.dataset.has_graph(archived[3])  # live again: one copy
    withdrawn = service.withdraw(OPERATOR, record.id)
    assert not service.dataset.has_graph(service.names.live(record.id))
    assert service.dataset.has_graph(archived[3])  # archived on the way out
    kept = service.get(OPERATOR, withdrawn.id)
    assert [_labels(service.data(kept, n)) for n in (1, 2, 3)] == [first, second, third]
