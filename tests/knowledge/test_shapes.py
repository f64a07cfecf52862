"""The shapes catch what they promise: one invalid fixture per rule, a few valid ones.

Each file under tests/data/invalid/ is named for the rule it breaks and states, in header
comments, the results it must produce::

    # expect-focus: <focus node IRI>
    # expect-shape: <IRI of the node or property shape that reports it>
    # expect-severity: Violation|Warning      (optional)

Every fixture is validated together with the curated data (so references to curated
networks, centres and action fields resolve) and the ontology, both with RDFS inference
(how the knowledge tests are specified) and without it (how the service validates
submissions), and the expected (focus, shape, severity) results must be present in both.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH

from iqkg.reasoning import owl_rl_closure
from tests.knowledge.conftest import FIXTURES_DIR, IQ, SHAPES_NS, shacl_results

INVALID = sorted((FIXTURES_DIR / "invalid").glob("*.ttl"))
VALID = sorted((FIXTURES_DIR / "valid").glob("*.ttl"))
MODES = ["rdfs", "none"]


@dataclass(frozen=True)
class Expectation:
    focus: str
    shape: str
    severity: str | None = None


def read_expectations(path: Path) -> list[Expectation]:
    """The ``# expect-…`` header: each focus line opens an expectation, the next lines fill it."""
    pending: list[dict[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        key, _, value = line.lstrip("# ").partition(":")
        key, value = key.strip(), value.strip()
        if key == "expect-focus":
            pending.append({"focus": value})
        elif key in {"expect-shape", "expect-severity"}:
            assert pending, f"{path.name}: {key} before expect-focus"
            pending[-1][key.removeprefix("expect-")] = value
    return [Expectation(p["focus"], p["shape"], p.get("severity")) for p in pending]


def results(report: Graph) -> set[tuple[str, str, str]]:
    found = set()
    for result in report.objects(None, SH.result):
        focus = report.value(result, SH.focusNode)
        shape = report.value(result, SH.sourceShape)
        severity = report.value(result, SH.resultSeverity)
        found.add((str(focus), str(shape), str(severity).removeprefix(str(SH))))
    return found


def test_there_are_enough_invalid_fixtures() -> None:
    assert len(INVALID) >= 15
    assert len(VALID) >= 3


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_fixture_header_is_well_formed(path: Path) -> None:
    expectations = read_expectations(path)
    assert expectations, f"{path.name} has no '# expect-focus' line"
    for expected in expectations:
        assert expected.shape.startswith(SHAPES_NS), expected.shape
        assert expected.severity in {None, "Violation", "Warning"}


def _validate_with_curated(
    path: Path, mode: str, curated: Graph, shapes: Graph, ontology: Graph
) -> tuple[bool, Graph]:
    """Validate a fixture file together with the curated data it references."""
    data = Graph()
    data += curated
    data.parse(path, format="turtle")
    return shacl_results(data, shapes, ontology, inference=mode)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_fixture_is_reported(
    path: Path, mode: str, curated: Graph, shapes: Graph, ontology: Graph
) -> None:
    conforms, report = _validate_with_curated(path, mode, curated, shapes, ontology)
    assert not conforms
    found = results(report)
    for expected in read_expectations(path):
        matching = {
            severity
            for focus, shape, severity in found
            if focus == expected.focus and shape == expected.shape
        }
        assert matching, f"{path.name}: no result for {expected}; got {sorted(found)}"
        if expected.severity:
            assert expected.severity in matching, f"{path.name}: {expected} got {matching}"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_fixture_conforms(
    path: Path, mode: str, curated: Graph, shapes: Graph, ontology: Graph
) -> None:
    conforms, report = _validate_with_curated(path, mode, curated, shapes, ontology)
    assert conforms, sorted(results(report))


@pytest.mark.parametrize("mode", MODES)
def test_no_false_alarm_on_the_owl_rl_closure(
    mode: str, curated: Graph, shapes: Graph, ontology: Graph
) -> None:
    """Closed shapes must accept what the closure adds (inverses, super-properties).

    The first edition's closed shapes rejected, e.g., iq:hasRegionalNetwork on a federal
    state, the inverse of the curated iq:coversFederalState, once graph/inferred was
    validated with the curated data.
    """
    data = Graph()
    data += curated
    data += owl_rl_closure(ontology + curated)
    conforms, report = shacl_results(data, shapes, ontology, inference=mode)
    assert conforms, sorted(results(report))[:10]


def test_every_fixture_subject_is_partner_or_curated_iri() -> None:
    """Fixtures speak like partners: their subjects live under id/partner/…."""
    for path in INVALID + VALID:
        graph = Graph().parse(path, format="turtle")
        for subject in set(graph.subjects()):
            assert isinstance(subject, URIRef)
            assert str(subject).startswith("https://w3id.org/iqkg/id/partner/"), (path, subject)


def test_every_property_shape_is_documented_in_german_and_english(shapes: Graph) -> None:
    property_shapes = set(shapes.subjects(RDF.type, SH.PropertyShape))
    assert len(property_shapes) >= 40
    for shape in property_shapes:
        for predicate in (SH.message, SH.name, SH.description):
            languages = sorted(o.language for o in shapes.objects(shape, predicate))
            assert languages == ["de", "en"], (shape, predicate)
        assert shapes.value(shape, SH.severity) in (SH.Violation, SH.Warning), shape
        assert shapes.value(shape, SH.order) is not None, shape
        assert (shapes.value(shape, SH.group), RDF.type, SH.PropertyGroup) in shapes, shape
    # every property shape hangs off a node shape: nothing is defined and left unused
    used = set(shapes.objects(None, SH.property))
    assert property_shapes == used


def test_every_iq_class_is_covered_by_a_node_shape(shapes: Graph, ontology: Graph) -> None:
    """A class is covered when a node shape targets it or one of its superclasses (SHACL §3.2)."""
    targets = set(shapes.objects(None, SH.targetClass))
    for cls in ontology.subjects(RDF.type, OWL.Class):
        if not str(cls).startswith(IQ):
            continue
        lineage = set(ontology.transitive_objects(cls, RDFS.subClassOf))
        assert lineage & targets, cls
    for target in targets:
        if target == OWL.Axiom:  # built in: the source annotations (OWL 2 RDF mapping §2.3.2)
            continue
        assert (target, RDF.type, OWL.Class) in ontology, target
