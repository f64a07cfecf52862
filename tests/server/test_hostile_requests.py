"""Hostile requests against the running server: bad input gets a clear 4xx and changes
nothing; a 5xx, a hang or a Python traceback in a response is a bug.

The requests live in ``tests/data/hostile/requests.json`` (its ``description`` says what
each field means). Entries with a ``bug`` field failed when they were written: they
document a known defect and pass once it is fixed. The others guard what already works.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ADMIN_TOKEN
from tests.submissions.helpers import add_partner, bearer, fixture, submit
from tests.support.server import ROOT, RunningServer

DATA = ROOT / "tests" / "data" / "hostile" / "requests.json"
PARTNER = "hostile-requests"
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\.py\", line \d+")

_DOCUMENT: dict[str, Any] = json.loads(Path(DATA).read_text(encoding="utf-8"))
MAX_SECONDS: float = _DOCUMENT["max_seconds"]
REQUESTS: list[dict[str, Any]] = _DOCUMENT["requests"]


@pytest.fixture(scope="module")
def client(server: RunningServer) -> Iterator[httpx.Client]:
    with server.client() as c:
        yield c


@pytest.fixture(scope="module")
def placeholders(server: RunningServer, client: httpx.Client) -> dict[str, str]:
    """The values the data file refers to: tokens, the partner and one of its submissions."""
    token = add_partner(server, "Hostile Requests", PARTNER)
    created = submit(client, token, fixture("project.ttl", PARTNER))
    assert created.status_code == 201, created.text
    return {
        "{ADMIN_TOKEN}": ADMIN_TOKEN,
        "{PARTNER_TOKEN}": token,
        "{PARTNER}": PARTNER,
        "{SUBMISSION_ID}": created.json()["id"],
    }


def fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def body_of(entry: dict[str, Any], values: dict[str, str]) -> bytes | None:
    if "body_base64" in entry:
        return base64.b64decode(entry["body_base64"])
    if "body_fixture" in entry:
        return fixture(entry["body_fixture"], PARTNER)
    if "body_parts" in entry:
        return "".join(text * times for text, times in entry["body_parts"]).encode("utf-8")
    if "body" in entry:
        return fill(entry["body"], values).encode("utf-8")
    return None


def _allowed(status: int, expect: list[int | str]) -> bool:
    for wanted in expect:
        if isinstance(wanted, int) and status == wanted:
            return True
        if isinstance(wanted, str) and str(status)[0] == wanted[0] and wanted.endswith("xx"):
            return True
    return False


def _state(client: httpx.Client, what: str) -> object:
    if what == "submissions":
        response = client.get("/submissions", headers=bearer(ADMIN_TOKEN))
        assert response.status_code == 200, response.text
        return sorted((s["id"], s["status"], s["version"]) for s in response.json()["submissions"])
    if what == "dataset_version":
        return client.get("/health").json()["datasetVersion"]
    raise AssertionError(f"unknown 'unchanged' value {what!r}")


def test_data_file_is_well_formed() -> None:
    ids = [entry["id"] for entry in REQUESTS]
    assert len(ids) == len(set(ids)), "request ids must be unique"
    known = {"id", "method", "path", "headers", "body", "body_base64", "body_fixture"}
    known |= {"body_parts", "expect", "forbid_in_body", "unchanged", "bug", "note"}
    for entry in REQUESTS:
        assert set(entry) <= known, entry["id"]
        assert entry["expect"] and all(
            isinstance(e, int) or e in ("2xx", "3xx", "4xx") for e in entry["expect"]
        ), entry["id"]
        assert not any(isinstance(e, int) and e >= 500 for e in entry["expect"]), entry["id"]
    assert sum("bug" not in entry for entry in REQUESTS) >= 30


@pytest.mark.parametrize("entry", REQUESTS, ids=[entry["id"] for entry in REQUESTS])
def test_hostile_request(
    client: httpx.Client, placeholders: dict[str, str], entry: dict[str, Any]
) -> None:
    headers = {k: fill(v, placeholders) for k, v in entry.get("headers", {}).items()}
    path = fill(entry["path"], placeholders)
    before = {what: _state(client, what) for what in entry.get("unchanged", [])}

    # A connection of its own: after a 500 the server may drop it, which must not fail the
    # next test (nor the state checks below, which use the module's client).
    with httpx.Client(base_url=str(client.base_url), timeout=MAX_SECONDS + 20) as own:
        started = time.monotonic()
        response = own.request(
            entry["method"], path, headers=headers, content=body_of(entry, placeholders)
        )
        elapsed = time.monotonic() - started

    where = f"{entry['method']} {path} -> {response.status_code}: {response.text[:300]!r}"
    if "bug" in entry:
        where += f"\nknown bug: {entry['bug']}"
    assert response.status_code < 500, where
    assert _allowed(response.status_code, entry["expect"]), f"expected {entry['expect']}; {where}"
    assert elapsed < MAX_SECONDS, f"took {elapsed:.1f} s; {where}"
    assert not TRACEBACK.search(response.text), where
    for forbidden in entry.get("forbid_in_body", []):
        assert forbidden not in response.text, f"{forbidden!r} in the body; {where}"
    for what, value in before.items():
        assert _state(client, what) == value, f"{what} changed; {where}"


def test_the_server_survived_every_request(server: RunningServer, client: httpx.Client) -> None:
    """Runs after the corpus: the same server process still answers, with its workers."""
    assert server.process.poll() is None, server.log_text()[-2000:]
    health = client.get("/health")
    assert health.status_code == 200, health.text
    assert health.json()["queryWorkers"]["pids"]
