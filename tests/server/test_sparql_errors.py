"""Every refusal of /sparql and /update: its status, and a message a person can act on."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from tests.server.conftest import MAX_QUERY_BYTES, SPARQL_ADMIN_TOKEN, sparql_env
from tests.support.listener import Listener
from tests.support.server import RunningServer, start_server

ASK = "ASK { ?s ?p ?o }"


@pytest.mark.parametrize(
    ("request_args", "status", "needle"),
    [
        ({"params": {"query": "SELECT * WHERE { ?s ?p }"}}, 400, "line 1, column"),
        ({"params": {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}}, 400, "/update"),
        ({"params": {"update": "CLEAR ALL"}}, 400, "/update"),
        ({"params": {"query": "LOAD <http://127.0.0.1:9/x>"}}, 400, "read-only"),
        ({"params": {"query": ASK}, "headers": {"Accept": "image/png"}}, 406, "available"),
        ({"params": {"query": ASK, "format": "turtle"}}, 406, "json"),
        ({"params": {"query": "x" * (MAX_QUERY_BYTES + 1)}}, 413, "IQKG_MAX_QUERY_BYTES"),
        ({"params": {"query": ""}}, 400, "no query given"),
        ({"headers": {"Accept": "application/sparql-results+json"}}, 400, "no query given"),
        ({"params": {"query": ASK, "timeout": "soon"}}, 400, "timeout"),
        ({"params": {"query": "SELECT * WHERE { ?s ex:p ?o }"}}, 400, "ex"),
    ],
)
def test_get_errors(
    sparql_server: RunningServer, request_args: dict[str, dict[str, str]], status: int, needle: str
) -> None:
    with sparql_server.client() as client:
        response = client.get("/sparql", **request_args)  # type: ignore[arg-type]
    assert response.status_code == status, response.text
    assert needle in response.text
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    ("content_type", "body", "status", "needle"),
    [
        ("text/plain", ASK, 415, "application/sparql-query"),
        ("application/sparql-update", "CLEAR ALL", 400, "/update"),
        ("application/x-www-form-urlencoded", "update=CLEAR+ALL", 400, "/update"),
        ("application/x-www-form-urlencoded", "default-graph-uri=urn:x", 400, "no query given"),
        ("application/sparql-query", "", 400, "no query given"),
        ("application/sparql-query", "ASK {" + " " * MAX_QUERY_BYTES + "}", 413, "bytes"),
        ("application/sparql-query", b"ASK { \xff }", 400, "UTF-8"),
        ("application/sparql-query", "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(\n}", 400, "line 4"),
    ],
)
def test_post_errors(
    sparql_server: RunningServer, content_type: str, body: str | bytes, status: int, needle: str
) -> None:
    content = body.encode() if isinstance(body, str) else body
    with sparql_server.client() as client:
        response = client.post("/sparql", content=content, headers={"Content-Type": content_type})
    assert response.status_code == status, response.text
    assert needle in response.text


def test_errors_in_json_for_json_clients(sparql_server: RunningServer) -> None:
    with sparql_server.client() as client:
        response = client.get(
            "/sparql",
            params={"query": "SELECT * WHERE { ?s ?p }"},
            headers={"Accept": "application/json"},
        )
    body = response.json()
    assert response.status_code == 400 and body["status"] == 400
    assert body["detail"]["line"] == 1 and body["detail"]["column"]


# --- /update -----------------------------------------------------------------------------------


def test_update_requires_the_token_and_bumps_the_version(sparql_server: RunningServer) -> None:
    insert = (
        "INSERT DATA { GRAPH <https://w3id.org/iqkg/graph/test-update> "
        '{ <urn:x:s> <urn:x:p> "written through /update" } }'
    )
    probe = {"query": "ASK { <urn:x:s> <urn:x:p> ?o }"}
    with sparql_server.client() as client:
        before = client.get("/sparql", params=probe)
        assert before.json()["boolean"] is False
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            refused = client.post(
                "/update",
                content=insert,
                headers={**headers, "Content-Type": "application/sparql-update"},
            )
            assert refused.status_code == 401, refused.text
        auth = {"Authorization": f"Bearer {SPARQL_ADMIN_TOKEN}"}
        bad = client.post("/update", data={"update": "INSERT DATA { <a> }"}, headers=auth)
        assert bad.status_code == 400 and "does not parse" in bad.text
        load = client.post("/update", data={"update": "LOAD <http://127.0.0.1:9/>"}, headers=auth)
        assert load.status_code == 400 and "LOAD is refused" in load.text
        done = client.post(
            "/update",
            content=insert,
            headers={**auth, "Content-Type": "application/sparql-update"},
        )
        assert done.status_code == 200, done.text
        after = client.get("/sparql", params=probe)
    # Visible to the very next query, with a new ETag.
    assert after.json()["boolean"] is True
    assert after.headers["etag"] != before.headers["etag"]
    assert after.headers["x-iqkg-dataset-version"] == done.headers["x-iqkg-dataset-version"]


# --- SERVICE: refused, and nothing reaches the network ------------------------------------------


def test_service_is_refused_and_never_called(
    sparql_server: RunningServer, listener: Listener
) -> None:
    url = f"http://127.0.0.1:{listener.port}/sparql"
    queries = [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        f"PREFIX : <{url}#> SELECT * WHERE {{ SERVICE:x {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ service <{url}> {{ ?s ?p ?o }} }} }} }}",
        f"ASK {{ FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        "SELECT * WHERE { BIND(<" + url + "> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    ]
    with sparql_server.client() as client:
        for query in queries:
            response = client.post("/sparql", data={"query": query})
            assert response.status_code == 400, (query, response.text)
            assert "SERVICE" in response.text
        # The word in a literal, an IRI or a comment is not a SERVICE call.
        harmless = f'SELECT ?x WHERE {{ BIND("SERVICE <{url}> {{}}" AS ?x) }} # SERVICE <{url}>'
        assert client.post("/sparql", data={"query": harmless}).status_code == 200
    assert listener.connections == 0


def test_an_allowed_service_that_fails_is_a_bad_gateway(tmp_path: Path) -> None:
    """The operator allowed the endpoint and it refuses the connection: the query itself
    was fine, so 502 and the endpoint's failure, not a 400 that blames the query."""
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        endpoint = f"http://127.0.0.1:{probe.getsockname()[1]}/sparql"
    running = start_server(
        tmp_path / "store", env=sparql_env(IQKG_SERVICE_ALLOWLIST=json.dumps([endpoint]))
    )
    try:
        with running.client() as client:
            query = f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"
            response = client.post("/sparql", data={"query": query})
    finally:
        running.stop()
    assert response.status_code == 502, response.text
    assert "refused" in response.text.lower()
