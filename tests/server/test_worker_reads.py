"""The server's whole-store computations run in the query workers, with the deadline:
VoID statistics, Graph Store reads, the home page's data, the search index's statements
and the dumps.

The answers are compared with the store itself, read directly (the newest checkpoint,
opened read-only beside the running server); each computation is counted under its own
purpose in ``/metrics``; a server with a tiny deadline shows that past it they answer 504
with a message, and that the server stays healthy.
"""

from __future__ import annotations

import asyncio
import gzip
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store, parse, serialize
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from iqkg.errors import QueryTimeout
from iqkg.rdf.iris import VOID, IriScheme
from iqkg.server.worker_reads import PerVersion
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
    running = start_server(
        store,
        env={
            "IQKG_QUERY_TIMEOUT": "0.001",
            "IQKG_DUMP_TIMEOUT": "0.001",
            "IQKG_QUERY_WORKERS": "2",
        },
    )
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


def _samples(client: httpx.Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(client.get("/metrics").text)
        for s in family.samples
    }


def _internal(purpose: str, outcome: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    return ("iqkg_internal_queries_total", (("outcome", outcome), ("purpose", purpose)))


@pytest.mark.parametrize(
    ("path", "params", "says", "setting", "purpose"),
    [
        ("/.well-known/void.ttl", {}, "VoID statistics", "IQKG_QUERY_TIMEOUT", "void"),
        (
            "/store",
            {"graph": IRIS.graph("curated")},
            "reading the graph",
            "IQKG_QUERY_TIMEOUT",
            "graph_store",
        ),
        ("/", {}, "home page's statistics", "IQKG_QUERY_TIMEOUT", "home"),
        ("/search", {"q": "bayern"}, "search index", "IQKG_QUERY_TIMEOUT", "search_index"),
        ("/dumps/", {}, "writing the dumps", "IQKG_DUMP_TIMEOUT", "dumps"),
        ("/dumps/iqkg.nq.gz", {}, "writing the dumps", "IQKG_DUMP_TIMEOUT", "dumps"),
    ],
)
def test_past_the_deadline_the_answer_is_504_and_the_server_stays_healthy(
    tiny_deadline: RunningServer,
    path: str,
    params: dict[str, str],
    says: str,
    setting: str,
    purpose: str,
) -> None:
    _healthy(tiny_deadline)
    with tiny_deadline.client() as client:
        accept = "text/turtle, application/json;q=0.5"  # /search answers JSON or HTML
        response = client.get(path, params=params, headers={"Accept": accept})
        assert response.status_code == 504, response.text
        assert says in response.text and setting in response.text
        _healthy(tiny_deadline)
        assert client.get("/def.ttl").status_code == 200
        samples = _samples(client)
    assert samples[_internal(purpose, "timeout")] >= 1
    assert samples[("iqkg_sparql_timeouts_total", ())] == 0  # not a client's query
    if purpose == "dumps":  # a dump stopped halfway leaves no folder behind
        dumps = tiny_deadline.store.parent / "dumps"
        assert not dumps.exists() or not any(dumps.iterdir())


@pytest.mark.parametrize(
    ("path", "params", "purpose"),
    [
        ("/", {}, "home"),
        ("/search", {"q": "bayern"}, "search_index"),
        ("/dumps/", {}, "dumps"),
        ("/dumps/iqkg.ttl", {}, "dumps"),
    ],
)
def test_each_whole_store_computation_is_counted_under_its_purpose(
    sparql_server: RunningServer, path: str, params: dict[str, str], purpose: str
) -> None:
    """After a write (a new version), the first request computes in a worker, counted once
    under its purpose and never as a client's query; the next reuses the answer."""
    from tests.server.conftest import SPARQL_ADMIN_TOKEN

    with sparql_server.client() as client:
        written = client.post(
            "/update",
            content=f"INSERT DATA {{ GRAPH <urn:test:counted-{purpose}> {{ <urn:a> <urn:b> 1 }} }}",
            headers={
                "Content-Type": "application/sparql-update",
                "Authorization": f"Bearer {SPARQL_ADMIN_TOKEN}",
            },
        )
        assert written.status_code == 200, written.text
        before = _samples(client)
        assert client.get(path, params=params).status_code == 200
        assert client.get(path, params=params).status_code == 200
        after = _samples(client)
    assert after[_internal(purpose, "ok")] == before.get(_internal(purpose, "ok"), 0) + 1
    clients = ("iqkg_sparql_queries_total", (("outcome", "ok"),))
    assert after[clients] == before[clients]


def test_a_dump_holds_the_public_graphs_of_its_version(sparql_server: RunningServer) -> None:
    """Written by a worker from its checkpoint: every public graph, no hidden one."""
    with sparql_server.client() as client:
        response = client.get("/dumps/iqkg.nq.gz")
        assert response.status_code == 200, response.text
        version = client.get("/sparql", params={"query": "ASK {}"}).headers[
            "X-IQKG-Dataset-Version"
        ]
    assert response.headers["etag"] == f'"{version}-iqkg.nq.gz"'
    store = _newest_checkpoint(sparql_server)
    dumped = Store()
    dumped.bulk_extend(parse(gzip.decompress(response.content), format=RdfFormat.N_QUADS))
    sizes = {g: len(list(store.quads_for_pattern(None, None, None, g))) for g in _public(store)}
    assert set(dumped.named_graphs()) == {g for g, size in sizes.items() if size}  # N-Quads
    assert len(dumped) == sum(sizes.values())


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


def test_per_version_computes_once_shares_errors_and_keeps_the_newest() -> None:
    """The cache of every per-version computation (VoID, home, dumps, search index)."""
    calls: list[str] = []

    async def compute() -> str:
        calls.append("computed")
        await asyncio.sleep(0.01)
        return f"answer {len(calls)}"

    async def failing() -> str:
        calls.append("failed")
        raise QueryTimeout("past the deadline")

    async def scenario() -> None:
        values: PerVersion[str] = PerVersion()
        first, second = await asyncio.gather(values.get("v1", compute), values.get("v1", compute))
        assert first == second == "answer 1" and calls == ["computed"]  # shared
        assert await values.get("v1", compute) == "answer 1"  # kept
        assert await values.get("v2", compute) == "answer 2"  # a new version
        errors = await asyncio.gather(
            values.get("v3", failing), values.get("v3", failing), return_exceptions=True
        )
        assert [type(e) for e in errors] == [QueryTimeout, QueryTimeout]
        assert calls.count("failed") == 1  # one computation, its error shared
        assert await values.get("v3", compute) == "answer 4"  # an error is not kept

    asyncio.run(scenario())
