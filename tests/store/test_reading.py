"""Reads built on the store interface alone (``store/reading.py``), on every store kind."""

from __future__ import annotations

from iqkg.store.interface import GraphChange, SparqlStore
from iqkg.store.reading import graph_ntriples, graph_triples, has_graph, mentions
from tests.store.conftest import EX, HIDDEN, A


def test_a_graph_read_whole(store: SparqlStore) -> None:
    body = f'<{EX}s> <{EX}p> "a \\"quoted\\" line\\n" .\n_:b <{EX}p> <{EX}o> .\n'.encode()
    store.write_graphs([GraphChange(A, "replace", body)])
    lines = sorted(graph_ntriples(store, A).splitlines())
    assert lines[0] == body.splitlines()[0]
    # A blank node gets the store's own label (INSERT DATA makes fresh ones, §3.1.1).
    assert lines[1].startswith(b"_:") and lines[1].endswith(f" <{EX}p> <{EX}o> .".encode())
    assert len(graph_triples(store, A)) == 2
    assert graph_triples(store, EX + "no-such-graph") == []
    assert graph_triples(store, None) == []  # the store's default graph: empty here


def test_graphs_and_subjects(store: SparqlStore) -> None:
    store.write_graphs(
        [
            GraphChange(A, "replace", f"<{EX}s> <{EX}p> <{EX}o> .\n".encode()),
            GraphChange(HIDDEN, "replace", f"<{EX}h> <{EX}p> <{EX}o> .\n".encode()),
        ]
    )
    assert has_graph(store, A) and has_graph(store, HIDDEN)
    assert not has_graph(store, EX + "no-such-graph")
    assert mentions(store, EX + "s")
    assert not mentions(store, EX + "h")  # only in a hidden graph
    assert not mentions(store, EX + "o")  # an object, never a subject
