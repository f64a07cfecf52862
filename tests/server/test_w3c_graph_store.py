"""The W3C Graph Store Protocol tests, run from their manifests (HTTP in RDF) against /store.

Each test of tests/data/w3c/graph-store-protocol/manifest-indirect.ttl is a sequence of
requests with expected statuses, headers and bodies; ``/gsp`` is iqkg's ``/store``, and
writes carry the operator's token. One server (union mode, empty store) for the module;
every test starts with ``DROP ALL``.

Not applicable: the direct-identification tests (manifest-direct.ttl) address graphs by
URLs such as ``/gsp/person/1.ttl`` and read them back there. In iqkg a graph's IRI is
``{base}graph/{name}``: direct identification covers writes at ``/graph/{name}`` (tested
in test_graph_store.py), while ``GET`` there is the linked-data page of the graph.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from rdflib import RDF, Graph, Namespace
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.term import Node

from tests.server.conftest import SPARQL_ADMIN_TOKEN
from tests.support.server import ROOT, RunningServer, start_server

SUITE = ROOT / "tests" / "data" / "w3c" / "graph-store-protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
STATUS = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}
AUTH = {"Authorization": f"Bearer {SPARQL_ADMIN_TOKEN}"}


@dataclass(frozen=True)
class Step:
    method: str
    path: str
    headers: dict[str, str]
    body: str | None
    statuses: frozenset[int]
    location: bool
    response_type: str | None
    response_body: str | None


def _headers(manifest: Graph, node: Node | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    list_head = manifest.value(node, HT.headers) if node is not None else None
    if list_head is not None:
        for header in Collection(manifest, list_head):
            headers[str(manifest.value(header, HT.fieldName))] = str(
                manifest.value(header, HT.fieldValue)
            )
    return headers


def _body(manifest: Graph, node: Node | None) -> str | None:
    body = manifest.value(node, HT.body) if node is not None else None
    return None if body is None else str(manifest.value(body, CNT.chars))


def collect(name: str) -> dict[str, list[Step]]:
    manifest = Graph().parse(SUITE / name, format="turtle")
    head = next(manifest.subjects(RDF.type, MF.Manifest))
    tests: dict[str, list[Step]] = {}
    for entry in Collection(manifest, manifest.value(head, MF.entries)):
        action = manifest.value(entry, MF.action)
        steps = []
        for request in Collection(manifest, manifest.value(action, HT.requests)):
            response = manifest.value(request, HT.resp)
            statuses = frozenset(
                STATUS[str(s).rsplit("#", 1)[-1]]
                for s in manifest.objects(response, MF.expectedStatus)
            )
            response_headers = _headers(manifest, response)
            steps.append(
                Step(
                    str(manifest.value(request, HT.methodName)),
                    str(manifest.value(request, HT.absolutePath)),
                    _headers(manifest, request),
                    _body(manifest, request),
                    statuses,
                    manifest.value(response, MF.expectedLocation) is not None,
                    response_headers.get("content-type"),
                    _body(manifest, response),
                )
            )
        tests[str(entry).rsplit("#", 1)[-1]] = steps
    return tests


TESTS = collect("manifest-indirect.ttl")
NOT_APPLICABLE = collect("manifest-direct.ttl")


def test_the_suite_is_complete() -> None:
    assert (len(TESTS), len(NOT_APPLICABLE)) == (9, 4)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    store: Path = tmp_path_factory.mktemp("w3c-gsp") / "store"
    running = start_server(store, load=False, env={"IQKG_ADMIN_TOKEN": SPARQL_ADMIN_TOKEN})
    yield running
    running.stop()


def _turtle(text: str) -> Graph:
    return Graph().parse(data=text, format="turtle")


@pytest.mark.parametrize("name", list(TESTS))
def test_graph_store_protocol(server: RunningServer, name: str) -> None:
    location = ""
    with server.client() as client:
        reset = client.post("/update", data={"update": "DROP ALL"}, headers=AUTH)
        assert reset.status_code == 200, reset.text
        for number, step in enumerate(TESTS[name], start=1):
            path = step.path.replace("$LOCATION$", location)
            assert path.startswith("/gsp")
            # Sent as written: the test checks how the server decodes the query string.
            url = httpx.URL(server.url + "/store" + path.removeprefix("/gsp"))
            headers = {**step.headers, **(AUTH if step.method != "GET" else {})}
            content = step.body.encode() if step.body is not None else None
            response = client.request(step.method, url, headers=headers, content=content)
            where = f"{name} step {number}: {step.method} {path}"
            assert response.status_code in step.statuses, (where, response.text)
            if step.location:
                location = response.headers["location"]
            if step.response_type:
                assert response.headers["content-type"] == step.response_type, where
            if step.response_body is not None:
                assert isomorphic(_turtle(response.text), _turtle(step.response_body)), where
