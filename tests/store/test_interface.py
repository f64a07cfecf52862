"""The store interface's contract (``store/interface.py``), through the Protocol only.

Every implementation of :class:`~iqkg.store.interface.SparqlStore` must pass this module
unchanged: the embedded Oxigraph store and ``RemoteStore`` on ``oxigraph serve``; issue 14
adds further remote ones to ``STORES`` (``tests/store/conftest.py``).
Nothing here touches an engine's own API.
"""

from __future__ import annotations

import time

import pytest

from iqkg.errors import InputError, QueryTimeout
from iqkg.rdf.sparql_terms import Term, iri
from iqkg.store.interface import (
    PUBLIC,
    WHOLE_STORE,
    GraphChange,
    QueryDataset,
    SparqlStore,
)
from tests.store.conftest import EX, HIDDEN, IRIS, A, B


def _nt(*triples: tuple[str, str, str]) -> bytes:
    return "".join(f"<{s}> <{p}> <{o}> .\n" for s, p, o in triples).encode()


def _objects(store: SparqlStore, graph: str) -> set[str]:
    rows = store.select(
        f"SELECT ?o WHERE {{ GRAPH {iri(graph)} {{ ?s ?p ?o }} }}", dataset=WHOLE_STORE
    )
    return {row["o"].value for row in rows}


def _everything(store: SparqlStore) -> set[tuple[str, ...]]:
    rows = store.select(
        "SELECT ?g ?s ?p ?o WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
        dataset=WHOLE_STORE,
    )
    return {tuple(r[k].value if k in r else "" for k in ("g", "s", "p", "o")) for r in rows}


def _three_graphs(store: SparqlStore) -> None:
    store.write_graphs(
        [
            GraphChange(A, "replace", _nt((EX + "s", EX + "p", EX + "in-a"))),
            GraphChange(B, "replace", _nt((EX + "s", EX + "p", EX + "in-b"))),
            GraphChange(HIDDEN, "replace", _nt((EX + "s", EX + "p", EX + "hidden"))),
        ]
    )


def test_query_with_an_explicit_dataset(store: SparqlStore) -> None:
    _three_graphs(store)
    objects = "SELECT ?o WHERE { ?s ?p ?o }"
    only_a = store.select(objects, dataset=QueryDataset.of(default=[A]))
    assert {r["o"].value for r in only_a} == {EX + "in-a"}
    named = store.select(
        "SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } }", dataset=QueryDataset.of(named=[B])
    )
    assert [(r["g"].value, r["o"].value) for r in named] == [(B, EX + "in-b")]
    union = {r["o"].value for r in store.select(objects, dataset=PUBLIC)}
    assert {EX + "in-a", EX + "in-b"} <= union
    assert EX + "hidden" not in union  # archive/ graphs are never in the public union
    assert store.ask(f"ASK {{ GRAPH {iri(HIDDEN)} {{ ?s ?p ?o }} }}", dataset=WHOLE_STORE)
    assert not store.ask(f"ASK {{ GRAPH {iri(HIDDEN)} {{ ?s ?p ?o }} }}", dataset=PUBLIC)


def test_results_are_plain_terms(store: SparqlStore) -> None:
    store.write_graphs([GraphChange(A, "replace", f'<{EX}s> <{EX}p> "Köln"@de .\n'.encode())])
    (row,) = store.select(
        "SELECT ?s ?o ?unbound WHERE { ?s ?p ?o }", dataset=QueryDataset.of(default=[A])
    )
    assert row == {"s": Term("iri", EX + "s"), "o": Term("literal", "Köln", language="de")}
    built = store.construct(
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", dataset=QueryDataset.of(default=[A])
    )
    assert built == f'<{EX}s> <{EX}p> "Köln"@de .\n'.encode()


def test_deadline_stops_a_runaway_query(store: SparqlStore) -> None:
    triples = [(f"{EX}s{n}", EX + "p", f"{EX}o{n}") for n in range(300)]
    store.write_graphs([GraphChange(A, "replace", _nt(*triples))])
    # 300^4 = 8.1e9 solutions: without the deadline this runs for hours, never returns.
    runaway = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with pytest.raises(QueryTimeout):
        store.select(runaway, deadline=time.monotonic() + 0.5)
    assert store.ask("ASK { ?s ?p ?o }")  # and the store answers the next query
    assert store.health().ok


