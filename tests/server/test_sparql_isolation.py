"""What the query text says can neither reach the network nor read hidden graphs.

The tokenizer's refusals are the clear errors; these tests check the guarantees behind
them, with queries written to be misread by a tokenizer.
"""

from __future__ import annotations

import pytest

from tests.server.conftest import SPARQL_ADMIN_TOKEN
from tests.support.listener import Listener
from tests.support.server import RunningServer

ARCHIVE = "https://w3id.org/iqkg/graph/archive/submission/isolation/v1"
PRIVATE = "https://w3id.org/iqkg/graph/private/isolation"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def hidden_data(sparql_server: RunningServer) -> RunningServer:
    with sparql_server.client() as client:
        response = client.post(
            "/update",
            content=(
                f'INSERT DATA {{ GRAPH <{ARCHIVE}> {{ <urn:x:s> <urn:x:p> "archived secret" }}'
                f' GRAPH <{PRIVATE}> {{ <urn:x:s> <urn:x:p> "private secret" }} }}'
            ),
            headers={
                "Content-Type": "application/sparql-update",
                "Authorization": f"Bearer {SPARQL_ADMIN_TOKEN}",
            },
        )
        assert response.status_code == 200, response.text
    return sparql_server


@pytest.mark.parametrize(
    "query",
    [
        f"SELECT ?o WHERE {{ GRAPH <{ARCHIVE}> {{ ?s ?p ?o }} }}",
        f"SELECT ?o FROM <{ARCHIVE}> WHERE {{ ?s ?p ?o }}",
        f"SELECT ?o FROM NAMED <{PRIVATE}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        # RFC 3986 resolution against BASE, which a tokenizer may glue differently
        "BASE <https://w3id.org/iqkg/graph/x> SELECT ?o FROM <private/isolation> "
        "WHERE { ?s ?p ?o }",
        # an escape the tokenizer does not read as an IRI
        "SELECT ?o FROM <https://w3id.org/iqkg/graph/curated> "
        "FROM NAMED <https://w3id.org/iqkg/graph/\\u0070rivate/isolation> "
        "WHERE { GRAPH ?g { ?s ?p ?o } }",
        "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }",
    ],
)
def test_hidden_graphs_stay_hidden(hidden_data: RunningServer, query: str) -> None:
    with hidden_data.client() as client:
        response = client.post("/sparql", data={"query": query}, headers=JSON)
        assert response.status_code in (200, 403), response.text
        assert "secret" not in response.text


def test_hidden_graphs_cannot_be_named_by_the_protocol(hidden_data: RunningServer) -> None:
    with hidden_data.client() as client:
        response = client.get(
            "/sparql",
            params={"query": "SELECT * { ?s ?p ?o }", "default-graph-uri": ARCHIVE},
            headers=JSON,
        )
        assert response.status_code == 403
        assert "secret" not in response.text


def test_a_misread_service_call_still_reaches_no_network(
    sparql_server: RunningServer, listener: Listener
) -> None:
    url = f"http://127.0.0.1:{listener.port}/sparql"
    # "<'>" reads as an IRI to a tokenizer, as "less than" and a string to Oxigraph.
    query = (
        "SELECT * { { BIND(1 AS ?a) FILTER(?a<'>') } UNION "
        f"{{ SERVICE <{url}> {{ ?s ?p ?o }} BIND('' AS ?z) }} }}"
    )
    with sparql_server.client() as client:
        response = client.post("/sparql", data={"query": query}, headers=JSON)
    assert response.status_code != 200, response.text
    assert listener.connections == 0


def test_invalid_graph_iri_is_a_client_error(sparql_server: RunningServer) -> None:
    with sparql_server.client() as client:
        for value in ("", "not an iri", "relative/graph"):
            response = client.get(
                "/sparql",
                params={"query": "ASK {}", "default-graph-uri": value},
                headers=JSON,
            )
            assert response.status_code == 400, (value, response.text)
            assert "default-graph-uri" in response.text
