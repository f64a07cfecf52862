"""store/changes.py: the SPARQL Update text of a write, applied here to a bare in-memory
pyoxigraph store, so each expectation is the state the changes describe (the contract on
every store is tests/store/test_interface.py)."""

from __future__ import annotations

import pytest
from pyoxigraph import BlankNode, NamedNode, Quad, RdfFormat, Store

from iqkg.errors import RdfSyntaxError
from iqkg.rdf.iris import DCTERMS, OWL, PROV, IriScheme
from iqkg.rdf.sparql_terms import iri
from iqkg.store.changes import (
    change_operations,
    checked_body,
    forget,
    stale_operations,
    version_operations,
)
from iqkg.store.interface import GraphChange

IRIS = IriScheme()
META, INFERRED = IRIS.graph("meta"), IRIS.graph("inferred")
A, B = IRIS.graph("test/a"), IRIS.graph("test/b")
EX = "https://example.org/"
STALE = PROV + "invalidatedAtTime"

ONE = f"<{EX}s> <{EX}p> <{EX}o> .\n".encode()
TWO = f"<{EX}s> <{EX}p> <{EX}o2> .\n".encode()
WITH_BLANK = f'<{EX}s> <{EX}q> _:b .\n_:b <{EX}name> "blank" .\n'.encode()


def _apply(store: Store, operations: list[str]) -> None:
    store.update(" ;\n".join(operations))


def _graph(store: Store, graph: str) -> set[tuple[str, str, str]]:
    """The triples of ``graph`` as text, blank nodes all written ``_``."""

    def text(term: object) -> str:
        return "_" if isinstance(term, BlankNode) else str(term)

    return {
        (text(q.subject), text(q.predicate), text(q.object))
        for q in store.quads_for_pattern(None, None, None, NamedNode(graph))
    }


def _expected(*bodies: bytes) -> set[tuple[str, str, str]]:
    store = Store()
    for body in bodies:
        store.load(body, format=RdfFormat.N_TRIPLES, to_graph=NamedNode(A))
    return _graph(store, A)


def _has_graph(store: Store, graph: str) -> bool:
    return NamedNode(graph) in set(store.named_graphs())


def test_a_body_is_written_again_as_n_triples() -> None:
    body = checked_body(b'<urn:s>  <urn:p>\t"x" .')
    assert body == '<urn:s> <urn:p> "x" .\n'
    assert checked_body(b"") == ""


@pytest.mark.parametrize(
    "hostile",
    [
        b"<urn:s> <urn:p> <urn:o> . } } ; DROP ALL ; INSERT DATA { GRAPH <urn:g> {",
        b"@prefix ex: <urn:> . ex:s ex:p ex:o .",  # Turtle, not N-Triples
        b"<urn:s> <urn:p> <urn:o>",
    ],
)
def test_anything_but_n_triples_is_refused_as_a_graph_change(hostile: bytes) -> None:
    with pytest.raises(RdfSyntaxError, match="N-Triples"):
        checked_body(hostile)


def test_replace_insert_delete_and_drop_leave_what_they_say() -> None:
    store = Store()
    _apply(store, change_operations([GraphChange(A, "insert", ONE)], META))
    assert _graph(store, A) == _expected(ONE)
    _apply(store, change_operations([GraphChange(A, "insert", TWO)], META))
    assert _graph(store, A) == _expected(ONE, TWO)
    _apply(store, change_operations([GraphChange(A, "delete", ONE)], META))
    assert _graph(store, A) == _expected(TWO)
    _apply(store, change_operations([GraphChange(A, "replace", ONE)], META))
    assert _graph(store, A) == _expected(ONE)
    _apply(store, change_operations([GraphChange(A, "drop")], META))
    assert not _has_graph(store, A)


def test_an_empty_replace_or_insert_still_creates_the_graph() -> None:
    store = Store()
    _apply(store, change_operations([GraphChange(A, "replace"), GraphChange(B, "insert")], META))
    assert _has_graph(store, A) and _has_graph(store, B)
    assert _graph(store, A) == _graph(store, B) == set()
    assert change_operations([GraphChange(A, "delete")], META) == []  # nothing to delete


def test_forget_removes_a_subjects_statements_and_its_blank_nodes() -> None:
    store = Store()
    other = f'<{EX}t> <{EX}p> "kept" .\n'.encode()
    _apply(store, change_operations([GraphChange(A, "insert", WITH_BLANK + ONE + other)], META))
    _apply(store, change_operations([GraphChange(A, "forget", subjects=(EX + "s",))], META))
    assert _graph(store, A) == _expected(other)
    assert forget(iri(A), EX + "s").startswith(f"DELETE {{ GRAPH <{A}>")


