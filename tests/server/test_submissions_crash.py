"""SIGKILL a real server at named crash points during submissions: all or nothing, always.

No timing: ``IQKG_CRASH_AT=name[:n]`` (:mod:`iqkg.faults`) makes the server SIGKILL itself
exactly at that point of the n-th time it gets there, so each point is tested on any
machine, however loaded. After each kill the server is restarted over the same store and
must come back whole: healthy, every worker running, and every submission either fully
present (live graph, version graph, record, report) or absent, with no graph orphaned.
Whether the write survived is known for each point: before the commit it must be gone,
after it present, even though the client never got its answer.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from tests.conftest import ADMIN_TOKEN
from tests.submissions.helpers import add_partner, bearer, sparql
from tests.submissions.synthetic import synthetic_turtle
from tests.support.server import RunningServer, start_server

SUBMISSION_TRIPLES = 500
LIVE = "https://w3id.org/iqkg/graph/submission/"
ARCHIVE = "https://w3id.org/iqkg/graph/archive/"
ENV = {"IQKG_ADMIN_TOKEN": ADMIN_TOKEN, "IQKG_QUERY_WORKERS": "2"}

#: (crash point, whether the write it interrupts must be there after the restart).
#: The server publishes a checkpoint at start-up, so the submission's is the second.
POINTS = [
    ("submission.parsed", False),
    ("write.staged", False),  # new graphs (live, archived version) are written, the record not
    ("write.transaction", False),
    ("checkpoint.publish:2", True),
    ("write.committed", True),
]


class Store:
    """One store for every case, with a partner and a first submission to replace."""

    def __init__(self, path: Path) -> None:
        self.path = path
        server = start_server(path, env=ENV)
        try:
            self.token = add_partner(server, "Crash", "crash")
            response = _send(server, "POST", "/submissions", "base", self.token)
            assert response is not None and response.status_code == 201, response
            self.base_id: str = response.json()["id"]
        finally:
            server.stop()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return Store(tmp_path_factory.mktemp("crash") / "store")


@pytest.fixture
def restarted(store: Store) -> Iterator[list[RunningServer]]:
    """Servers a test starts; each is stopped afterwards, whatever happened."""
    servers: list[RunningServer] = []
    yield servers
    for server in servers:
        server.stop()


def _send(
    server: RunningServer, method: str, path: str, tag: str, token: str
) -> httpx.Response | None:
    """The answer, or None when the connection died with the server."""
    try:
        return httpx.request(
            method,
            f"{server.url}{path}",
            content=synthetic_turtle("crash", SUBMISSION_TRIPLES, tag=tag),
            headers={**bearer(token), "Content-Type": "text/turtle", "Accept": "application/json"},
            timeout=120,
        )
    except httpx.TransportError:
        return None


def _records(server: RunningServer) -> dict[str, dict[str, object]]:
    with server.client() as client:
        listed = client.get(
            "/submissions", params={"partner": "crash"}, headers=bearer(ADMIN_TOKEN)
        )
    assert listed.status_code == 200, listed.text
    return {s["id"]: s for s in listed.json()["submissions"]}


def _check_whole(server: RunningServer) -> dict[str, dict[str, object]]:
    """Healthy with every worker; every submission complete; no orphan. Returns records."""
    with server.client() as client:
        health = client.get("/health")
        assert health.status_code == 200, health.text
        assert len(health.json()["queryWorkers"]["pids"]) == 2, health.text
        records = _records(server)
        live = {
            row["g"][len(LIVE) :]: int(row["n"])
            for row in sparql(  # through a query worker: the checkpoint holds the data too
                client,
                f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                f'FILTER(STRSTARTS(STR(?g), "{LIVE}")) }} GROUP BY ?g',
            )
        }
        for submission_id, record in records.items():
            assert live.get(submission_id) == record["triples"], (submission_id, live, record)
            for version in record["versions"]:  # type: ignore[attr-defined]
                data = client.get(version["url"], headers={"Accept": "application/n-triples"})
                assert data.status_code == 200
                assert (
                    len([ln for ln in data.text.splitlines() if ln.strip()]) == version["triples"]
                )
            report = client.get(f"/submissions/{submission_id}/report")
            assert report.status_code == 200 and report.json()["conforms"] is True
        orphans = set(live) - set(records)
        assert not orphans, f"graphs without provenance: {orphans}"
    return records


def _unrecorded_archives(path: Path) -> list[str]:
    """Archive graphs on disk that no statement describes (read with the server stopped)."""
    store = ox.Store.read_only(str(path))
    return [
        g.value
        for g in store.named_graphs()
        if isinstance(g, ox.NamedNode)
        and g.value.startswith(ARCHIVE)
        and next(store.quads_for_pattern(g, None, None, None), None) is None
    ]


def _crash(store: Store, point: str, servers: list[RunningServer], method: str) -> None:
    """Start a server armed at ``point``, send one change, and see it die there."""
    armed = start_server(store.path, env={**ENV, "IQKG_CRASH_AT": point}, load=False)
    servers.append(armed)
    path = "/submissions" if method == "POST" else f"/submissions/{store.base_id}"
    tag = re.sub(r"[^a-z0-9]", "-", f"{point}-{method}".lower())
    answer = _send(armed, method, path, tag, store.token)
    assert answer is None, f"answered {answer.status_code}: {answer.text[:300]}"
    assert armed.process.wait(timeout=60) == -signal.SIGKILL
    assert f"crash point {point.split(':')[0]} reached" in armed.log_text()


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_a_crash_at_each_point_is_all_or_nothing(
    store: Store, restarted: list[RunningServer], method: str
) -> None:
    """POST a new submission / PUT a new version of one, killed at each point in turn."""
    server = start_server(store.path, env=ENV, load=False)
    restarted.append(server)
    old = _check_whole(server)
    server.stop()
    for point, kept in POINTS:
        _crash(store, point, restarted, method)
        server = start_server(store.path, env=ENV, load=False)
        restarted.append(server)
        new = _check_whole(server)
        server.stop()
        if method == "POST":
            assert len(new) == len(old) + kept, (point, sorted(new), sorted(old))
        else:
            assert set(new) == set(old)
            was, now = old[store.base_id]["version"], new[store.base_id]["version"]
            assert now == was + kept, (point, was, now)  # type: ignore[operator]
        checkpoints = store.path.parent / f"{store.path.name}.checkpoints"
        assert len(list(checkpoints.iterdir())) == 1, point  # a half-made one was cleared
        assert not _unrecorded_archives(store.path), point
        old = new


def test_a_worker_killed_while_warming_up_is_replaced(
    store: Store, restarted: list[RunningServer]
) -> None:
    """The 1st warm-up (start-up) and the 3rd (replacing a killed worker) are killed."""
    for point in ("worker.warm-up:1", "worker.warm-up:3"):
        server = start_server(store.path, env={**ENV, "IQKG_CRASH_AT": point}, load=False)
        restarted.append(server)
        with server.client() as client:
            if point.endswith(":3"):  # a deadline kill makes the third warm-up
                runaway = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
                slow = client.get("/sparql", params={"query": runaway, "timeout": "0.5"})
                assert slow.status_code == 504
                for _ in range(600):  # bounded; start_server's own deadline is similar
                    workers = client.get("/health").json()["queryWorkers"]
                    if workers["startFailures"] and len(workers["pids"]) == 2:
                        break
                    client.get("/sparql", params={"query": "ASK {}"})
            health = client.get("/health")
        assert "crash point worker.warm-up reached" in server.log_text()
        assert health.status_code == 200, health.text
        workers = health.json()["queryWorkers"]
        assert workers["startFailures"] == 1 and len(workers["pids"]) == 2, workers
        _check_whole(server)
        server.stop()
