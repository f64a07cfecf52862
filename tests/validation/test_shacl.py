"""The SHACL wrapper: messages per language, severities, subclass-aware targets."""

from __future__ import annotations

import gc
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest

from iqkg.rdf.iris import IriScheme
from iqkg.validation.shacl import ShaclValidator, collector_paused

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


def test_collection_resumes_only_after_the_outermost_pause_even_on_error() -> None:
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause did not resume it
        raise ValueError
    assert gc.isenabled()
