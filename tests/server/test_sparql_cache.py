"""Answers are reused for identical queries on unchanged data, and never beyond that."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.server.conftest import SPARQL_ADMIN_TOKEN, sparql_env
from tests.support.server import RunningServer, start_server

JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def cache_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server of this module's own: the hit counter moves only with these tests' requests.

    (On the session's shared server another module's identical query, or a test run in
    another order, would move the counter and make an exact delta a guess.)
    """
    store: Path = tmp_path_factory.mktemp("cache") / "store"
    running = start_server(store, env=sparql_env(IQKG_ADMIN_TOKEN=SPARQL_ADMIN_TOKEN))
    yield running
    running.stop()


def _hits(client: httpx.Client) -> float:
    families = {f.name: f for f in text_string_to_metric_families(client.get("/metrics").text)}
    return sum(s.value for s in families["iqkg_sparql_result_cache_hits"].samples)


def _select(client: httpx.Client, query: str) -> httpx.Response:
    response = client.post("/sparql", data={"query": query}, headers=JSON)
    assert response.status_code == 200, response.text
    return response


def test_identical_query_is_answered_from_the_cache(cache_server: RunningServer) -> None:
    marker = uuid.uuid4().hex  # a query text no other test sends
    query = f'SELECT ("{marker}" AS ?m) (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }}'
    with cache_server.client() as client:
        first = _select(client, query)
        before = _hits(client)
        second = _select(client, query)
        assert _hits(client) == before + 1
        assert second.content == first.content
        # Another format of the same query is another answer.
        csv = client.post("/sparql", data={"query": query}, headers={"Accept": "text/csv"})
        assert csv.text.startswith("m,n")


def test_a_write_invalidates_cached_answers(cache_server: RunningServer) -> None:
    subject = f"http://example.org/cache/{uuid.uuid4().hex}"
    query = f"ASK {{ <{subject}> ?p ?o }}"
    with cache_server.client() as client:
        assert _select(client, query).json()["boolean"] is False
        assert _select(client, query).json()["boolean"] is False  # now cached
        update = client.post(
            "/update",
            content=(
                "INSERT DATA { GRAPH <http://example.org/cache> "
                f'{{ <{subject}> <http://example.org/p> "x" }} }}'
            ),
            headers={
                "Content-Type": "application/sparql-update",
                "Authorization": f"Bearer {SPARQL_ADMIN_TOKEN}",
            },
        )
        assert update.status_code == 200, update.text
        assert _select(client, query).json()["boolean"] is True


def test_volatile_functions_are_never_reused(cache_server: RunningServer) -> None:
    query = "SELECT (STRUUID() AS ?id) WHERE {}"
    with cache_server.client() as client:
        before = _hits(client)
        ids = {
            _select(client, query).json()["results"]["bindings"][0]["id"]["value"] for _ in range(3)
        }
        assert len(ids) == 3
        assert _hits(client) == before
