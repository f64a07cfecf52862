"""One client cannot take the query service: its share of the workers and the queue.

Clients are told apart by address; on loopback each test client binds its own
(127.0.0.2, 127.0.0.3), so the server sees them as a real deployment would.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.server.conftest import sparql_env
from tests.support.server import RunningServer, start_server

RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }"


def cheap(n: int) -> str:
    """A cheap query, different each time (the result cache must not answer it)."""
    return f"ASK {{ ?s ?p ?o FILTER(?o != {n}) }}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    store: Path = tmp_path_factory.mktemp("fairness") / "store"
    running = start_server(
        store,
        env=sparql_env(
            IQKG_QUERY_TIMEOUT="8",
            IQKG_QUERY_WORKERS="2",
            IQKG_QUEUE_SIZE="4",
            IQKG_CLIENT_WORKER_SHARE="0.5",  # one worker a client
            IQKG_CLIENT_QUEUE_SHARE="0.25",  # one waiting query a client
        ),
    )
    yield running
    running.stop()


def _client(server: RunningServer, address: str) -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=server.url, timeout=60, transport=transport)


def _wait_until(server: RunningServer, busy: int, waiting: int) -> None:
    for _ in range(600):  # bounded: about two minutes
        workers = httpx.get(f"{server.url}/health").json()["queryWorkers"]
        if workers["busy"] >= busy and workers["waiting"] >= waiting:
            return
        time.sleep(0.2)
    raise AssertionError(f"the pool never had {busy} busy and {waiting} waiting")


def test_a_client_sending_runaways_gets_503_while_others_are_answered(
    server: RunningServer,
) -> None:
    answers: list[httpx.Response] = []

    def runaway() -> None:
        with _client(server, "127.0.0.2") as client:
            answers.append(client.get("/sparql", params={"query": RUNAWAY}))

    first = threading.Thread(target=runaway)
    first.start()
    _wait_until(server, busy=1, waiting=0)
    second = threading.Thread(target=runaway)
    second.start()
    _wait_until(server, busy=1, waiting=1)  # its own worker is taken: it waits
    try:
        with _client(server, "127.0.0.2") as greedy:
            refused = greedy.get("/sparql", params={"query": cheap(0)})
        with _client(server, "127.0.0.3") as other:
            served = [other.get("/sparql", params={"query": cheap(n)}) for n in range(1, 6)]
    finally:
        first.join(timeout=120)
        second.join(timeout=120)
    assert refused.status_code == 503, refused.text
    assert int(refused.headers["retry-after"]) >= 1
    assert "IQKG_CLIENT_QUEUE_SHARE" in refused.text
    assert [r.status_code for r in served] == [200] * 5
    assert all("true" in r.text for r in served)
    assert sorted(a.status_code for a in answers) == [504, 504]


def test_an_unknown_token_does_not_make_a_new_client(server: RunningServer) -> None:
    """Inventing tokens must not buy more shares: the address still counts."""
    answers: list[httpx.Response] = []

    def runaway() -> None:
        with _client(server, "127.0.0.4") as client:
            answers.append(client.get("/sparql", params={"query": RUNAWAY}))

    first = threading.Thread(target=runaway)
    first.start()
    _wait_until(server, busy=1, waiting=0)
    second = threading.Thread(target=runaway)
    second.start()
    _wait_until(server, busy=1, waiting=1)
    try:
        with _client(server, "127.0.0.4") as client:
            invented = client.get(
                "/sparql",
                params={"query": cheap(100)},
                headers={"Authorization": "Bearer invented-token-12345"},
            )
    finally:
        first.join(timeout=120)
        second.join(timeout=120)
    assert invented.status_code == 503, invented.text
    assert sorted(a.status_code for a in answers) == [504, 504]
