"""Safe SPARQL terms (``rdf/sparql_terms.py``), over the cases in tests/data/sparql-terms/.

Each case file holds the input and either the exact SPARQL text expected or words of the
refusal. Every accepted term is also read back through a real engine (pyoxigraph), which
must see one term with the very value given: hostile strings stay data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from iqkg.errors import InputError
from iqkg.rdf.sparql_terms import (
    RDF_LANG_STRING,
    XSD,
    SparqlTerm,
    Term,
    UnsafeIri,
    iri,
    literal,
    term,
    values,
)
from tests.support.server import ROOT

CASES = ROOT / "tests" / "data" / "sparql-terms"


def _cases(kind: str) -> list[Any]:
    files = sorted((CASES / kind).glob("*.json"))
    assert files, f"no cases in {CASES / kind}"
    return [pytest.param(json.loads(f.read_text(encoding="utf-8")), id=f.stem) for f in files]


def _bound(sparql: str) -> ox.NamedNode | ox.Literal:
    """What an engine makes of ``sparql`` as the one value of ``?x``."""
    solutions = ox.Store().query(f"SELECT ?x WHERE {{ BIND({sparql} AS ?x) }}")
    assert isinstance(solutions, ox.QuerySolutions)
    rows = list(solutions)
    assert len(rows) == 1
    value = rows[0]["x"]
    assert isinstance(value, ox.NamedNode | ox.Literal)
    return value


@pytest.mark.parametrize("case", _cases("iri"))
def test_iri(case: dict[str, str]) -> None:
    if "refused" in case:
        with pytest.raises(UnsafeIri) as refused:
            iri(case["value"])
        assert case["refused"] in str(refused.value)
        return
    rendered = iri(case["value"])
    assert rendered == case["sparql"]
    assert _bound(rendered) == ox.NamedNode(case["value"])


@pytest.mark.parametrize("case", _cases("literal"))
def test_literal(case: dict[str, Any]) -> None:
    options = {"datatype": case.get("datatype"), "language": case.get("language")}
    if "refused" in case:
        with pytest.raises(InputError) as refused:
            literal(case["value"], **options)
        assert case["refused"] in str(refused.value)
        return
    rendered = literal(case["value"], **options)
    assert rendered == case["sparql"]
    read = _bound(rendered)
    assert isinstance(read, ox.Literal)
    value = case["value"]
    expected = str(value).lower() if isinstance(value, bool) else str(value)
    assert read.value == expected
    language = case.get("language")
    assert read.language == (language.lower() if language else None)  # RDF 1.1: case-free


def test_hostile_literal_inserts_one_triple() -> None:
    """A literal that tries to close the update and start another stays one object."""
    store = ox.Store()
    hostile = '" } } ; DROP ALL ; INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> "c'
    store.update(
        f"INSERT DATA {{ GRAPH {iri('urn:g')} {{ {iri('urn:s')} {iri('urn:p')} "
        f"{literal(hostile)} }} }}"
    )
    quads = list(store.quads_for_pattern(None, None, None, None))
    assert [q.object for q in quads] == [ox.Literal(hostile)]


def _row_term(spec: dict[str, Any] | None) -> SparqlTerm | None:
    if spec is None:
        return None
    if "iri" in spec:
        return iri(spec["iri"])
    return literal(spec["literal"])


@pytest.mark.parametrize("case", _cases("values"))
def test_values(case: dict[str, Any]) -> None:
    if "refused" in case:
        with pytest.raises(InputError) as refused:
            values(case["variables"], [[_row_term(t) for t in row] for row in case["rows"]])
        assert case["refused"] in str(refused.value)
        return
    block = values(case["variables"], [[_row_term(t) for t in row] for row in case["rows"]])
    assert block == case["sparql"]
    solutions = ox.Store().query(f"SELECT * WHERE {{ {block} }}")
    assert isinstance(solutions, ox.QuerySolutions)
    assert len(list(solutions)) == len(case["rows"])


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (Term("iri", "https://example.org/a"), "<https://example.org/a>"),
        (Term("literal", "a\nb"), '"a\\nb"'),
        (Term("literal", "Köln", language="de"), '"Köln"@de'),
        (Term("literal", "Köln", RDF_LANG_STRING, "de"), '"Köln"@de'),
        (Term("literal", "1", XSD + "integer"), f'"1"^^<{XSD}integer>'),
    ],
)
def test_term(given: Term, expected: str) -> None:
    assert term(given) == expected


def test_blank_node_is_refused() -> None:
    with pytest.raises(InputError, match="blank node"):
        term(Term("bnode", "b0"))


def test_cases_folder_holds_hostile_strings() -> None:
    """The cases must keep covering what the helper exists for."""
    names = {p.stem for p in Path(CASES).glob("*/*.json")}
    assert {"greater-than", "newline", "backslash", "breakout-attempt", "unicode"} <= names
