"""Ownership rules without a server: whole path segments, normal form, typed resources,
and the shares of a body checked by several workers."""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox
import pytest

from iqkg.rdf.convert import to_rdflib_graph
from iqkg.rdf.iris import RDF, RDFS, IriScheme
from iqkg.submissions.ownership import ownership_problems, ownership_report
from iqkg.validation.core import WHOLE, Part
from iqkg.validation.report import read_report

IRIS = IriScheme()
SPACE = IRIS.partner_space("pa")
CLASSES = frozenset({IRIS.term("Project")})
CURATED = frozenset({IRIS.resource("network", "bayern")})
LABEL = ox.NamedNode(RDFS + "label")
TYPE = ox.NamedNode(RDF + "type")


def _reasons(*triples: ox.Triple) -> list[tuple[str, str]]:
    problems = ownership_problems(triples, space=SPACE, iris=IRIS, curated=CURATED, classes=CLASSES)
    return [(str(p.triple.subject.value), p.reason) for p in problems]  # type: ignore[union-attr]


def _labelled(iri: str) -> ox.Triple:
    return ox.Triple(ox.NamedNode(iri), LABEL, ox.Literal("x"))


def _typed(iri: str) -> ox.Triple:
    return ox.Triple(ox.NamedNode(iri), TYPE, ox.NamedNode(IRIS.term("Project")))


def test_an_own_typed_resource_passes() -> None:
    iri = SPACE + "x"
    assert _reasons(_typed(iri), _labelled(iri)) == []


@pytest.mark.parametrize(
    ("iri", "reason"),
    [
        (SPACE + "../../network/bayern", "not-normal"),
        (SPACE + "../pb/x", "not-normal"),
        (IRIS.base + "id/network/bayern", "curated"),
        (IRIS.base + "id/partner/pb/x", "partner"),
        (IRIS.base + "id/partner/pax/x", "partner"),  # a longer slug is another partner
        (SPACE[:-1], "partner"),  # the space's own IRI is nobody's resource
        ("http://example.org/x", "foreign"),
    ],
)
def test_a_subject_outside_the_space(iri: str, reason: str) -> None:
    assert _reasons(_typed(iri)) == [(iri, reason)]


def test_an_untyped_resource_is_named_once() -> None:
    iri = SPACE + "untyped"
    state = ox.NamedNode(IRIS.resource("federal-state", "bayern"))
    covers = ox.Triple(ox.NamedNode(iri), ox.NamedNode(IRIS.term("coversFederalState")), state)
    assert _reasons(_labelled(iri), covers) == [(iri, "untyped")]
    foreign_type = ox.Triple(ox.NamedNode(iri), TYPE, ox.NamedNode("http://example.org/C"))
    assert _reasons(_labelled(iri), foreign_type) == [(iri, "untyped")]


def test_blank_nodes_need_no_type() -> None:
    blank = ox.BlankNode()
    assert _reasons(ox.Triple(blank, LABEL, ox.Literal("x"))) == []


def test_the_report_rows_are_what_its_graph_says() -> None:
    """Rows and triples are made side by side; reading the graph back (as pySHACL's
    reports are read) must give the same rows, blank-node subjects and values included."""
    blank = ox.BlankNode("b1")
    triples = [
        _typed(IRIS.base + "id/network/bayern"),
        _typed(SPACE + "../pb/x"),
        _labelled(SPACE + "untyped"),
        ox.Triple(ox.NamedNode("http://example.org/x"), LABEL, blank),
        ox.Triple(ox.NamedNode("http://example.org/y"), LABEL, ox.Literal("y", language="de")),
    ]
    problems = ownership_problems(triples, space=SPACE, iris=IRIS, curated=CURATED, classes=CLASSES)
    report = ownership_report(problems, space=SPACE, iris=IRIS)
    assert len(report.results) == len(problems) == 5
    assert not report.conforms
    assert read_report(to_rdflib_graph(report.triples)).results == report.results
    assert {r.value for r in report.results} >= {"_:b1", "y"}
    assert all(set(r.messages) == {"de", "en"} for r in report.results)
    assert ownership_report([], space=SPACE, iris=IRIS).conforms


#: Subjects of every verdict, several of each so that both shares get some.
MIXED_SUBJECTS = [
    *(_typed(SPACE + f"own-{i}") for i in range(6)),  # own and typed: no problem
    *(_labelled(SPACE + f"untyped-{i}") for i in range(6)),
    _typed(IRIS.resource("network", "bayern")),
    _labelled(IRIS.resource("network", "bayern")),
    *(_labelled(IRIS.base + f"id/partner/pb/x{i}") for i in range(4)),
    *(_labelled(f"http://example.org/x{i}") for i in range(4)),
    *(_typed(SPACE + f"../pb/y{i}") for i in range(4)),
    ox.Triple(ox.BlankNode("b1"), LABEL, ox.Literal("a blank node's")),
    ox.Triple(ox.NamedNode(SPACE + "own-0"), LABEL, ox.BlankNode("b1")),
]


def _problems(part: Part) -> list[tuple[str, str, str]]:
    problems = ownership_problems(
        MIXED_SUBJECTS, space=SPACE, iris=IRIS, curated=CURATED, classes=CLASSES, part=part
    )
    return [(str(p.triple), p.reason, str(p.triple.subject)) for p in problems]


def test_the_shares_of_a_body_have_exactly_the_whole_bodys_problems() -> None:
    whole = _problems(WHOLE)
    assert {reason for _, reason, _ in whole} == {
        "untyped",
        "curated",
        "partner",
        "foreign",
        "not-normal",
    }
    first, second = _problems(Part(0, 2)), _problems(Part(1, 2))
    assert Counter(first) + Counter(second) == Counter(whole)
    assert first and second  # shared out, not all in one share
    for index, problems in enumerate((first, second)):  # each subject in its own share
        assert all(Part(index, 2).holds(ox.NamedNode(s[1:-1])) for _, _, s in problems)
