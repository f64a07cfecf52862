"""``/metrics`` counts what the service executed, and only that.

A page view of the query editor, a 304 and an answer from the result cache cost no
query execution; counted as successful queries (with latency samples) they would hide
the real load and latency an operator watches. Each test reads the counters before and
after its own requests (serial tests; queries marked with a fresh UUID so no other test
has sent them).
"""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from iqkg.errors import (
    InputError,
    Overloaded,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
)
from iqkg.server.metrics import SparqlMetrics
from tests.support.server import RunningServer

JSON = {"Accept": "application/sparql-results+json"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _counts(client: httpx.Client) -> dict[str, float]:
    """Queries by outcome, and the number of latency samples (``latency``)."""
    families = {f.name: f for f in text_string_to_metric_families(client.get("/metrics").text)}
    counts = {
        s.labels["outcome"]: s.value
        for s in families["iqkg_sparql_queries"].samples
        if s.name == "iqkg_sparql_queries_total"
    }
    (samples,) = (
        s.value
        for s in families["iqkg_sparql_query_duration_seconds"].samples
        if s.name.endswith("_count")
    )
    return {**counts, "latency": samples}


def _changed(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {k: after.get(k, 0) - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}


def _query() -> str:
    return f'SELECT ("{uuid.uuid4().hex}" AS ?m) WHERE {{}}'


def test_editor_page_views_are_not_queries(sparql_server: RunningServer) -> None:
    with sparql_server.client() as client:
        before = _counts(client)
        for _ in range(3):
            page = client.get("/sparql", params={"query": _query()}, headers=BROWSER)
            assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert _changed(before, _counts(client)) == {}


def test_an_executed_query_counts_once_with_its_latency(sparql_server: RunningServer) -> None:
    with sparql_server.client() as client:
        before = _counts(client)
        assert client.post("/sparql", data={"query": _query()}, headers=JSON).status_code == 200
        assert _changed(before, _counts(client)) == {"ok": 1, "latency": 1}


def test_cache_hits_have_an_outcome_of_their_own(sparql_server: RunningServer) -> None:
    query = _query()
    with sparql_server.client() as client:
        assert client.post("/sparql", data={"query": query}, headers=JSON).status_code == 200
        before = _counts(client)
        assert client.post("/sparql", data={"query": query}, headers=JSON).status_code == 200
        assert _changed(before, _counts(client)) == {"cache_hit": 1}


def test_not_modified_has_an_outcome_of_its_own(sparql_server: RunningServer) -> None:
    params = {"query": _query()}
    with sparql_server.client() as client:
        first = client.get("/sparql", params=params, headers=JSON)
        assert first.status_code == 200
        before = _counts(client)
        again = client.get(
            "/sparql", params=params, headers={**JSON, "If-None-Match": first.headers["etag"]}
        )
        assert again.status_code == 304
        assert _changed(before, _counts(client)) == {"not_modified": 1}


def _internal(client: httpx.Client) -> dict[tuple[str, str], float]:
    families = {f.name: f for f in text_string_to_metric_families(client.get("/metrics").text)}
    return {
        (s.labels["purpose"], s.labels["outcome"]): s.value
        for s in families["iqkg_internal_queries"].samples
        if s.name == "iqkg_internal_queries_total"
    }


def test_the_servers_own_queries_are_counted_apart(sparql_server: RunningServer) -> None:
    """VoID and a Graph Store read run in the query workers, but they are not clients'
    queries: they leave iqkg_sparql_queries alone and count under their purpose."""
    with sparql_server.client() as client:
        before, internal = _counts(client), _internal(client)
        graph = client.get("/store", params={"default": ""}, headers={"Accept": "text/turtle"})
        assert graph.status_code == 200, graph.text
        assert client.get("/.well-known/void.ttl").status_code == 200
        assert _changed(before, _counts(client)) == {}
        after = _internal(client)
    assert after[("graph_store", "ok")] == internal.get(("graph_store", "ok"), 0) + 1
    assert after[("void", "ok")] >= 1  # computed once per dataset version, maybe earlier


# --- the meter, in process -----------------------------------------------------------------


def _sample(metrics: SparqlMetrics, name: str, **labels: str) -> float:
    value = metrics.registry.get_sample_value(name, labels or None)
    return value or 0.0


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (QueryTimeout("late"), "timeout"),
        (Overloaded("full"), "overloaded"),
        (QuerySyntaxError("bad"), "syntax_error"),
        (QueryRefused("no"), "refused"),
        (InputError("odd"), "bad_request"),
        (asyncio.CancelledError(), "cancelled"),
        (RuntimeError("bug"), "failed"),
    ],
)
def test_a_request_ending_in_an_error_is_counted_under_it(
    error: BaseException, outcome: str
) -> None:
    metrics = SparqlMetrics()
    with pytest.raises(type(error)), metrics.meter():
        raise error
    assert _sample(metrics, "iqkg_sparql_queries_total", outcome=outcome) == 1
    assert _sample(metrics, "iqkg_sparql_query_duration_seconds_count") == 0
    assert _sample(metrics, "iqkg_sparql_timeouts_total") == (outcome == "timeout")


@pytest.mark.parametrize(
    ("outcome", "timed"),
    [("ok", True), ("truncated", True), ("cache_hit", False), ("not_modified", False)],
)
def test_only_executed_queries_are_timed(outcome: str, timed: bool) -> None:
    metrics = SparqlMetrics()
    with metrics.meter() as meter:
        meter.outcome = outcome
    assert _sample(metrics, "iqkg_sparql_queries_total", outcome=outcome) == 1
    assert _sample(metrics, "iqkg_sparql_query_duration_seconds_count") == timed
    assert _sample(metrics, "iqkg_sparql_result_cache_hits_total") == (outcome == "cache_hit")