@pytest.mark.parametrize("blank_nodes_in_data", [True, False])
def test_the_same_body_in_two_graphs_is_copied_not_inserted_twice(
    blank_nodes_in_data: bool,
) -> None:
    changes = [GraphChange(A, "replace", WITH_BLANK), GraphChange(B, "replace", WITH_BLANK)]
    operations = change_operations(changes, META, blank_nodes_in_data=blank_nodes_in_data)
    assert f"ADD <{A}> TO <{B}>" in operations
    assert sum("_:" in op for op in operations) == 1  # the body is written once
    inserted = next(op for op in operations if "_:" in op)
    assert inserted.startswith("INSERT DATA" if blank_nodes_in_data else "INSERT {")
    store = Store()
    _apply(store, operations)
    assert _graph(store, A) == _graph(store, B) == _expected(WITH_BLANK)


def test_a_body_a_graph_already_holds_is_merged_from_it_not_parsed() -> None:
    store = Store()
    _apply(store, change_operations([GraphChange(A, "replace", WITH_BLANK)], META))
    operations = change_operations(
        [GraphChange(B, "replace", WITH_BLANK)], META, held={WITH_BLANK: A}
    )
    assert any("FILTER NOT EXISTS" in op and f"GRAPH <{A}>" in op for op in operations)
    assert not any("_:" in op for op in operations)
    _apply(store, operations)
    assert _graph(store, B) == _graph(store, A) == _expected(WITH_BLANK)


def test_an_existing_graph_merged_from_a_held_body_keeps_nothing_else() -> None:
    """The graph is not dropped: what both hold stays, the rest goes and comes."""
    store = Store()
    old = ONE + f'<{EX}s> <{EX}q> _:old .\n_:old <{EX}name> "old" .\n'.encode()
    _apply(store, change_operations([GraphChange(B, "replace", old)], META))
    _apply(store, change_operations([GraphChange(A, "replace", TWO + WITH_BLANK)], META))
    operations = change_operations(
        [GraphChange(B, "replace", TWO + WITH_BLANK)], META, held={TWO + WITH_BLANK: A}
    )
    assert not any(op.startswith(f"DROP SILENT GRAPH <{B}>") for op in operations)
    _apply(store, operations)
    assert _graph(store, B) == _graph(store, A) == _expected(TWO, WITH_BLANK)


def test_a_graph_changed_since_is_no_source_for_a_copy() -> None:
    changes = [
        GraphChange(A, "replace", ONE),
        GraphChange(A, "insert", TWO),  # A no longer holds exactly ONE
        GraphChange(B, "replace", ONE),
    ]
    operations = change_operations(changes, META)
    assert not any(op.startswith("ADD") for op in operations)
    store = Store()
    _apply(store, operations)
    assert _graph(store, A) == _expected(ONE, TWO)
    assert _graph(store, B) == _expected(ONE)


def test_blank_nodes_go_through_insert_where_only_when_the_engine_needs_it() -> None:
    ground = change_operations([GraphChange(A, "insert", ONE)], META, blank_nodes_in_data=False)
    assert any(op.startswith("INSERT DATA") for op in ground)
    blank = change_operations(
        [GraphChange(A, "insert", WITH_BLANK)], META, blank_nodes_in_data=False
    )
    assert not any(op.startswith("INSERT DATA") for op in blank)
    assert any(op.startswith("INSERT {") and op.endswith("WHERE {}") for op in blank)


def _stale(store: Store) -> list[str]:
    return [
        str(q.object.value)
        for q in store.quads_for_pattern(
            NamedNode(INFERRED), NamedNode(STALE), None, NamedNode(META)
        )
    ]


def test_the_stale_mark_needs_a_non_empty_graph_and_is_ended_by_a_rewrite() -> None:
    store = Store()
    _apply(store, stale_operations(META, INFERRED))
    assert _stale(store) == []  # nothing inferred: nothing stale
    _apply(store, change_operations([GraphChange(INFERRED, "insert", ONE)], META))
    _apply(store, stale_operations(META, INFERRED))
    _apply(store, stale_operations(META, INFERRED))
    assert len(_stale(store)) == 1  # marked once, however often
    _apply(store, change_operations([GraphChange(INFERRED, "insert", TWO)], META))
    assert len(_stale(store)) == 1  # an insert does not make it fresh
    _apply(store, change_operations([GraphChange(INFERRED, "replace", ONE)], META))
    assert _stale(store) == []
    _apply(store, stale_operations(META, INFERRED))
    _apply(store, change_operations([GraphChange(INFERRED, "drop")], META))
    assert _stale(store) == []


def test_the_version_is_stated_once_with_its_time() -> None:
    store = Store()
    dataset = IRIS.resource("dataset", "test")
    other = Quad(NamedNode(EX + "s"), NamedNode(EX + "p"), NamedNode(EX + "o"), NamedNode(META))
    store.add(other)
    for version in ("1", "2"):
        _apply(store, version_operations(META, dataset, version))
    about = list(store.quads_for_pattern(NamedNode(dataset), None, None, NamedNode(META)))
    stated = {q.predicate.value: q.object for q in about}
    assert len(about) == 2
    assert stated[OWL + "versionInfo"].value == "2"
    modified = stated[DCTERMS + "modified"]
    assert modified.datatype.value.endswith("#dateTime")  # type: ignore[union-attr]
    assert other in store  # the rest of graph/meta stays
