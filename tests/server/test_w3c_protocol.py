"""The W3C SPARQL 1.1 Protocol tests (tests/data/w3c/protocol/manifest.ttl), through HTTP.

The manifest writes each test's requests as HTTP in RDF: method, path, headers, body and
the expected status class, result format and boolean. The suite addresses one service
at ``/sparql/``; iqkg answers queries at ``/sparql`` and updates at ``/update``, so the
requests of the tests about the update operation (``update_*``, ``bad_update_*``,
``bad_multiple_updates``) go to ``/update``, with the operator's token, and the others to
``/sparql``. A test's ``ut:graphData`` is PUT through the Graph Store Protocol first.
One server for the module (union mode, empty store).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from rdflib import RDF, RDFS, Graph, Namespace
from rdflib.collection import Collection
from rdflib.term import Node

from tests.server.conftest import SPARQL_ADMIN_TOKEN
from tests.support.server import ROOT, RunningServer, start_server

SUITE = ROOT / "tests" / "data" / "w3c" / "protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
AUTH = {"Authorization": f"Bearer {SPARQL_ADMIN_TOKEN}"}
RESULTS_XML = "{http://www.w3.org/2005/sparql-results#}"


@dataclass(frozen=True)
class Step:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    status_classes: frozenset[int]
    result_format: str | None
    boolean: bool | None


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    graphs: tuple[tuple[str, Path], ...]
    steps: tuple[Step, ...]

    @property
    def is_update(self) -> bool:
        return self.name.startswith(("update_", "bad_update", "bad_multiple_updates"))


def _step(manifest: Graph, request: Node) -> Step:
    headers = {}
    list_head = manifest.value(request, HT.headers)
    if list_head is not None:
        for header in Collection(manifest, list_head):
            headers[str(manifest.value(header, HT.fieldName))] = str(
                manifest.value(header, HT.fieldValue)
            )
    body = None
    body_node = manifest.value(request, HT.body)
    if body_node is not None:
        encoding = str(manifest.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(manifest.value(body_node, CNT.chars)).encode(encoding)
    response = manifest.value(request, HT.resp)
    classes = frozenset(
        int(str(s).rsplit("StatusCode", 1)[-1][0])
        for s in manifest.objects(response, MF.expectedStatus)
    )
    result_format = manifest.value(response, MF.expectedFormat)
    boolean = manifest.value(response, MF.expectedBoolean)
    return Step(
        str(manifest.value(request, HT.methodName)),
        str(manifest.value(request, HT.absolutePath)),
        headers,
        body,
        classes,
        None if result_format is None else str(result_format),
        None if boolean is None else bool(boolean.toPython()),  # type: ignore[attr-defined]
    )


def collect() -> list[ProtocolTest]:
    manifest = Graph().parse(SUITE / "manifest.ttl", format="turtle")
    head = next(manifest.subjects(RDF.type, MF.Manifest))
    tests = []
    for entry in Collection(manifest, manifest.value(head, MF.entries)):
        graphs = tuple(
            (
                str(manifest.value(g, RDFS.label)),
                SUITE / Path(str(manifest.value(g, UT.graph))).name,
            )
            for g in manifest.objects(entry, UT.graphData)
        )
        action = manifest.value(entry, MF.action)
        requests = Collection(manifest, manifest.value(action, HT.requests))
        tests.append(
            ProtocolTest(
                str(entry).rsplit("#", 1)[-1],
                graphs,
                tuple(_step(manifest, request) for request in requests),
            )
        )
    return tests


TESTS = collect()


def test_the_suite_is_complete() -> None:
    assert len(TESTS) == 34


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    store: Path = tmp_path_factory.mktemp("w3c-protocol") / "store"
    running = start_server(store, load=False, env={"IQKG_ADMIN_TOKEN": SPARQL_ADMIN_TOKEN})
    yield running
    running.stop()


def _boolean(response: httpx.Response) -> bool:
    if "json" in response.headers["content-type"]:
        return bool(json.loads(response.content)["boolean"])
    element = ET.fromstring(response.content).find(f"{RESULTS_XML}boolean")
    assert element is not None
    return element.text == "true"


def _check_format(response: httpx.Response, result_format: str) -> None:
    media_type = response.headers["content-type"].split(";")[0]
    if result_format == "boolean":
        assert media_type in (
            "application/sparql-results+json",
            "application/sparql-results+xml",
        )
    elif result_format == "tabular":
        assert media_type in (
            "application/sparql-results+json",
            "application/sparql-results+xml",
            "text/csv",
            "text/tab-separated-values",
        )


@pytest.mark.parametrize("case", TESTS, ids=[t.name for t in TESTS])
def test_protocol(server: RunningServer, case: ProtocolTest) -> None:
    with server.client() as client:
        for graph, file in case.graphs:
            loaded = client.put(
                "/store",
                params={"graph": graph},
                content=file.read_bytes(),
                headers={**AUTH, "Content-Type": "application/n-triples"},
            )
            assert loaded.status_code in (201, 204), loaded.text
        for number, step in enumerate(case.steps, start=1):
            path, _, query = step.path.partition("?")
            assert path == "/sparql/"
            # The first request of an update test is the update; a later one is the query
            # that reads the result back, unless it is itself an update.
            direct_update = step.headers.get("content-type", "").startswith(
                "application/sparql-update"
            )
            is_update = case.is_update and (number == 1 or direct_update)
            target = "/update" if is_update else "/sparql"
            url = httpx.URL(server.url + target + (f"?{query}" if query else ""))
            headers = {**step.headers, **(AUTH if is_update else {})}
            response = client.request(step.method, url, headers=headers, content=step.body)
            where = f"step {number}: {step.method} {target}"
            assert response.status_code // 100 in step.status_classes, (where, response.text)
            if step.result_format:
                _check_format(response, step.result_format)
            if step.boolean is not None:
                assert _boolean(response) is step.boolean, where
