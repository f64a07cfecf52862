"""The W3C SPARQL 1.1 update-evaluation tests, run through HTTP as a plain client.

Each test (tests/data/w3c/update/*/manifest.ttl) starts from an empty dataset: its data
is PUT through the Graph Store Protocol, its request is POSTed to /update, and every
graph is read back through /store and compared (isomorphism) with the expected graphs,
apart from ``graph/meta``, which holds iqkg's dataset version. The server runs in the
standard mode (``IQKG_DEFAULT_GRAPH=stored``: the default graph is the store's own), on
an empty store; one server for the module.

The same 94 tests also run in the union mode (a second server): the named graphs must be
exactly as expected, and a query's default graph must be the expected default graph merged
with the expected named graphs. Where that merge differs from the expected default graph
alone, the test's expectation about the default graph does not hold in the union mode;
those tests are listed, with the reason, in tests/data/w3c/update-union-mode.txt, and
the list is checked to be exactly right.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from rdflib import RDF, RDFS, BNode, Graph, Namespace
from rdflib.collection import Collection
from rdflib.compare import isomorphic

from tests.server.conftest import SPARQL_ADMIN_TOKEN
from tests.support.server import ROOT, RunningServer, start_server

SUITE = ROOT / "tests" / "data" / "w3c" / "update"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
#: Where the suite lives upstream: the base its files are read against.
UPSTREAM = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"
META = "https://w3id.org/iqkg/graph/meta"
AUTH = {"Authorization": f"Bearer {SPARQL_ADMIN_TOKEN}"}

#: Tests that cannot pass here, with the reason (none: the suite's LOADs are all SILENT
#: and of unreachable IRIs, which iqkg answers as no-ops).
NOT_APPLICABLE: dict[str, str] = {}


@dataclass(frozen=True)
class GraphState:
    """The graphs of a dataset: the default graph's file and named graphs' files."""

    default: Path | None
    named: tuple[tuple[str, Path], ...]


@dataclass(frozen=True)
class UpdateTest:
    name: str
    request: Path
    before: GraphState
    after: GraphState


def _state(manifest: Graph, node: object, folder: Path) -> GraphState:
    data = manifest.value(node, UT.data)  # type: ignore[arg-type]
    named = []
    for graph_data in manifest.objects(node, UT.graphData):  # type: ignore[arg-type]
        file = manifest.value(graph_data, UT.graph)
        label = manifest.value(graph_data, RDFS.label)
        named.append((str(label), folder / Path(str(file)).name))
    return GraphState(folder / Path(str(data)).name if data else None, tuple(named))


def collect() -> list[UpdateTest]:
    tests = []
    for manifest_file in sorted(SUITE.glob("*/manifest.ttl")):
        folder = manifest_file.parent
        manifest = Graph().parse(manifest_file, format="turtle")
        head = next(manifest.subjects(RDF.type, MF.Manifest))
        entries = Collection(manifest, manifest.value(head, MF.entries))
        for entry in entries:
            if (entry, RDF.type, MF.UpdateEvaluationTest) not in manifest:
                continue
            action = manifest.value(entry, MF.action)
            result = manifest.value(entry, MF.result)
            request = manifest.value(action, UT.request)
            tests.append(
                UpdateTest(
                    f"{folder.name}/{str(entry).rsplit('#', 1)[-1]}",
                    folder / Path(str(request)).name,
                    _state(manifest, action, folder),
                    _state(manifest, result, folder),
                )
            )
    return tests


TESTS = collect()


def test_the_suite_is_complete() -> None:
    assert len(TESTS) == 94


UNION_MODE_DIFFERENCES = {
    line.split()[0]: line.split(None, 1)[1]
    for line in (SUITE.parent / "update-union-mode.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    store: Path = tmp_path_factory.mktemp("w3c-update") / "store"
    running = start_server(
        store,
        load=False,
        env={
            "IQKG_ADMIN_TOKEN": SPARQL_ADMIN_TOKEN,
            "IQKG_DEFAULT_GRAPH": "stored",
            "IQKG_QUERY_WORKERS": "1",
        },
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def union_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    store: Path = tmp_path_factory.mktemp("w3c-update-union") / "store"
    running = start_server(
        store, load=False, env={"IQKG_ADMIN_TOKEN": SPARQL_ADMIN_TOKEN, "IQKG_QUERY_WORKERS": "1"}
    )
    yield running
    running.stop()


def _graph(file: Path) -> Graph:
    relative = file.relative_to(SUITE).as_posix()
    return Graph().parse(file, format="turtle", publicID=UPSTREAM + relative)


def _put(client: httpx.Client, graph: str | None, file: Path) -> None:
    params = {"graph": graph} if graph else {"default": ""}
    body = _graph(file).serialize(format="nt", encoding="utf-8")
    response = client.put(
        "/store",
        params=params,
        content=body,
        headers={**AUTH, "Content-Type": "application/n-triples"},
    )
    assert response.status_code in (201, 204), response.text


def _read(client: httpx.Client, graph: str | None) -> Graph:
    params = {"graph": graph} if graph else {"default": ""}
    response = client.get("/store", params=params, headers={"Accept": "application/n-triples"})
    assert response.status_code == 200, response.text
    return Graph().parse(data=response.text, format="nt")


def _non_empty_graphs(client: httpx.Client) -> set[str]:
    response = client.get(
        "/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"}
    )
    assert response.status_code == 200, response.text
    names = {row["g"]["value"] for row in response.json()["results"]["bindings"]}
    return names - {META}


def _run(client: httpx.Client, case: UpdateTest) -> dict[str, Graph]:
    """Set the dataset up, run the update, check the named graphs; the expected ones."""
    reset = client.post("/update", data={"update": "DROP ALL"}, headers=AUTH)
    assert reset.status_code == 200, reset.text
    if case.before.default:
        _put(client, None, case.before.default)
    for name, file in case.before.named:
        _put(client, name, file)
    response = client.post(
        "/update",
        content=case.request.read_bytes(),
        headers={**AUTH, "Content-Type": "application/sparql-update"},
    )
    assert response.status_code == 200, response.text
    expected = {name: _graph(file) for name, file in case.after.named if len(_graph(file))}
    assert _non_empty_graphs(client) == set(expected)
    for name, graph in expected.items():
        assert isomorphic(_read(client, name), graph), name
    return expected


@pytest.mark.parametrize("case", TESTS, ids=[t.name for t in TESTS])
def test_update_evaluation(server: RunningServer, case: UpdateTest) -> None:
    if case.name in NOT_APPLICABLE:
        pytest.skip(NOT_APPLICABLE[case.name])
    with server.client() as client:
        _run(client, case)
        expected_default = _graph(case.after.default) if case.after.default else Graph()
        assert isomorphic(_read(client, None), expected_default), "default graph"


def _ground(graph: Graph) -> set[tuple[object, object, object]]:
    return {t for t in graph if not any(isinstance(term, BNode) for term in t)}


@pytest.mark.parametrize("case", TESTS, ids=[t.name for t in TESTS])
def test_update_evaluation_in_union_mode(union_server: RunningServer, case: UpdateTest) -> None:
    with union_server.client() as client:
        expected = _run(client, case)
        response = client.get(
            "/sparql",
            # graph/meta (iqkg's dataset version) is public, so in the union too.
            params={
                "query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o "
                f"FILTER NOT EXISTS {{ GRAPH <{META}> {{ ?s ?p ?o }} }} }}"
            },
            headers={"Accept": "application/n-triples"},
        )
        assert response.status_code == 200, response.text
        seen = Graph().parse(data=response.text, format="nt")
    expected_default = _graph(case.after.default) if case.after.default else Graph()
    merged = _ground(expected_default).union(*(_ground(g) for g in expected.values()))
    assert _ground(seen) == merged
    differs = not isomorphic(seen, expected_default)
    assert differs == (case.name in UNION_MODE_DIFFERENCES), "update-union-mode.txt"
