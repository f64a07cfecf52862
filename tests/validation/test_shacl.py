"""The SHACL wrapper: messages per language, severities, subclass-aware targets, shares."""

from __future__ import annotations

import gc
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest

from iqkg.rdf.iris import IriScheme
from iqkg.validation.core import WHOLE, Part
from iqkg.validation.shacl import PyShaclValidator, ShaclValidator, collector_paused

MINI = Path(__file__).parents[1] / "data" / "knowledge-mini"
NETWORK = ox.NamedNode("https://w3id.org/iqkg/def#Network")
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@pytest.fixture(scope="module")
def validator() -> ShaclValidator:
    return ShaclValidator.from_folders(MINI, IriScheme())


def test_curated_data_alone_conforms(validator: ShaclValidator) -> None:
    report = validator.validate([])
    assert report.conforms and report.results == []


def test_violation_is_reported_with_both_languages(validator: ShaclValidator) -> None:
    node = ox.NamedNode("https://w3id.org/iqkg/id/partner/p/n")
    report = validator.validate([ox.Triple(node, TYPE, NETWORK)])
    assert not report.conforms
    [result] = report.results
    assert result.focus == node.value
    assert result.shape == "https://w3id.org/iqkg/shapes#NetworkLabel"
    assert result.severity == "Violation"
    assert result.message("de") == "Ein Netzwerk braucht einen Namen."
    assert result.message("en") == "A network needs a label."
    assert "1 Verstoß" in report.summary("de")
    assert report.as_json("de")["results"][0]["message"] == "Ein Netzwerk braucht einen Namen."
    assert node.value in report.as_text("en")


def test_report_graph_is_a_shacl_report(validator: ShaclValidator) -> None:
    node = ox.NamedNode("https://w3id.org/iqkg/id/partner/p/n")
    report = validator.validate([ox.Triple(node, TYPE, NETWORK)])
    report_type = ox.NamedNode("http://www.w3.org/ns/shacl#ValidationReport")
    assert sum(1 for t in report.triples if t.predicate == TYPE and t.object == report_type) == 1
    turtle = report.serialize(ox.RdfFormat.TURTLE).decode()
    assert "@prefix sh: <http://www.w3.org/ns/shacl#>" in turtle
    assert "sh:ValidationReport" in turtle


MIN_AGE_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:AgeShape a sh:NodeShape ; sh:targetClass ex:Person ;
    sh:property [ sh:path ex:born ; sh:minInclusive "2000-01-01"^^xsd:date ] .
ex:NameShape a sh:NodeShape ; sh:targetClass ex:Person ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ] .
"""


def test_unsupported_shape_falls_back_to_pyshacl(caplog: pytest.LogCaptureFixture) -> None:
    """A date bound is not in the fast engine (numbers are): that shape (only) goes to
    pySHACL, logged."""
    from rdflib import Graph

    shapes = Graph().parse(data=MIN_AGE_SHAPES, format="turtle")
    with caplog.at_level("WARNING", logger="iqkg.validation.shacl"):
        validator = ShaclValidator(shapes, Graph(), Graph())
    assert list(validator.fallback) == ["http://example.org/AgeShape"]
    assert "minInclusive" in validator.fallback["http://example.org/AgeShape"]
    assert "http://example.org/AgeShape" in caplog.text
    person = ox.NamedNode("http://example.org/p")
    data = [
        ox.Triple(person, TYPE, ox.NamedNode("http://example.org/Person")),
        ox.Triple(
            person,
            ox.NamedNode("http://example.org/born"),
            ox.Literal(
                "1990-05-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
            ),
        ),
    ]
    report = validator.validate(data, with_curated=False)
    assert sorted(r.constraint.rsplit("#", 1)[-1] for r in report.results) == [
        "MinCountConstraintComponent",
        "MinInclusiveConstraintComponent",
    ]
    # Without sh:message in the shape, only pySHACL writes a message of its own.
    reference = validator.reference.validate(data, with_curated=False)
    assert [replace(r, messages={}) for r in report.results] == [
        replace(r, messages={}) for r in reference.results
    ]
    report_nodes = [t for t in report.triples if t.object.value.endswith("#ValidationReport")]
    assert len(report_nodes) == 1


@pytest.mark.parametrize("part", [Part(0, 2), Part(1, 2), Part(0, 3)], ids=str)
def test_pyshacl_refuses_to_check_a_share(validator: ShaclValidator, part: Part) -> None:
    reference = validator.reference
    assert isinstance(reference, PyShaclValidator)
    node = ox.NamedNode("https://w3id.org/iqkg/id/partner/p/n")
    with pytest.raises(ValueError, match="whole"):
        reference.validate([ox.Triple(node, TYPE, NETWORK)], part=part)
    assert not reference.validate([ox.Triple(node, TYPE, NETWORK)], part=WHOLE).conforms


def test_shapes_left_to_pyshacl_are_checked_whole_in_share_zero_only() -> None:
    """pySHACL cannot check a share: the fallen-back shape's results for every person come
    from share 0, the fast engine's each from its person's share."""
    from rdflib import Graph

    validator = ShaclValidator(
        Graph().parse(data=MIN_AGE_SHAPES, format="turtle"), Graph(), Graph()
    )
    assert list(validator.fallback) == ["http://example.org/AgeShape"]
    born = ox.NamedNode("http://example.org/born")
    date = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
    people = [ox.NamedNode(f"http://example.org/p{i}") for i in range(8)]
    data = [
        triple
        for person in people
        for triple in (
            ox.Triple(person, TYPE, ox.NamedNode("http://example.org/Person")),
            ox.Triple(person, born, ox.Literal("1990-05-01", datatype=date)),
        )
    ]

    def found(part: Part) -> list[tuple[str, str]]:
        results = validator.validate(data, with_curated=False, part=part).results
        return sorted((r.focus, r.constraint.rsplit("#", 1)[-1]) for r in results)

    whole = found(WHOLE)
    assert len(whole) == 2 * len(people)  # each: no name (fast), born too early (pySHACL)
    first, second = found(Part(0, 2)), found(Part(1, 2))
    assert sorted(first + second) == whole
    dates = [(p.value, "MinInclusiveConstraintComponent") for p in people]
    assert sorted(dates) == [r for r in first if r[1].startswith("MinInclusive")]
    names = [(p.value, "MinCountConstraintComponent") for p in people if Part(1, 2).holds(p)]
    assert second == sorted(names) and names  # the fast engine's, of share 1's people only


def test_collection_resumes_only_after_the_outermost_pause_even_on_error() -> None:
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause did not resume it
        raise ValueError
    assert gc.isenabled()