def test_update_resolves_against_the_base_iri(store: SparqlStore) -> None:
    before = store.version
    after = store.update(
        "INSERT DATA { GRAPH <graph/test/u> { <thing> <p> <other> } }",
        base_iri=IRIS.base,
    )
    assert after != before
    assert store.version == after
    assert _objects(store, IRIS.graph("test/u")) == {IRIS.base + "other"}


def test_a_failed_update_leaves_nothing(store: SparqlStore) -> None:
    _three_graphs(store)
    before, version = _everything(store), store.version
    with pytest.raises(InputError):  # QuerySyntaxError: it does not parse
        store.update(f"DROP GRAPH {iri(A)} ; INSERT DATA {{ GRAPH {iri(B)} {{ <a> }} }}")
    with pytest.raises(InputError):  # it parses, but fails while applied
        store.update(f"DROP GRAPH {iri(A)} ; DROP GRAPH {iri(EX + 'missing')}")
    assert _everything(store) == before
    assert store.version == version


def test_write_replaces_inserts_deletes_drops_and_forgets(store: SparqlStore) -> None:
    store.write_graphs([GraphChange(A, "replace", _nt((EX + "s", EX + "p", EX + "1")))])
    store.write_graphs([GraphChange(A, "replace", _nt((EX + "s", EX + "p", EX + "2")))])
    assert _objects(store, A) == {EX + "2"}
    store.write_graphs([GraphChange(A, "insert", _nt((EX + "t", EX + "p", EX + "3")))])
    assert _objects(store, A) == {EX + "2", EX + "3"}
    store.write_graphs([GraphChange(A, "delete", _nt((EX + "s", EX + "p", EX + "2")))])
    assert _objects(store, A) == {EX + "3"}
    store.write_graphs(
        [
            GraphChange(B, "insert", _nt((EX + "x", EX + "p", EX + "4"))),
            GraphChange(B, "insert", _nt((EX + "y", EX + "p", EX + "5"))),
            GraphChange(B, "forget", subjects=(EX + "x",)),
            GraphChange(A, "drop"),
        ]
    )
    assert _objects(store, B) == {EX + "5"}
    assert not store.ask(f"ASK {{ GRAPH {iri(A)} {{ ?s ?p ?o }} }}", dataset=WHOLE_STORE)


def test_same_triples_with_blank_nodes_in_two_graphs(store: SparqlStore) -> None:
    body = f"_:b1 <{EX}p> <{EX}o> .\n<{EX}s> <{EX}q> _:b1 .\n".encode()
    store.write_graphs([GraphChange(A, "replace", body), GraphChange(B, "replace", body)])
    assert len(_objects(store, A)) == 2
    assert len(_objects(store, B)) == 2


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(GraphChange(B, "replace", b"<a> <b> this is not N-Triples"), id="bad-body"),
        pytest.param(GraphChange(EX + "g> } ; DROP ALL ; #", "replace", b""), id="bad-iri"),
        pytest.param(
            GraphChange(B, "delete", f"_:b <{EX}p> <{EX}o> .\n".encode()), id="blank-delete"
        ),
        pytest.param(
            GraphChange(B, "replace", f'<{EX}s> <{EX}p> "x"^^<{EX}t" .\n'.encode()),
            id="broken-literal",
        ),
    ],
)
def test_a_failed_write_leaves_nothing(store: SparqlStore, bad: GraphChange) -> None:
    _three_graphs(store)
    before, version = _everything(store), store.version
    with pytest.raises(InputError):
        store.write_graphs(
            [
                GraphChange(A, "drop"),
                GraphChange(IRIS.graph("test/new"), "replace", _nt((EX + "n", EX + "p", EX + "n"))),
                bad,
                GraphChange(
                    IRIS.graph("test/later"), "insert", _nt((EX + "l", EX + "p", EX + "l"))
                ),
            ]
        )
    assert _everything(store) == before
    assert store.version == version


def test_every_write_bumps_the_version(store: SparqlStore) -> None:
    seen = {store.version}
    assert store.version == store.version  # reading does not change it
    for n in range(3):
        new = store.write_graphs([GraphChange(A, "insert", _nt((EX + "s", EX + "p", f"{EX}{n}")))])
        assert new not in seen
        assert store.version == new
        seen.add(new)
    assert store.write_graphs([]) not in seen  # a write of nothing is still a commit


def test_health(store: SparqlStore) -> None:
    health = store.health()
    assert health.ok
    assert health.problems == ()
