"""``/health`` tells the truth, and the query service heals, against a real server.

Checkpoints are deleted under running queries, the checkpoints folder is lost, publishing
fails: queries keep being answered (or get a clear 503), ``/health`` says ``degraded``
with the reason while the service cannot answer as configured, and ``ok`` once healed.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.server.conftest import SPARQL_ADMIN_TOKEN, sparql_env
from tests.submissions.helpers import bearer
from tests.support.server import RunningServer, start_server

WRITES = 30
GRAPH = "https://w3id.org/iqkg/graph/health"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    running = start_server(
        tmp_path / "store",
        env=sparql_env(
            IQKG_ADMIN_TOKEN=SPARQL_ADMIN_TOKEN, IQKG_QUERY_WORKERS="2", IQKG_HEALTH_GRACE="1"
        ),
    )
    yield running
    running.stop()


def _checkpoints(server: RunningServer) -> Path:
    return server.store.parent / f"{server.store.name}.checkpoints"


def _lose(folder: Path) -> None:
    """Delete the checkpoints folder under the running server, as an operator's mistake
    would. The server may be pruning it in the background just then (a worker moved on
    and gave back its lease on an older checkpoint); what the pruning deletes first
    vanishes under ``rmtree``, which then starts over on what is left."""
    for _ in range(50):
        try:
            shutil.rmtree(folder)
            return
        except FileNotFoundError:
            continue
    shutil.rmtree(folder)


def _client(server: RunningServer, address: str = "127.0.0.1") -> httpx.Client:
    """A client from its own loopback address: a client of its own for the pool's shares."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=server.url, timeout=60, transport=transport)


def _update(client: httpx.Client, n: int) -> httpx.Response:
    return client.post(
        "/update",
        content=f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:health:{n}> <urn:health:p> {n} }} }}",
        headers={**bearer(SPARQL_ADMIN_TOKEN), "Content-Type": "application/sparql-update"},
    )


def _count(client: httpx.Client, query: str = COUNT) -> httpx.Response:
    return client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})


def _wait_for_health(client: httpx.Client, status: int, workers: int = 0) -> httpx.Response:
    """Poll until /health answers ``status`` with at least ``workers`` workers (bounded)."""
    for _ in range(300):  # at most about a minute
        health = client.get("/health")
        running = len(health.json().get("queryWorkers", {}).get("pids", []))
        if health.status_code == status and running >= workers:
            return health
        time.sleep(0.2)
    raise AssertionError(f"/health never answered {status} with {workers} workers: {health.text}")


def test_writes_never_delete_a_checkpoint_under_a_query(server: RunningServer) -> None:
    """Finding 3: pruning raced with queries (3.6 % got 502 'No such file')."""
    statuses: list[int] = []
    done = threading.Event()

    def query(address: str) -> None:
        with _client(server, address) as client:
            for _ in range(2_000):  # bounded; the writer finishes long before
                if done.is_set():
                    return
                statuses.append(_count(client).status_code)

    readers = [threading.Thread(target=query, args=(a,)) for a in ("127.0.0.2", "127.0.0.3")]
    for reader in readers:
        reader.start()
    try:
        with _client(server) as client:
            written = [_update(client, n).status_code for n in range(WRITES)]
    finally:
        done.set()
        for reader in readers:
            reader.join(timeout=120)
    failed = [s for s in statuses if not 200 <= s < 300]
    print(f"{len(statuses)} queries under {WRITES} writes, {len(failed)} not 2xx")
    assert written == [200] * WRITES
    assert statuses and not failed, failed[:10]
    with _client(server) as client:  # a worker replaced on a loaded machine may need a moment
        _wait_for_health(client, 200, workers=2)


def test_a_lost_checkpoints_folder_is_republished(server: RunningServer) -> None:
    """Finding 4: losing the folder made every replacement worker fail, for good."""
    with _client(server) as client:
        _lose(_checkpoints(server))
        assert _count(client).status_code == 200
        assert _update(client, 1).status_code == 200
        seen = _count(client, "ASK { <urn:health:1> ?p ?o }")
        assert seen.status_code == 200 and "true" in seen.text
        _lose(_checkpoints(server))
        slow = client.get("/sparql", params={"query": RUNAWAY, "timeout": "0.5"})
        assert slow.status_code == 504  # its replacement must start without the folder
        health = _wait_for_health(client, 200, workers=2)
        assert health.json()["queryWorkers"]["startFailures"] == 0
        assert _count(client).status_code == 200


def test_health_is_degraded_while_checkpoints_cannot_be_published(
    server: RunningServer,
) -> None:
    folder = _checkpoints(server)
    with _client(server) as client:
        _lose(folder)
        folder.write_text("not a folder")  # every publish now fails
        assert _update(client, 2).status_code == 200  # committed: the write itself stands
        health = client.get("/health")
        assert health.status_code == 503, health.text
        assert health.json()["status"] == "degraded"
        assert any("publishing the query checkpoint failed" in r for r in health.json()["reasons"])
        refused = _count(client)
        assert refused.status_code == 503 and refused.headers["retry-after"], refused.text
        assert "checkpoint" in refused.text

        # A worker lost now cannot be replaced: said at once, and the pool is short.
        pids = health.json()["queryWorkers"]["pids"]
        os.kill(pids[0], signal.SIGKILL)
        for _ in range(300):  # bounded: about a minute
            reasons = client.get("/health").json()["reasons"]
            if any("1 of 2 workers" in r for r in reasons):
                break
            time.sleep(0.2)
        assert any("failed to start" in r for r in reasons), reasons
        assert any("1 of 2 workers" in r for r in reasons), reasons

        folder.unlink()  # the operator frees the path: the service heals by itself
        seen = _count(client, "ASK { <urn:health:2> ?p ?o }")
        assert seen.status_code == 200 and "true" in seen.text
        health = _wait_for_health(client, 200, workers=2)
        assert health.json()["status"] == "ok" and "reasons" not in health.json()


def test_an_idle_server_heals_a_failed_publish_by_itself(server: RunningServer) -> None:
    """No query asks for a lease: the pool republishes in the background, and /health
    (polled, and asking nothing else) turns 200 once the operator has freed the path."""
    folder = _checkpoints(server)
    ask = "ASK { <urn:health:3> ?p ?o }"
    with _client(server) as client:
        assert "false" in _count(client, ask).text  # answered, and kept by the result cache
        _lose(folder)
        folder.write_text("not a folder")  # every publish now fails
        written = _update(client, 3)
        assert written.status_code == 200
        health = client.get("/health")
        assert health.status_code == 503, health.text
        assert any("publishing the query checkpoint failed" in r for r in health.json()["reasons"])

        folder.unlink()  # the operator frees the path; nobody queries
        health = _wait_for_health(client, 200, workers=2)
        assert "reasons" not in health.json()
        assert folder.is_dir() and any(folder.iterdir()), "republished without a query"
    with _client(server) as client:  # and the data written meanwhile is there
        seen = _count(client, ask)
        # The healed checkpoint is the version served: not the cached answer of the last
        # one (the cache, ETags and this header follow the published checkpoint).
        assert seen.status_code == 200 and "true" in seen.text
        version = written.headers["x-iqkg-dataset-version"]
        assert seen.headers["x-iqkg-dataset-version"] == version
