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
from iqkg.store.interface import SparqlStore
from iqkg.store.remote import RemoteStore
from tests.support.oxigraph_server import oxigraph_server

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


#: name -> how to open an empty store of that kind in a folder (closed after the test).
STORES: dict[str, Callable[[Path], AbstractContextManager[SparqlStore]]] = {
    "embedded": _embedded,
    "oxigraph-server": _oxigraph_server,
}


@pytest.fixture(params=sorted(STORES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SparqlStore]:
    with STORES[request.param](tmp_path) as opened:
        assert isinstance(opened, SparqlStore)
        yield opened
