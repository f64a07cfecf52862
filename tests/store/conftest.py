"""The store implementations every store test runs on (the contract's parameter).

Issue 14 adds remote stores here: one entry in ``STORES`` each, opened empty. ``remote``
is :class:`~iqkg.store.remote.RemoteStore` on ``oxigraph serve`` (PyPI ``oxigraph``),
one server per test in the test's folder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

import pytest

from iqkg.rdf.iris import IriScheme
from iqkg.store.dataset import Dataset
from iqkg.store.engines import VIRTUOSO
from iqkg.store.interface import SparqlStore
from iqkg.store.remote import RemoteStore
from tests.support.oxigraph_server import oxigraph_server
from tests.support.virtuoso_server import virtuoso_available, virtuoso_server

IRIS = IriScheme()
A = IRIS.graph("test/a")
B = IRIS.graph("test/b")
HIDDEN = IRIS.graph("archive/test/h")
EX = "https://example.org/"


def _embedded(folder: Path) -> AbstractContextManager[SparqlStore]:
    return nullcontext(Dataset.open(folder / "store", IRIS))


@contextmanager
def _oxigraph_server(folder: Path) -> Iterator[SparqlStore]:
    with oxigraph_server(folder) as server:
        store = RemoteStore(server.query_url, IRIS, update_url=server.update_url)
        try:
            yield store
        finally:
            store.close()


@contextmanager
def _virtuoso(folder: Path) -> Iterator[SparqlStore]:
    if not virtuoso_available():
        pytest.skip("virtuoso-t not installed: apt-get install virtuoso-opensource-7-bin")
    with virtuoso_server(folder) as server:
        store = RemoteStore(server.endpoint, IRIS, engine=VIRTUOSO)
        try:
            yield store
        finally:
            store.close()


#: name -> how to open an empty store of that kind in a folder (closed after the test).
STORES: dict[str, Callable[[Path], AbstractContextManager[SparqlStore]]] = {
    "embedded": _embedded,
    "oxigraph-server": _oxigraph_server,
    "virtuoso": _virtuoso,
}
#: Stores whose tests carry the marker ``remote_store`` (an engine from outside PyPI,
#: seconds to start): ``pytest -m "not remote_store"`` leaves them out.
MARKED = {"virtuoso"}


#: (store, test) -> how that engine deviates from the contract: the test is expected to
#: fail there (strict: if it passes, the engine or RemoteStore changed; drop the entry).
DEVIATIONS: dict[tuple[str, str], str] = {
    ("virtuoso", "test_a_failed_update_leaves_nothing"): (
        "Virtuoso commits each statement of an update request on its own: a failing "
        "operation leaves the ones before it applied (issue 14: make writes recoverable)"
    ),
    ("virtuoso", "test_query_with_an_explicit_dataset"): (
        "Virtuoso does not restrict GRAPH to the named-graph-uri graphs: a public query "
        "reaches hidden graphs by name (they need a separate endpoint there)"
    ),
    ("virtuoso", "test_graphs_and_subjects"): (
        "Virtuoso matches GRAPH <g> {} for any g, so has_graph() says yes to a missing graph"
    ),
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        engine = callspec.params.get("store") if callspec else None
        name = getattr(item, "originalname", item.name)
        reason = DEVIATIONS.get((str(engine), name))
        if reason:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))


@pytest.fixture(
    params=[
        pytest.param(name, marks=[pytest.mark.remote_store] if name in MARKED else [])
        for name in sorted(STORES)
    ]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SparqlStore]:
    with STORES[request.param](tmp_path) as opened:
        assert isinstance(opened, SparqlStore)
        yield opened
