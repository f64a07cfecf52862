"""Shared fixtures: the real server on a loopback port over a real on-disk store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.listener import Listener
from tests.support.server import ROOT, RunningServer, start_server

ADMIN_TOKEN = "test-admin-token-0123456789"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One server for the whole session, with the curated data loaded and an admin token.

    Tests that write (submissions) must only add their own partner data; tests that need a
    pristine or specially configured server start their own with ``start_server``.
    """
    store = tmp_path_factory.mktemp("store") / "store"
    running = start_server(store, env={"IQKG_ADMIN_TOKEN": ADMIN_TOKEN, "IQKG_QUERY_TIMEOUT": "30"})
    yield running
    running.stop()


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A local listener that must receive nothing (no request may reach the network)."""
    running = Listener()
    yield running
    running.close()
