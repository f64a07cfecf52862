"""The SHACL wrapper: messages per language, severities, subclass-aware targets."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from iqkg.rdf.iris import IriScheme
from iqkg.validation.shacl import ShaclValidator

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
