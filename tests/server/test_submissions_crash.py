"""SIGKILL a real server at many moments during submissions: all or nothing, always.

Each round sends a submission (new, or a new version of an earlier one) and kills the
server after a random delay spread over the time a submission takes; after a restart,
every submission is either fully present (live graph, version graph, record, report —
and certainly so when the client got its 201/200) or absent, and no graph is orphaned.
"""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import httpx

from tests.conftest import ADMIN_TOKEN
from tests.submissions.helpers import add_partner, bearer, sparql
from tests.submissions.synthetic import synthetic_turtle
from tests.support.server import RunningServer, start_server

KILL_POINTS = 20
SUBMISSION_TRIPLES = 2_000
LIVE = "https://w3id.org/iqkg/graph/submission/"


def _send(
    server: RunningServer, method: str, path: str, body: bytes, token: str, out: dict[str, object]
) -> None:
    try:
        response = httpx.request(
            method,
            f"{server.url}{path}",
            content=body,
            headers={**bearer(token), "Content-Type": "text/turtle", "Accept": "application/json"},
            timeout=60,
        )
        out["status"] = response.status_code
        out["body"] = response.json()
    except (httpx.HTTPError, ValueError) as error:
        out["error"] = repr(error)


def _check_all_or_nothing(server: RunningServer, acknowledged: dict[str, int]) -> dict[str, int]:
    """Every submission consistent; every acknowledged version present. Returns id → version."""
    with server.client() as client:
        listed = client.get(
            "/submissions", params={"partner": "crash"}, headers=bearer(ADMIN_TOKEN)
        )
        assert listed.status_code == 200
        records = {s["id"]: s for s in listed.json()["submissions"]}
        for submission_id, version in acknowledged.items():
            assert submission_id in records, f"acknowledged submission {submission_id} lost"
            assert records[submission_id]["version"] >= version
        live = {
            row["g"][len(LIVE) :]: int(row["n"])
            for row in sparql(
                client,
                f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                f'FILTER(STRSTARTS(STR(?g), "{LIVE}")) }} GROUP BY ?g',
            )
        }
        crash_live = live  # this server holds only this test's submissions
        for submission_id, record in records.items():
            assert crash_live.get(submission_id) == record["triples"], (
                f"{submission_id}: live graph has {crash_live.get(submission_id)} triples, "
                f"record says {record['triples']}"
            )
            for version in record["versions"]:
                data = client.get(version["url"], headers={"Accept": "application/n-triples"})
                assert data.status_code == 200
                lines = [ln for ln in data.text.splitlines() if ln.strip()]
                assert len(lines) == version["triples"]
            report = client.get(f"/submissions/{submission_id}/report")
            assert report.status_code == 200 and report.json()["conforms"] is True
        orphans = set(crash_live) - set(records)
        assert not orphans, f"graphs without provenance: {orphans}"
        return {i: r["version"] for i, r in records.items()}


def test_sigkill_during_submissions_is_all_or_nothing(tmp_path: Path) -> None:
    rng = random.Random(20240601)
    store = tmp_path / "store"
    env = {"IQKG_ADMIN_TOKEN": ADMIN_TOKEN}
    server = start_server(store, env=env)
    token = add_partner(server, "Crash", "crash")
    acknowledged: dict[str, int] = {}
    try:
        # A first, unkilled submission: something to replace, and how long one takes.
        started = time.monotonic()
        out: dict[str, object] = {}
        _send(
            server,
            "POST",
            "/submissions",
            synthetic_turtle("crash", SUBMISSION_TRIPLES, tag="base"),
            token,
            out,
        )
        duration = time.monotonic() - started
        assert out.get("status") == 201, out
        base_id = str(out["body"]["id"])  # type: ignore[index]
        acknowledged[base_id] = 1
        outcomes = {"acknowledged": 0, "killed before answer": 0}
        for point in range(KILL_POINTS):
            replace = point % 3 == 2
            body = synthetic_turtle("crash", SUBMISSION_TRIPLES, tag=f"k{point}-")
            out = {}
            method, path = (
                ("PUT", f"/submissions/{base_id}") if replace else ("POST", "/submissions")
            )
            sender = threading.Thread(target=_send, args=(server, method, path, body, token, out))
            sender.start()
            time.sleep(rng.uniform(0, 1.3 * duration))
            server.kill()
            sender.join(timeout=60)
            if out.get("status") in (200, 201):
                answered = out["body"]
                acknowledged[str(answered["id"])] = int(answered["version"])  # type: ignore[index]
                outcomes["acknowledged"] += 1
            else:
                outcomes["killed before answer"] += 1
            server = start_server(store, env=env, load=False)
            _check_all_or_nothing(server, acknowledged)
        print(f"{KILL_POINTS} kill points: {outcomes}")
        # Both outcomes happened, or the test did not probe the window it claims to.
        assert outcomes["acknowledged"] and outcomes["killed before answer"]
    finally:
        server.stop()
