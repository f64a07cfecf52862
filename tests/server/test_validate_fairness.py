"""The checking workers are shared fairly (issue #9, "Fairness"): one client flooding
``/validate`` holds at most its share of them, and its own excess gets 503, while
another client is still answered."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.server import RunningServer, start_server

#: 2,000 typed subjects without their required label: seconds of SHACL each.
SLOW = b"".join(
    b"<https://w3id.org/iqkg/id/partner/x/n%d> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    b" <https://w3id.org/iqkg/def#RegionalNetwork> .\n" % i
    for i in range(2000)
)
QUICK = b'<https://w3id.org/iqkg/id/partner/x/a> <http://www.w3.org/2000/01/rdf-schema#label> "a" .'
NT = {"Content-Type": "application/n-triples", "Accept": "application/json"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    store: Path = tmp_path_factory.mktemp("fair-checking") / "store"
    # Two checking workers; a client may hold one and queue one.
    running = start_server(store, env={"IQKG_CONCURRENT_VALIDATIONS": "2"})
    yield running
    running.stop()


def from_address(server: RunningServer, address: str) -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=server.url, transport=transport, timeout=300)


def test_a_flooding_client_gets_503_for_its_excess_and_others_are_served(
    server: RunningServer,
) -> None:
    statuses: list[int] = []
    started = threading.Barrier(4)

    def flood() -> None:
        with from_address(server, "127.0.0.1") as client:
            started.wait()
            statuses.append(client.post("/validate", content=SLOW, headers=NT).status_code)

    floods = [threading.Thread(target=flood) for _ in range(3)]
    for thread in floods:
        thread.start()
    started.wait()
    with from_address(server, "127.0.0.2") as other:
        # Arrives while the flood holds its worker: the other worker is this client's.
        answer = other.post("/validate", content=QUICK, headers=NT)
    for thread in floods:
        thread.join(300)
    assert answer.status_code == 200, answer.text
    assert sorted(statuses).count(503) >= 1, statuses
    assert 200 in statuses, statuses
