"""Operator updates are parsed in a checking worker first (issue #9: no untrusted parsing
in the server process): a text that takes minutes to parse is refused with 504 before it
reaches the writer, and the dataset is unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.conftest import SPARQL_ADMIN_TOKEN, sparql_env
from tests.support.server import RunningServer, start_server

AUTH = {"Authorization": f"Bearer {SPARQL_ADMIN_TOKEN}"}
UPDATE = {**AUTH, "Content-Type": "application/sparql-update"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    store: Path = tmp_path_factory.mktemp("preflight") / "store"
    env = sparql_env(IQKG_ADMIN_TOKEN=SPARQL_ADMIN_TOKEN, IQKG_QUERY_TIMEOUT="3")
    running = start_server(store, env=env)
    yield running
    running.stop()


def test_an_update_too_costly_to_parse_is_refused_before_the_writer(
    server: RunningServer,
) -> None:
    chain = "INSERT { <urn:a> <urn:b> ?x } WHERE { BIND(1" + "+1" * 30_000 + " AS ?x) }"
    with server.client() as client:
        before = client.get("/health").json()["datasetVersion"]
        refused = client.post("/update", content=chain, headers=UPDATE)
        assert refused.status_code == 504, refused.text
        assert "could not even be parsed" in refused.text
        assert client.get("/health").json()["datasetVersion"] == before
        # The writer was never blocked: the next update goes through.
        done = client.post("/update", content="INSERT DATA { <urn:a> <urn:b> 1 }", headers=UPDATE)
        assert done.status_code == 200, done.text


def test_a_malformed_update_is_a_400_from_the_worker(server: RunningServer) -> None:
    with server.client() as client:
        response = client.post("/update", content="INSERT DATA { <urn:a> }", headers=UPDATE)
    assert response.status_code == 400
    assert "does not parse" in response.text
