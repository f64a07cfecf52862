"""VoID statistics and Graph Store reads run in the query workers, with the deadline.

The answers are compared with the store itself, read directly (the newest checkpoint,
opened read-only beside the running server); a server with a tiny deadline shows that
past it they answer 504 with a message, and that the server stays healthy.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store, parse, serialize
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from iqkg.rdf.iris import VOID, IriScheme
from iqkg.store.dataset import dataset_iri, hidden_graph_prefixes, read_version
from tests.support.server import RunningServer, start_server

IRIS = IriScheme()


def _newest_checkpoint(server: RunningServer) -> Store:
    folder = server.store.parent / f"{server.store.name}.checkpoints"
    newest = max(p for p in folder.iterdir() if p.is_dir())
    return Store.read_only(str(newest))


def _public(store: Store) -> list[NamedNode]:
    hidden = hidden_graph_prefixes(IRIS)
    return [
        g
        for g in store.named_graphs()
        if isinstance(g, NamedNode) and not g.value.startswith(hidden)
    ]


def test_void_counts_are_those_of_the_store(sparql_server: RunningServer) -> None:
    with sparql_server.client() as client:
        response = client.get("/.well-known/void.ttl")
    assert response.status_code == 200, response.text
    void = Graph().parse(data=response.text, format="turtle")
    store = _newest_checkpoint(sparql_server)
    d = URIRef(dataset_iri(IRIS))
    version = void.value(d, URIRef("http://www.w3.org/2002/07/owl#versionInfo"))
    assert str(version) == read_version(store, IRIS)  # the numbers' version, not a later one
    graphs = _public(store)
    union = {
        q.triple
        for q in store
        if q.graph_name == DefaultGraph() or q.graph_name in graphs  # type: ignore[operator]
    }
    assert void.value(d, URIRef(VOID + "triples")) == Literal(len(union))
    counted = {
        str(g): int(void.value(g, URIRef(VOID + "triples")))  # type: ignore[arg-type]
        for g in void.objects(d, URIRef(VOID + "subset"))
        if "#linkset-" not in str(g)
    }
    assert counted == {
        g.value: sum(1 for _ in store.quads_for_pattern(None, None, None, g)) for g in graphs
    }


@pytest.mark.parametrize(
    ("accept", "syntax"), [("text/turtle", RdfFormat.TURTLE), ("application/n-triples", None)]
)
def test_a_graph_read_is_the_graph_in_the_store(
    sparql_server: RunningServer, accept: str, syntax: RdfFormat | None
) -> None:
    store = _newest_checkpoint(sparql_server)
    graph = max(
        _public(store), key=lambda g: len(list(store.quads_for_pattern(None, None, None, g)))
    )
    with sparql_server.client() as client:
        response = client.get("/store", params={"graph": graph.value}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(accept)
    served = Graph().parse(data=response.text, format="turtle" if syntax else "nt")
    triples = (q.triple for q in store.quads_for_pattern(None, None, None, graph))
    stored = Graph().parse(data=serialize(triples, format=RdfFormat.N_TRIPLES), format="nt")
    assert len(stored) > 0
    assert isomorphic(served, stored)
    assert list(parse(response.content, format=syntax or RdfFormat.N_TRIPLES))


@pytest.fixture(scope="module")
def tiny_deadline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The curated data (big enough to take longer than 1 ms) with a 1 ms deadline."""
    store: Path = tmp_path_factory.mktemp("tiny-deadline") / "store"
    running = start_server(store, env={"IQKG_QUERY_TIMEOUT": "0.001", "IQKG_QUERY_WORKERS": "2"})
    yield running
    running.stop()


def _healthy(server: RunningServer) -> dict[str, object]:
    """Wait until /health says the server is whole again (no guessed sleeps)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        health = httpx.get(f"{server.url}/health")
        pool = health.json()["queryWorkers"]
        if health.status_code == 200 and len(pool["pids"]) == 2:
            return dict(health.json())
        time.sleep(0.1)
    raise AssertionError(f"the server did not become whole again: {health.text}")


@pytest.mark.parametrize(
    ("path", "params", "says"),
    [
        ("/.well-known/void.ttl", {}, "VoID statistics"),
        ("/store", {"graph": IRIS.graph("curated")}, "reading the graph"),
    ],
)
def test_past_the_deadline_the_answer_is_504_and_the_server_stays_healthy(
    tiny_deadline: RunningServer, path: str, params: dict[str, str], says: str
) -> None:
    _healthy(tiny_deadline)
    with tiny_deadline.client() as client:
        response = client.get(path, params=params, headers={"Accept": "text/turtle"})
        assert response.status_code == 504, response.text
        assert says in response.text and "IQKG_QUERY_TIMEOUT" in response.text
        _healthy(tiny_deadline)
        assert client.get("/def.ttl").status_code == 200
        metrics = client.get("/metrics").text
    purpose = "void" if "void" in path else "graph_store"
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(metrics)
        for s in family.samples
    }
    timeouts = ("iqkg_internal_queries_total", (("outcome", "timeout"), ("purpose", purpose)))
    assert samples[timeouts] >= 1
    assert samples[("iqkg_sparql_timeouts_total", ())] == 0  # not a client's query


def test_requests_for_one_version_share_one_computation(sparql_server: RunningServer) -> None:
    """After a write, simultaneous VoID requests cost one computation, not one each."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.server.conftest import SPARQL_ADMIN_TOKEN

    def computed(client: httpx.Client) -> float:
        families = text_string_to_metric_families(client.get("/metrics").text)
        return sum(
            s.value
            for family in families
            for s in family.samples
            if s.name == "iqkg_internal_queries_total" and s.labels["purpose"] == "void"
        )

    with sparql_server.client() as client:
        written = client.post(
            "/update",
            content='INSERT DATA { GRAPH <urn:test:void-shared> { <urn:a> <urn:b> "c" } }',
            headers={
                "Content-Type": "application/sparql-update",
                "Authorization": f"Bearer {SPARQL_ADMIN_TOKEN}",
            },
        )
        assert written.status_code == 200, written.text
        before = computed(client)

        def fetch(_: int) -> httpx.Response:
            with sparql_server.client() as own:
                return own.get("/.well-known/void.ttl")

        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(fetch, range(4)))
        assert {a.status_code for a in answers} == {200}
        assert len({a.headers["etag"] for a in answers}) == 1
        assert "urn:test:void-shared" in answers[0].text
        assert computed(client) == before + 1
