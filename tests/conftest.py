"""Shared fixtures: the real server on a loopback port over a real on-disk store."""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path

import pytest

from tests.support.listener import Listener
from tests.support.server import ROOT, RunningServer, start_server

ADMIN_TOKEN = "test-admin-token-0123456789"

#: The test groups (markers registered in pyproject.toml), kept in one place so a newcomer
#: sees what ``make test-fast`` leaves out. A pattern with ``::`` names one test (all its
#: parameters), or with ``*`` some of its parameters; one without names files.
#: ``make test`` runs every group.
GROUPS: dict[str, tuple[str, ...]] = {
    # headless Chromium (skipped locally without it, required in CI)
    "browser": (
        "tests/server/test_pages_browser.py",
        "tests/server/test_sparql_editor.py",
        "tests/server/test_submissions_page.py",
        "tests/server/test_accessibility.py",
    ),
    # servers SIGKILLed at named crash points, restarted and checked
    "crash": ("tests/server/test_submissions_crash.py",),
    # the W3C SPARQL 1.1 Protocol, Update and Graph Store test suites
    "conformance": ("tests/server/test_w3c_*.py",),
    # seconds to minutes each by design, left to `make test`: the crawl of the whole site;
    # tests that wait for deadlines, floods and caps; every command as a subprocess; the
    # OWL RL closure and HermiT (Java); a second load under another base
    "slow": (
        "tests/server/test_pages.py::test_crawl_finds_no_broken_link",
        "tests/server/test_sparql_deadlines.py",
        "tests/server/test_sparql_fairness.py",
        "tests/server/test_validate_fairness.py",
        "tests/server/test_http_limits.py",
        "tests/server/test_health.py::test_writes_never_delete_a_checkpoint_under_a_query",
        "tests/server/test_linked_data.py::test_a_base_that_is_the_servers_own_origin",
        "tests/server/test_submissions.py::test_size_and_triple_limits",
        "tests/server/test_submissions.py::test_cli_submit_gives_the_same_report_as_offline_validate",
        "tests/cli/test_knowledge.py",
        "tests/cli/test_beside_server.py",
        "tests/knowledge/test_reasoning.py",
        "tests/knowledge/test_shapes.py::test_no_false_alarm_on_the_owl_rl_closure",
        # every shape fixture again under pySHACL's RDFS inference (the plain run stays)
        "tests/knowledge/test_shapes.py::*-rdfs]",
        "tests/submissions/test_checking.py::test_a_graph_too_costly_to_canonicalise_is_accepted_uncompared",
    ),
}


def _in_group(nodeid: str, pattern: str) -> bool:
    if "::" in pattern and "*" in pattern:  # parameters by shell pattern
        return fnmatch(nodeid, pattern)
    if "::" in pattern:
        return nodeid == pattern or nodeid.startswith(pattern + "[")
    return fnmatch(nodeid.split("::", 1)[0], pattern)


def _drives_chromium(item: pytest.Item) -> bool:
    """A test function that calls ``tests.support.browser.chromium`` itself."""
    code = getattr(getattr(item, "function", None), "__code__", None)
    return code is not None and "chromium" in code.co_names


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for marker, patterns in GROUPS.items():
            if any(_in_group(item.nodeid, pattern) for pattern in patterns):
                item.add_marker(marker)
        if _drives_chromium(item):
            item.add_marker("browser")


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
