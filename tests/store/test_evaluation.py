"""store/evaluation.py: answers as plain terms, the form each reader needs, and the
deadline (checked before each solution, and the caller's wait bounded by it)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, Store, Triple

from iqkg.errors import InputError, QuerySyntaxError, QueryTimeout
from iqkg.rdf.iris import RDF, XSD
from iqkg.rdf.sparql_terms import Term
from iqkg.store.evaluation import QueryResult, as_term, boolean, evaluate, ntriples, rows

EX = "https://example.org/"
ROWS = 200


@pytest.fixture(scope="module")
def store() -> Store:
    store = Store()
    store.extend(
        Quad(NamedNode(f"{EX}s{i}"), NamedNode(EX + "p"), Literal(i), DefaultGraph())
        for i in range(ROWS)
    )
    return store


def _never_called() -> None:
    raise AssertionError("go_on called")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (NamedNode(EX + "a"), Term("iri", EX + "a")),
        (BlankNode("b1"), Term("bnode", "b1")),
        (Literal("plain"), Term("literal", "plain")),
        (Literal("x", datatype=NamedNode(XSD + "string")), Term("literal", "x")),
        (Literal("Haus", language="de"), Term("literal", "Haus", None, "de")),
        (Literal(3), Term("literal", "3", XSD + "integer")),
        (Literal("<b/>", datatype=NamedNode(RDF + "XMLLiteral")),
         Term("literal", "<b/>", RDF + "XMLLiteral")),
    ],
)  # fmt: skip
def test_terms_are_plain_values_with_xsd_string_and_lang_string_implied(
    value: object, expected: Term
) -> None:
    assert as_term(value) == expected


def test_a_quoted_triple_cannot_be_a_term_of_the_interface() -> None:
    quoted = Triple(NamedNode(EX + "s"), NamedNode(EX + "p"), NamedNode(EX + "o"))
    with pytest.raises(InputError):
        as_term(quoted)


def test_an_unbound_variable_is_absent_from_its_row(store: Store) -> None:
    query = f"SELECT ?s ?missing {{ ?s <{EX}p> 0 OPTIONAL {{ ?s <{EX}none> ?missing }} }}"
    found = evaluate(lambda: store.query(query), None, rows)
    assert found == [{"s": Term("iri", EX + "s0")}]


@pytest.mark.parametrize(
    ("query", "collect"),
    [
        ("ASK {}", rows),
        ("CONSTRUCT WHERE { ?s ?p ?o }", rows),
        ("SELECT * {}", boolean),
        ("CONSTRUCT WHERE { ?s ?p ?o }", boolean),
        ("SELECT * {}", ntriples),
        ("ASK {}", ntriples),
    ],
)
def test_each_reader_needs_its_query_form(store: Store, query: str, collect: object) -> None:
    with pytest.raises(InputError, match="needs a"):
        evaluate(lambda: store.query(query), None, collect)  # type: ignore[arg-type]


def test_ask_and_construct_answers(store: Store) -> None:
    assert evaluate(lambda: store.query(f"ASK {{ <{EX}s7> ?p 7 }}"), None, boolean) is True
    assert evaluate(lambda: store.query(f"ASK {{ <{EX}s7> ?p 8 }}"), None, boolean) is False
    query = f"CONSTRUCT WHERE {{ <{EX}s7> ?p ?o }}"
    body = evaluate(lambda: store.query(query), None, ntriples)
    assert body.decode().splitlines() == [f'<{EX}s7> <{EX}p> "7"^^<{XSD}integer> .']


def test_a_syntax_error_is_an_input_error_of_iqkg(store: Store) -> None:
    with pytest.raises(QuerySyntaxError):
        evaluate(lambda: store.query("SELECT * { ?s ?p }"), None, rows)


def test_a_deadline_already_passed_stops_before_the_first_solution(store: Store) -> None:
    taken: list[int] = []

    def collect(result: QueryResult, go_on: object) -> None:
        for _ in result:  # type: ignore[union-attr]
            go_on()  # type: ignore[operator]
            taken.append(1)

    with pytest.raises(QueryTimeout):
        evaluate(lambda: store.query("SELECT * { ?s ?p ?o }"), time.monotonic() - 1, collect)
    assert taken == []


def test_the_caller_waits_no_longer_than_the_deadline() -> None:
    release = threading.Event()
    stopped: list[BaseException] = []

    def slow_rows() -> Iterator[int]:
        while not release.is_set():
            yield 1
            time.sleep(0.01)

    def collect(result: object, go_on: object) -> int:
        try:
            for _ in slow_rows():
                go_on()  # type: ignore[operator]
        except BaseException as error:
            stopped.append(error)
            raise
        return 0

    began = time.monotonic()
    with pytest.raises(QueryTimeout):
        evaluate(lambda: None, began + 0.2, collect)  # type: ignore[arg-type,return-value]
    assert time.monotonic() - began < 1.5
    deadline = time.monotonic() + 2
    while not stopped and time.monotonic() < deadline:  # the thread stops at its next row
        time.sleep(0.01)
    release.set()
    assert stopped, "the evaluating thread went on after the deadline"


def test_without_a_deadline_every_solution_is_taken(store: Store) -> None:
    found = evaluate(lambda: store.query("SELECT ?s { ?s ?p ?o }"), None, rows)
    assert len(found) == ROWS
