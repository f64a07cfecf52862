"""validation/compiler.py: which shapes are roots (explicit and implicit class targets),
which focus nodes each target selects, what the compiler refuses (so pySHACL takes the
shape over, with the reason), and which predicates the data index must walk backwards."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from iqkg.validation.compiler import CompiledShapes, compile_shapes
from iqkg.validation.core import Graph

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .
"""
EX = "https://example.org/"


def _triples(turtle: str) -> list[ox.Triple]:
    return [q.triple for q in ox.parse((PREFIXES + turtle).encode(), format=ox.RdfFormat.TURTLE)]


def _compiled(turtle: str) -> CompiledShapes:
    return compile_shapes(_triples(turtle))


def _data(compiled: CompiledShapes, turtle: str) -> Graph:
    return Graph(_triples(turtle), compiled.inverse)


def _roots(compiled: CompiledShapes) -> list[str]:
    return [str(s.node) for s in compiled.roots]


def test_roots_are_the_targeted_shapes() -> None:
    compiled = _compiled(
        """
        ex:ByClass sh:targetClass ex:Project ; sh:node ex:Helper .
        ex:ByNode sh:targetNode ex:a .
        ex:BySubject sh:targetSubjectsOf ex:p .
        ex:ByObject sh:targetObjectsOf ex:p .
        ex:Implicit a sh:NodeShape, rdfs:Class .
        ex:Helper a sh:NodeShape .
        ex:PlainClass a rdfs:Class .
        """
    )
    assert _roots(compiled) == [
        f"<{EX}{n}>" for n in ("ByClass", "ByNode", "ByObject", "BySubject", "Implicit")
    ]
    assert compiled.unsupported == {}


def test_focus_nodes_of_each_target() -> None:
    compiled = _compiled(
        """
        ex:ByClass sh:targetClass ex:Project .
        ex:ByNode sh:targetNode ex:nowhere .
        ex:BySubject sh:targetSubjectsOf ex:p .
        ex:ByObject sh:targetObjectsOf ex:p .
        ex:Implicit a sh:NodeShape, rdfs:Class .
        """
    )
    data = _data(
        compiled,
        """
        ex:a a ex:Project .
        ex:b a ex:SubProject .
        ex:SubProject rdfs:subClassOf ex:Project .
        ex:c ex:p ex:d .
        ex:e a ex:Implicit .
        """,
    )
    focus = {
        str(s.node).strip("<>").removeprefix(EX): compiled.focus_nodes(data, s)
        for s in compiled.roots
    }
    named = {k: sorted(str(n).strip("<>").removeprefix(EX) for n in v) for k, v in focus.items()}
    assert named == {
        "ByClass": ["a", "b"],  # SHACL §3.2 instances: subclasses too
        "ByNode": ["nowhere"],  # a target node need not occur in the data
        "BySubject": ["c"],
        "ByObject": ["d"],
        "Implicit": ["e"],
    }


def test_validate_finds_each_violation_once() -> None:
    compiled = _compiled(
        """
        ex:S sh:targetClass ex:Project ;
            sh:property [ sh:path ex:year ; sh:minCount 1 ; sh:datatype xsd:gYear ] .
        ex:Off sh:targetClass ex:Project ; sh:deactivated true ;
            sh:property [ sh:path ex:year ; sh:maxCount 0 ] .
        """
    )
    data = _data(
        compiled,
        """
        ex:ok a ex:Project ; ex:year "2011"^^xsd:gYear .
        ex:missing a ex:Project .
        ex:wrong a ex:Project ; ex:year "2011" .
        """,
    )
    results = compiled.validate(data)
    found = sorted((str(r.focus), r.component.value.rsplit("#", 1)[-1]) for r in results)
    assert found == [
        (f"<{EX}missing>", "MinCountConstraintComponent"),
        (f"<{EX}wrong>", "DatatypeConstraintComponent"),
    ]


def test_inverse_paths_are_indexed_backwards() -> None:
    compiled = _compiled(
        """
        ex:S sh:targetNode ex:o ;
            sh:property [ sh:path [ sh:inversePath ex:partOf ] ; sh:minCount 2 ] .
        """
    )
    assert compiled.inverse == frozenset({ox.NamedNode(EX + "partOf")})
    data = _data(compiled, "ex:a ex:partOf ex:o . ex:b ex:partOf ex:o .")
    assert compiled.validate(data) == []
    fewer = _data(compiled, "ex:a ex:partOf ex:o .")
    assert len(compiled.validate(fewer)) == 1


def test_closed_shapes_allow_declared_and_ignored_properties() -> None:
    compiled = _compiled(
        """
        ex:S sh:targetClass ex:Project ; sh:closed true ;
            sh:ignoredProperties ( rdfs:label ) ;
            sh:property [ sh:path ex:year ] .
        """
    )
    data = _data(
        compiled,
        """
        ex:a a ex:Project ; ex:year 1 ; rdfs:label "a" .
        ex:b ex:year 1 ; ex:extra 2 .
        ex:b a ex:Project .
        """,
    )
    closed = [r for r in compiled.validate(data) if "Closed" in str(r.component)]
    # rdf:type is not declared: both resources break it (SHACL §4.8.1), ex:b twice
    assert sorted((str(r.focus), str(r.value)) for r in closed) == sorted(
        [
            (f"<{EX}a>", f"<{EX}Project>"),
            (f"<{EX}b>", f"<{EX}Project>"),
            (f"<{EX}b>", '"2"^^<http://www.w3.org/2001/XMLSchema#integer>'),
        ]
    )


@pytest.mark.parametrize(
    ("turtle", "reason"),
    [
        ("ex:S sh:targetNode ex:a ; sh:sparql [ ] .", "sparql on"),
        ("ex:S sh:targetNode ex:a ; sh:node ex:S .", "recursive shape"),
        ("ex:S sh:targetNode ex:a ; sh:path ex:p, ex:q .", "several sh:path"),
        ('ex:S sh:targetNode ex:a ; sh:severity "high" .', "severity or message"),
        ("ex:S sh:targetNode ex:a ; sh:message ex:iri .", "severity or message"),
        ("ex:S sh:targetNode ex:a ; sh:property [ sh:minCount 1 ] .", "without sh:path"),
        ("ex:S sh:targetNode ex:a ; sh:path ex:p ; sh:closed true .", "sh:closed on a property"),
        ("ex:S sh:targetNode ex:a ; sh:qualifiedMinCount 1 .", "qualified count without shape"),
        (
            "ex:S sh:targetNode ex:a ; sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:C ] ;"
            ' sh:qualifiedMinCount "1" .',
            "is not an xsd:integer",
        ),
        (
            "ex:S sh:targetNode ex:a ; sh:or ex:list . ex:list rdf:first ex:T ; rdf:rest ex:list .",
            "cyclic RDF list",
        ),
    ],
)
def test_refused_shapes_are_left_to_pyshacl_with_a_reason(turtle: str, reason: str) -> None:
    turtle = "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n" + turtle
    compiled = _compiled(turtle + "\nex:Fine sh:targetNode ex:a ; sh:nodeKind sh:IRI .")
    assert _roots(compiled) == [f"<{EX}Fine>"]  # one refused shape does not stop the others
    assert list(compiled.unsupported) == [ox.NamedNode(EX + "S")]
    assert reason in compiled.unsupported[ox.NamedNode(EX + "S")]
