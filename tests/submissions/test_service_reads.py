"""Submission reads: one store query each (list, search, get), values bound safely.

The service reads through the store interface; these tests count its queries on the
embedded store and send hostile ids and filters, which must find nothing and change
nothing (issue 12: no N+1 reads, no values interpolated into SPARQL).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from iqkg.errors import NotFound
from iqkg.rdf.formats import TURTLE
from iqkg.rdf.iris import IriScheme
from iqkg.store.dataset import Dataset
from iqkg.submissions import Body, PartnerRegistry, SubmissionService
from iqkg.submissions.checking import LocalChecker
from iqkg.submissions.partners import ANONYMOUS, OPERATOR, Caller
from tests.submissions.helpers import fixture
from tests.submissions.test_withdrawn_private import ConformingValidator

HOSTILE = [
    '" } } ; DROP ALL ; #',
    "x> } ; DROP ALL ; INSERT DATA { <a",
    "line\nbreak",
    "back\\slash\\u0022",
    "Köln 日本 🎉",
    "",
]


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
