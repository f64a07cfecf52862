"""The store implementations every store test runs on (the contract's parameter).

Issue 14 adds remote stores here: one entry in ``STORES`` each, opened empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from iqkg.rdf.iris import IriScheme
from iqkg.store.dataset import Dataset
from iqkg.store.interface import SparqlStore

IRIS = IriScheme()
A = IRIS.graph("test/a")
B = IRIS.graph("test/b")
HIDDEN = IRIS.graph("archive/test/h")
EX = "https://example.org/"


def _embedded(folder: Path) -> SparqlStore:
    return Dataset.open(folder / "store", IRIS)


#: name -> how to open an empty store of that kind in a folder.
STORES: dict[str, Callable[[Path], SparqlStore]] = {"embedded": _embedded}


@pytest.fixture(params=sorted(STORES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SparqlStore]:
    opened = STORES[request.param](tmp_path)
    assert isinstance(opened, SparqlStore)
    yield opened
