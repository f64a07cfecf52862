"""Fixtures of the SPARQL endpoint tests: servers over the small test knowledge folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server import ROOT, RunningServer, start_server

SPARQL_KNOWLEDGE = ROOT / "tests" / "data" / "sparql" / "knowledge"
SPARQL_ADMIN_TOKEN = "sparql-admin-token-0123456789"
#: The row limit of ``sparql_server``: small, so truncation is cheap to provoke.
ROW_LIMIT = 20
MAX_QUERY_BYTES = 4000


def sparql_env(**extra: str) -> dict[str, str]:
    return {"IQKG_KNOWLEDGE_DIR": str(SPARQL_KNOWLEDGE), **extra}


@pytest.fixture(scope="session")
def sparql_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server over tests/data/sparql/knowledge with a small row limit and /update on."""
    store: Path = tmp_path_factory.mktemp("sparql") / "store"
    running = start_server(
        store,
        env=sparql_env(
            IQKG_ADMIN_TOKEN=SPARQL_ADMIN_TOKEN,
            IQKG_ROW_LIMIT=str(ROW_LIMIT),
            IQKG_MAX_QUERY_BYTES=str(MAX_QUERY_BYTES),
        ),
    )
    yield running
    running.stop()
