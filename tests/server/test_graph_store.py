"""The Graph Store HTTP Protocol at /store: reads for everyone, writes for the operator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from tests.server.conftest import SPARQL_ADMIN_TOKEN, sparql_env
from tests.support.server import RunningServer, start_server

BASE = "https://w3id.org/iqkg/"
AUTH = {"Authorization": f"Bearer {SPARQL_ADMIN_TOKEN}"}
TURTLE = "text/turtle"
DATA = '<urn:gsp:s> <urn:gsp:p> "one" , "two" ; <urn:gsp:q> [ <urn:gsp:r> 1 ] .'
FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    store: Path = tmp_path_factory.mktemp("gsp") / "store"
    running = start_server(store, env=sparql_env(IQKG_ADMIN_TOKEN=SPARQL_ADMIN_TOKEN))
    yield running
    running.stop()


def put(
    client: httpx.Client, graph: str | None, body: str, media_type: str = TURTLE
) -> httpx.Response:
    params = {"graph": graph} if graph else {"default": ""}
    return client.put(
        "/store", params=params, content=body.encode(), headers={**AUTH, "Content-Type": media_type}
    )


def read(client: httpx.Client, graph: str | None, accept: str = TURTLE) -> Graph:
    params = {"graph": graph} if graph else {"default": ""}
    response = client.get("/store", params=params, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(accept)
    return Graph().parse(data=response.content, format=FORMATS[accept])


@pytest.mark.parametrize("accept", list(FORMATS))
def test_get_a_public_graph_in_every_format(server: RunningServer, accept: str) -> None:
    with server.client() as client:
        graph = read(client, BASE + "graph/curated", accept)
        query = client.get(
            "/sparql",
            params={
                "query": "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <"
                + BASE
                + "graph/curated> { ?s ?p ?o } }"
            },
            headers={"Accept": "application/n-triples"},
        )
    assert isomorphic(graph, Graph().parse(data=query.text, format="nt"))
    assert len(graph) == 18


def test_head_missing_and_hidden_graphs(server: RunningServer) -> None:
    with server.client() as client:
        head = client.head("/store", params={"graph": BASE + "graph/curated"})
        assert head.status_code == 200 and head.content == b""
        assert int(head.headers["content-length"]) > 0
        assert client.get("/store", params={"graph": "urn:gsp:none"}).status_code == 404
        assert client.head("/store", params={"graph": "urn:gsp:none"}).status_code == 404
        hidden = client.get("/store", params={"graph": BASE + "graph/private/x"})
        assert hidden.status_code == 403
        assert client.get("/store").status_code == 400
        both = client.get("/store", params={"graph": "urn:a", "default": ""})
        assert both.status_code == 400
        assert client.get("/store", params={"graph": "not an iri"}).status_code == 400


def test_put_creates_then_replaces(server: RunningServer) -> None:
    graph = "urn:gsp:put"
    with server.client() as client:
        created = put(client, graph, DATA)
        assert created.status_code == 201, created.text
        assert len(read(client, graph)) == 4
        replaced = put(client, graph, "<urn:gsp:s> <urn:gsp:p> 3 .")
        assert replaced.status_code == 204, replaced.text
        assert set(read(client, graph)) == {(URIRef("urn:gsp:s"), URIRef("urn:gsp:p"), Literal(3))}
        # Read back by the query endpoint, too (the union includes it).
        ask = client.get("/sparql", params={"query": "ASK { <urn:gsp:s> <urn:gsp:p> 3 }"})
        assert ask.json()["boolean"] is True


def test_a_bad_body_changes_nothing(server: RunningServer) -> None:
    graph = "urn:gsp:kept"
    with server.client() as client:
        assert put(client, graph, DATA).status_code == 201
        version = client.head("/store", params={"graph": graph}).headers["x-iqkg-dataset-version"]
        bad = put(client, graph, "<urn:gsp:s> <urn:gsp:p> ")
        assert bad.status_code == 400 and "line" in bad.text
        unknown = put(client, graph, DATA, media_type="application/x-unknown")
        assert unknown.status_code == 415
        remote = put(
            client,
            graph,
            '{"@context": "http://127.0.0.1:9/ctx", "@id": "urn:x"}',
            "application/ld+json",
        )
        assert remote.status_code == 400
        assert len(read(client, graph)) == 4
        after = client.head("/store", params={"graph": graph}).headers["x-iqkg-dataset-version"]
    assert after == version


def test_post_merges_and_delete_drops(server: RunningServer) -> None:
    graph = "urn:gsp:post"
    with server.client() as client:
        first = client.post(
            "/store",
            params={"graph": graph},
            content=DATA.encode(),
            headers={**AUTH, "Content-Type": TURTLE},
        )
        assert first.status_code == 201, first.text
        second = client.post(
            "/store",
            params={"graph": graph},
            content=b'<urn:gsp:s> <urn:gsp:p> "3"^^<http://www.w3.org/2001/XMLSchema#integer> .',
            headers={**AUTH, "Content-Type": "application/n-triples"},
        )
        assert second.status_code == 204, second.text
        # The blank node of the first body and that of a repeated body stay apart (RDF merge).
        again = client.post(
            "/store",
            params={"graph": graph},
            content=DATA.encode(),
            headers={**AUTH, "Content-Type": TURTLE},
        )
        assert again.status_code == 204
        assert len(read(client, graph)) == 7
        dropped = client.delete("/store", params={"graph": graph}, headers=AUTH)
        assert dropped.status_code == 204
        assert client.get("/store", params={"graph": graph}).status_code == 404
        assert client.delete("/store", params={"graph": graph}, headers=AUTH).status_code == 404


def test_post_to_the_service_creates_a_graph(server: RunningServer) -> None:
    with server.client() as client:
        created = client.post(
            "/store", content=DATA.encode(), headers={**AUTH, "Content-Type": TURTLE}
        )
        assert created.status_code == 201, created.text
        location = created.headers["location"]
        assert location.startswith(BASE + "graph/store/")
        assert len(read(client, location)) == 4


def test_the_default_graph(server: RunningServer) -> None:
    with server.client() as client:
        assert put(client, None, "<urn:gsp:d> <urn:gsp:p> 1 .").status_code == 204
        assert len(read(client, None)) == 1
        ask = client.get("/sparql", params={"query": "ASK { <urn:gsp:d> <urn:gsp:p> 1 }"})
        assert ask.json()["boolean"] is True
        assert client.delete("/store", params={"default": ""}, headers=AUTH).status_code == 204
        assert len(read(client, None)) == 0


@pytest.mark.parametrize(
    "graph", [BASE + "graph/meta", BASE + "graph/private/p", BASE + "graph/archive/a/1"]
)
def test_protected_graphs_are_not_writable(server: RunningServer, graph: str) -> None:
    with server.client() as client:
        assert put(client, graph, DATA).status_code == 403
        assert client.delete("/store", params={"graph": graph}, headers=AUTH).status_code == 403


def test_writes_need_the_operator(server: RunningServer) -> None:
    with server.client() as client:
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            response = client.put(
                "/store",
                params={"graph": "urn:gsp:auth"},
                content=DATA.encode(),
                headers={**headers, "Content-Type": TURTLE},
            )
            assert response.status_code == 401
            assert len(response.headers.get_list("www-authenticate")) == 2
        assert client.delete("/store", params={"graph": "urn:gsp:auth"}).status_code == 401
        assert client.get("/store", params={"graph": "urn:gsp:auth"}).status_code == 404


def test_direct_identification_at_the_graph_iri(server: RunningServer) -> None:
    """GSP §4.1: {base}graph/{name} is written at /graph/{name} (and read through /store)."""
    graph = BASE + "graph/operator-notes"
    headers = {**AUTH, "Content-Type": TURTLE}
    with server.client() as client:
        created = client.put("/graph/operator-notes", content=DATA.encode(), headers=headers)
        assert created.status_code == 201, created.text
        assert len(read(client, graph)) == 4
        added = client.post(
            "/graph/operator-notes", content=b"<urn:gsp:s> <urn:gsp:p> 3 .", headers=headers
        )
        assert added.status_code == 204, added.text
        assert len(read(client, graph)) == 5
        meta = client.put("/graph/meta", content=DATA.encode(), headers=headers)
        assert meta.status_code == 403
        anonymous = client.delete("/graph/operator-notes")
        assert anonymous.status_code == 401
        assert client.delete("/graph/operator-notes", headers=AUTH).status_code == 204
        assert client.get("/store", params={"graph": graph}).status_code == 404
