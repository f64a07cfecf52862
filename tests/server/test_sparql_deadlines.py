"""Deadlines that really stop work, and a bounded queue: against servers of their own."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from tests.server.conftest import sparql_env
from tests.support.server import RunningServer, start_server

EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CHEAP = "ASK { ?s ?p ?o }"


@pytest.fixture(scope="module")
def short_deadline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    store: Path = tmp_path_factory.mktemp("deadline") / "store"
    running = start_server(
        store,
        env=sparql_env(
            IQKG_QUERY_TIMEOUT="2", IQKG_QUERY_WORKERS="2", IQKG_WORKER_MEMORY_MB="1024"
        ),
    )
    yield running
    running.stop()


def _worker_pids(server: RunningServer) -> list[int]:
    pids: list[int] = httpx.get(f"{server.url}/health").json()["queryWorkers"]["pids"]
    return pids


def _cpu_seconds(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def test_runaway_query_is_stopped_while_others_are_answered(
    short_deadline: RunningServer,
) -> None:
    before = set(_worker_pids(short_deadline))
    answers: list[int] = []
    stop = threading.Event()

    def cheap_client() -> None:  # another client (address): the pool keeps a worker for it
        transport = httpx.HTTPTransport(local_address="127.0.0.2")
        with short_deadline.client(transport=transport) as client:
            while not stop.is_set():
                answers.append(client.get("/sparql", params={"query": CHEAP}).status_code)

    thread = threading.Thread(target=cheap_client)
    thread.start()
    try:
        with short_deadline.client() as client:
            response = client.get("/sparql", params={"query": EXPLOSIVE})
    finally:
        stop.set()
        thread.join(timeout=30)
    assert response.status_code == 504, response.text
    assert "deadline of 2 s" in response.text and "IQKG_QUERY_TIMEOUT" in response.text
    assert answers and set(answers) == {200}  # the other client was answered meanwhile

    # The runaway's worker is gone; none of the workers now burns CPU.
    killed = before - set(_worker_pids(short_deadline))
    assert len(killed) == 1
    (pid,) = killed
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    deadline = time.monotonic() + 20
    while len(_worker_pids(short_deadline)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    pids = _worker_pids(short_deadline)
    assert len(pids) == 2
    first = {p: _cpu_seconds(p) for p in pids}
    time.sleep(1.0)
    assert all(_cpu_seconds(p) - first[p] < 0.5 for p in pids)

    metrics = httpx.get(f"{short_deadline.url}/metrics").text
    assert "iqkg_sparql_timeouts_total 1.0" in metrics
    assert 'iqkg_query_worker_restarts_total{reason="timeout"} 1.0' in metrics


def test_a_request_may_ask_for_a_shorter_deadline(short_deadline: RunningServer) -> None:
    with short_deadline.client() as client:
        response = client.get("/sparql", params={"query": EXPLOSIVE, "timeout": "0.5"})
    assert response.status_code == 504
    assert "0.5 s" in response.text


def test_update_is_absent_without_admin_token(short_deadline: RunningServer) -> None:
    with short_deadline.client() as client:
        response = client.post(
            "/update",
            content="CLEAR ALL",
            headers={"Content-Type": "application/sparql-update"},
        )
    assert response.status_code == 404
    assert "IQKG_ADMIN_TOKEN" in response.text


def test_full_queue_answers_503_with_retry_after(tmp_path: Path) -> None:
    server = start_server(
        tmp_path / "store",
        env=sparql_env(IQKG_QUERY_TIMEOUT="3", IQKG_QUERY_WORKERS="1", IQKG_QUEUE_SIZE="1"),
    )
    try:
        statuses: list[httpx.Response] = []

        def runaway() -> None:
            with server.client() as client:
                statuses.append(client.get("/sparql", params={"query": EXPLOSIVE}))

        threads = [threading.Thread(target=runaway) for _ in range(2)]
        for thread in threads:
            thread.start()
            time.sleep(0.3)  # one runs, one waits in the queue
        with server.client() as client:
            overloaded = client.get("/sparql", params={"query": CHEAP})
        for thread in threads:
            thread.join(timeout=30)
    finally:
        server.stop()
    assert overloaded.status_code == 503, overloaded.text
    assert overloaded.headers["retry-after"] == "1"
    assert "busy" in overloaded.text
    assert sorted(r.status_code for r in statuses) == [504, 504]


def test_a_memory_bomb_loses_only_its_worker(short_deadline: RunningServer) -> None:
    """28 nested CONCATs would build a 4 GiB string; the worker's cap stops it first."""
    binds = " ".join(f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(28))
    query = (
        f'SELECT ?n WHERE {{ BIND("aaaaaaaaaaaaaaaa" AS ?a0) {binds} BIND(STRLEN(?a28) AS ?n) }}'
    )
    with short_deadline.client() as client:
        bomb = client.post("/sparql", data={"query": query})
        assert bomb.status_code in (502, 504), bomb.text
        after = client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"})
        assert after.status_code == 200
