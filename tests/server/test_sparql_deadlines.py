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


def _metric(server: RunningServer, series: str) -> float:
    """The value of one series in /metrics (the module's server is shared: compare deltas)."""
    for line in httpx.get(f"{server.url}/metrics").text.splitlines():
        name, _, value = line.rpartition(" ")
        if name == series:
            return float(value)
    raise AssertionError(f"{series} is not in /metrics")


def _wait_for_pool(server: RunningServer, *, busy: int, waiting: int) -> None:
    """Wait until /health shows the query pool in this state (no guessed sleeps)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        pool = httpx.get(f"{server.url}/health").json()["queryWorkers"]
        if pool["busy"] == busy and pool["waiting"] == waiting:
            return
        time.sleep(0.05)
    raise AssertionError(f"the pool never had {busy} busy and {waiting} waiting: {pool}")


def _cpu_seconds(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def test_runaway_query_is_stopped_while_others_are_answered(
    short_deadline: RunningServer,
) -> None:
    before = set(_worker_pids(short_deadline))
    timeouts = _metric(short_deadline, "iqkg_sparql_timeouts_total")
    restarts = _metric(short_deadline, 'iqkg_query_worker_restarts_total{reason="timeout"}')
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

    assert _metric(short_deadline, "iqkg_sparql_timeouts_total") == timeouts + 1
    restarted = _metric(short_deadline, 'iqkg_query_worker_restarts_total{reason="timeout"}')
    assert restarted == restarts + 1


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
        threads[0].start()
        _wait_for_pool(server, busy=1, waiting=0)  # the first runs ...
        threads[1].start()
        _wait_for_pool(server, busy=1, waiting=1)  # ... and the second waits in the queue
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


@pytest.fixture(scope="module")
def long_deadline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A deadline far beyond what the memory bomb needs to reach the cap, even under load."""
    store: Path = tmp_path_factory.mktemp("memory") / "store"
    running = start_server(
        store,
        env=sparql_env(
            IQKG_QUERY_TIMEOUT="300", IQKG_QUERY_WORKERS="1", IQKG_WORKER_MEMORY_MB="1024"
        ),
    )
    yield running
    running.stop()


def test_a_memory_bomb_loses_only_its_worker(long_deadline: RunningServer) -> None:
    """28 nested CONCATs would build a 4 GiB string; the worker's 1 GiB cap stops it first.

    The deadline is 300 s, so a 504 would mean the cap did not act: only a 502 (the worker
    died) with a crash restart shows the cap.
    """
    binds = " ".join(f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(28))
    query = (
        f'SELECT ?n WHERE {{ BIND("aaaaaaaaaaaaaaaa" AS ?a0) {binds} BIND(STRLEN(?a28) AS ?n) }}'
    )
    crashes = 'iqkg_query_worker_restarts_total{reason="crash"}'
    before = set(_worker_pids(long_deadline))
    with httpx.Client(base_url=long_deadline.url, timeout=300) as client:
        bomb = client.post("/sparql", data={"query": query})
        assert bomb.status_code == 502, bomb.text
        assert "out of memory" in bomb.text
        assert _metric(long_deadline, crashes) == 1
        assert not before & set(_worker_pids(long_deadline))  # its worker was replaced
        after = client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"})
        assert after.status_code == 200
