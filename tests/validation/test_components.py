"""validation/components.py: each SHACL Core constraint component of the own engine, one
case file each under ``tests/data/shacl-components/`` (shapes and data in one Turtle file,
``ex:ok`` conforming and ``ex:bad`` not) with the expected results beside it, one line
per result: focus, component, value (``-`` when the result has none, ``_`` a blank node).

The W3C suite and the project's shapes hold the engine to pySHACL
(tests/validation/test_differential.py); these cases say what each component itself
checks, so a broken component points at its own file."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from iqkg.validation.compiler import compile_shapes
from iqkg.validation.components import SIMPLE
from iqkg.validation.core import SH, SUPPORTED, XSD, Graph, Result, Term

CASES = Path(__file__).parents[1] / "data" / "shacl-components"
PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .
"""
EX = "https://example.org/"
#: The components built from more than one parameter or from other shapes.
COMPOSED = {"Node", "Not", "And", "Or", "Xone", "QualifiedMinCount", "QualifiedMaxCount", "Closed"}
NUMBERS = (XSD + "integer", XSD + "decimal", XSD + "double")


def _text(term: Term | None) -> str:
    """A result's value as the case files write it."""
    if term is None:
        return "-"
    if isinstance(term, ox.BlankNode):
        return "_"
    if isinstance(term, ox.NamedNode):
        return "ex:" + term.value.removeprefix(EX)
    if term.language:
        return f'"{term.value}"@{term.language}'
    if term.datatype.value in NUMBERS and term.value.lstrip("+-").replace(".", "").isdigit():
        return term.value  # a well-formed number, as Turtle writes it
    if term.datatype.value == XSD + "string":
        return f'"{term.value}"'
    return f'"{term.value}"^^xsd:{term.datatype.value.removeprefix(XSD)}'


def _line(result: Result) -> str:
    component = result.component.value.removeprefix(SH).removesuffix("ConstraintComponent")
    return f"{result.focus.value.removeprefix(EX)} {component} {_text(result.value)}"


@pytest.mark.parametrize("case", sorted(CASES.glob("*.ttl")), ids=lambda p: p.stem)
def test_component(case: Path) -> None:
    turtle = (PREFIXES + case.read_text(encoding="utf-8")).encode()
    triples = [q.triple for q in ox.parse(turtle, format=ox.RdfFormat.TURTLE)]
    compiled = compile_shapes(triples)
    assert compiled.unsupported == {}  # the own engine validates it, not pySHACL
    found = sorted(_line(r) for r in compiled.validate(Graph(triples, compiled.inverse)))
    expected = case.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    assert found == expected
    assert all(line.split()[1] == case.stem for line in found)


def test_every_component_has_a_case() -> None:
    simple = {c.component.removesuffix("ConstraintComponent") for c in SIMPLE.values()}
    assert {p.stem for p in CASES.glob("*.ttl")} == simple | COMPOSED


def test_every_simple_parameter_is_supported() -> None:
    assert {SH + name for name in SIMPLE} <= SUPPORTED


@pytest.mark.parametrize(
    ("constraint", "reason"),
    [
        ("sh:nodeKind ex:Whatever", "nodeKind"),
        ('sh:pattern "a" ; sh:flags "q"', "flags"),
        ('sh:minInclusive "2020-01-01"^^xsd:date', "minInclusive"),
        ('sh:datatype "not an IRI"', "datatype"),
    ],
)
def test_parameters_it_cannot_evaluate_leave_the_shape_to_pyshacl(
    constraint: str, reason: str
) -> None:
    turtle = f"ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; {constraint} ] ."
    triples = [q.triple for q in ox.parse((PREFIXES + turtle).encode(), format=ox.RdfFormat.TURTLE)]
    compiled = compile_shapes(triples)
    assert compiled.roots == []
    (why,) = compiled.unsupported.values()
    assert reason in why
