"""Preparing an operator's update: the rewrites /update relies on, checked on their text.

The HTTP behaviour (and the W3C suites) are in tests/server/; these pin down the token
level: nested WHERE clauses, prologues, LOAD SILENT with INTO, ALL/NAMED spelt out.
"""

from __future__ import annotations

import pytest

from iqkg.errors import Forbidden, InputError, QueryRefused
from iqkg.query.update import prepare_update
from iqkg.rdf.iris import IriScheme

IRIS = IriScheme("https://w3id.org/iqkg/")
BASE = "https://w3id.org/iqkg/update"


def prepared(text: str, using: list[str] | None = None, named: list[str] | None = None) -> str:
    result = prepare_update(
        text, IRIS, base_iri=BASE, using_graphs=using or [], using_named_graphs=named or []
    )
    return result.operations(["urn:g1", "urn:g2"])


def test_using_goes_before_the_operation_where_only() -> None:
    text = (
        "INSERT { ?s <urn:p> ?o } WHERE { { SELECT ?s WHERE { ?s ?p ?o } } ?s <urn:q> ?o } ;"
        " DELETE WHERE { ?s <urn:r> ?o } ;"
        " DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }"
    )
    result = prepared(text, using=["urn:u"], named=["urn:n"])
    assert result.count("USING <urn:u> USING NAMED <urn:n> WHERE") == 2
    assert "DELETE WHERE { ?s <urn:r> ?o }" in result  # the short form takes no USING
    assert "SELECT ?s WHERE" in result  # a subquery's WHERE is left alone


@pytest.mark.parametrize("clause", ["USING <urn:x>", "USING NAMED <urn:x>"])
def test_using_parameters_and_clauses_conflict(clause: str) -> None:
    with pytest.raises(InputError, match=r"2\.2\.3"):
        prepared(f"DELETE {{ ?s ?p ?o }} {clause} WHERE {{ ?s ?p ?o }}", using=["urn:u"])
    with pytest.raises(InputError):
        prepared("WITH <urn:w> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", named=["urn:u"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("PREFIX a: <urn:a:> BASE <urn:b>", ""),
        (
            "INSERT DATA { <urn:s> <urn:p> 1 } ; PREFIX a: <urn:a:>",
            "INSERT DATA { <urn:s> <urn:p> 1 } ",
        ),
        ("LOAD SILENT <http://127.0.0.1:9/x> INTO GRAPH <urn:g>", ""),
        ("LOAD SILENT <http://x/> ; CLEAR DEFAULT", "CLEAR DEFAULT"),
        ("CLEAR SILENT NAMED", "CLEAR SILENT GRAPH <urn:g1> ;\nCLEAR SILENT GRAPH <urn:g2>"),
        (
            "DROP ALL",
            "DROP SILENT DEFAULT ;\nDROP SILENT GRAPH <urn:g1> ;\nDROP SILENT GRAPH <urn:g2>",
        ),
        ("# a comment only", ""),
    ],
)
def test_rewrites(text: str, expected: str) -> None:
    assert prepared(text) == expected


def test_plain_load_is_refused() -> None:
    with pytest.raises(QueryRefused, match="LOAD"):
        prepared("LOAD <http://127.0.0.1:9/x>")


@pytest.mark.parametrize(
    "text",
    [
        "CLEAR GRAPH <https://w3id.org/iqkg/graph/meta>",
        "PREFIX g: <https://w3id.org/iqkg/graph/> ADD DEFAULT TO g:meta",
        "CLEAR GRAPH <graph/private/x>",  # relative to {base}update
        "INSERT DATA { GRAPH <https://w3id.org/iqkg/graph/archive/s/1> { <urn:a> <urn:b> 1 } }",
    ],
)
def test_protected_graphs_named_in_the_text(text: str) -> None:
    with pytest.raises(Forbidden):
        prepared(text)


@pytest.mark.parametrize(
    ("text", "guarded"),
    [
        ("INSERT DATA { <urn:a> <urn:b> 1 }", False),
        ("DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }", True),
        ("BASE <urn:x/> INSERT DATA { <a> <urn:b> 1 }", True),
    ],
)
def test_what_is_checked_by_its_effect(text: str, guarded: bool) -> None:
    result = prepare_update(text, IRIS, base_iri=BASE, using_graphs=[], using_named_graphs=[])
    assert result.guarded is guarded


def test_an_escaped_graph_iri_is_refused_before_any_effect_check() -> None:
    """The policy fails closed on escapes near GRAPH (issue #9, finding 7)."""
    with pytest.raises(QueryRefused):
        prepare_update(
            "INSERT DATA { GRAPH <urn:\\u0061> { <urn:a> <urn:b> 1 } }",
            IRIS,
            base_iri=BASE,
            using_graphs=[],
            using_named_graphs=[],
        )
