"""The clients people use, against the real server: SPARQLWrapper, rdflib's stores, Java's POST.

One server for the module (union mode, the test knowledge loaded, /update on).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore
from SPARQLWrapper import (
    CSV,
    JSON,
    JSONLD,
    N3,
    POST,
    RDF,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)
from SPARQLWrapper.Wrapper import BASIC

from tests.server.conftest import SPARQL_ADMIN_TOKEN, sparql_env
from tests.support.server import RunningServer, start_server

IQ = Namespace("https://w3id.org/iqkg/def#")
SELECT = "PREFIX iq: <https://w3id.org/iqkg/def#> SELECT ?n WHERE { ?n a iq:Network }"
ASK = "PREFIX iq: <https://w3id.org/iqkg/def#> ASK { ?n a iq:Network }"
CONSTRUCT = (
    "PREFIX iq: <https://w3id.org/iqkg/def#> CONSTRUCT { ?n a iq:Network } "
    "WHERE { ?n a iq:Network }"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    store: Path = tmp_path_factory.mktemp("clients") / "store"
    running = start_server(store, env=sparql_env(IQKG_ADMIN_TOKEN=SPARQL_ADMIN_TOKEN))
    yield running
    running.stop()


def wrapper(server: RunningServer, method: str, return_format: str) -> SPARQLWrapper:
    client = SPARQLWrapper(f"{server.url}/sparql")
    client.setMethod(method)
    client.setReturnFormat(return_format)
    return client


@pytest.mark.parametrize("method", ["GET", POST])
@pytest.mark.parametrize("return_format", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select(server: RunningServer, method: str, return_format: str) -> None:
    client = wrapper(server, method, return_format)
    client.setQuery(SELECT)
    result = client.query().convert()
    if return_format == JSON:
        assert isinstance(result, dict) and len(result["results"]["bindings"]) == 3
    elif return_format == XML:
        assert len(result.getElementsByTagName("result")) == 3  # type: ignore[union-attr]
    else:
        assert isinstance(result, bytes) and len(result.strip().splitlines()) == 4


@pytest.mark.parametrize("method", ["GET", POST])
@pytest.mark.parametrize("return_format", [JSON, XML])
def test_sparqlwrapper_ask(server: RunningServer, method: str, return_format: str) -> None:
    client = wrapper(server, method, return_format)
    client.setQuery(ASK)
    result = client.query().convert()
    if return_format == JSON:
        assert result["boolean"] is True  # type: ignore[index]
    else:
        assert result.getElementsByTagName("boolean")[0].firstChild.data == "true"  # type: ignore[union-attr]


@pytest.mark.parametrize("method", ["GET", POST])
@pytest.mark.parametrize("return_format", [TURTLE, N3, XML, RDF, RDFXML, JSONLD])
def test_sparqlwrapper_construct(server: RunningServer, method: str, return_format: str) -> None:
    """JSON-LD, TSV and RDF/XML make SPARQLWrapper send ``format`` twice (a name and a
    media-type list): accepted because both name the same syntax."""
    client = wrapper(server, method, return_format)
    client.setQuery(CONSTRUCT)
    result = client.query().convert()
    if isinstance(result, bytes):  # SPARQLWrapper hands Turtle and N3 over unparsed
        result = Graph().parse(data=result, format="turtle")
    assert isinstance(result, Graph)
    assert len(set(result.subjects())) == 3


def test_sparqlwrapper_update_with_basic_authentication(server: RunningServer) -> None:
    client = SPARQLWrapper(f"{server.url}/sparql", updateEndpoint=f"{server.url}/update")
    client.setHTTPAuth(BASIC)
    client.setCredentials("admin", SPARQL_ADMIN_TOKEN)
    client.setMethod(POST)
    client.setQuery("INSERT DATA { <urn:wrapper:s> <urn:wrapper:p> 1 }")
    assert client.query().response.status == 200
    check = wrapper(server, "GET", JSON)
    check.setQuery("ASK { <urn:wrapper:s> <urn:wrapper:p> 1 }")
    assert check.query().convert()["boolean"] is True  # type: ignore[index]


@pytest.mark.parametrize("identifier", [DATASET_DEFAULT_GRAPH_ID, URIRef("urn:client:named")])
def test_rdflib_sparql_update_store_reads_back(server: RunningServer, identifier: URIRef) -> None:
    store = SPARQLUpdateStore(
        query_endpoint=f"{server.url}/sparql",
        update_endpoint=f"{server.url}/update",
        auth=("admin", SPARQL_ADMIN_TOKEN),
    )
    graph = Graph(store=store, identifier=identifier)
    triple = (URIRef("urn:client:s"), URIRef("urn:client:p"), Literal(str(identifier)))
    graph.add(triple)
    assert triple in graph
    assert len(list(graph.triples((URIRef("urn:client:s"), None, None)))) >= 1
    graph.remove(triple)
    assert triple not in graph
    store.close()


def _raw_post(server: RunningServer, request: bytes) -> bytes:
    """Send bytes exactly as given; read one response (headers, then Content-Length)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as sock:
        sock.sendall(request)
        received = b""
        while b"\r\n\r\n" not in received and (chunk := sock.recv(65536)):
            received += chunk
        head, _, payload = received.partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        while len(payload) < length and (chunk := sock.recv(65536)):
            payload += chunk
    return head + b"\r\n\r\n" + payload


def test_a_java_http_client_post_keeps_its_body(server: RunningServer) -> None:
    """java.net.http asks to upgrade to h2c on every HTTP/1.1 request; the body must arrive."""
    body = b"query=" + ASK.replace(" ", "+").encode().replace(b"#", b"%23").replace(b":", b"%3A")
    request = (
        b"POST /sparql HTTP/1.1\r\n"
        + f"Host: 127.0.0.1:{server.port}\r\n".encode()
        + b"Connection: Upgrade, HTTP2-Settings\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n"
        b"HTTP2-Settings: AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA\r\n"
        b"Upgrade: h2c\r\n"
        b"User-Agent: Java-http-client/17.0.9\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Accept: application/sparql-results+json\r\n"
        b"\r\n" + body
    )
    response = _raw_post(server, request)
    head, _, payload = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), response[:500]
    assert b'"boolean":true' in payload.replace(b" ", b"")
