"""The stages of a query request that decide without running anything.

The ``ETag`` must change with everything that selects the answer (else a client keeps a
stale or wrong answer after a 304) and with nothing else; a cut answer must say so.
"""

from __future__ import annotations

import asyncio

import pytest
from starlette.datastructures import ImmutableMultiDict

from iqkg.query.execution import QueryJob
from iqkg.query.result_cache import CachedAnswer
from iqkg.server.query_pipeline import (
    Executed,
    QueryPlan,
    body_response,
    format_names,
    request_tag,
    respond,
)

QUERY = "SELECT * WHERE { ?s ?p ?o }"
BASE = {"default-graph-uri": "https://example.org/g1", "named-graph-uri": "https://example.org/g2"}


def _params(**changes: str) -> ImmutableMultiDict[str, str]:
    return ImmutableMultiDict({**BASE, **changes})


def test_the_same_request_on_the_same_version_has_the_same_tag() -> None:
    assert request_tag("v1", QUERY, _params(), "json") == request_tag(
        "v1", QUERY, _params(), "json"
    )


@pytest.mark.parametrize(
    ("version", "query", "params", "syntax"),
    [
        ("v2", QUERY, _params(), "json"),
        ("v1", QUERY + " LIMIT 1", _params(), "json"),
        ("v1", QUERY, _params(), "xml"),
        ("v1", QUERY, _params(**{"default-graph-uri": "https://example.org/g3"}), "json"),
        ("v1", QUERY, _params(**{"named-graph-uri": "https://example.org/g3"}), "json"),
    ],
)
def test_whatever_selects_the_answer_changes_the_tag(
    version: str, query: str, params: ImmutableMultiDict[str, str], syntax: str
) -> None:
    assert request_tag(version, query, params, syntax) != request_tag(
        "v1", QUERY, _params(), "json"
    )


def test_a_graph_moved_from_default_to_named_changes_the_tag() -> None:
    default = ImmutableMultiDict({"default-graph-uri": "https://example.org/g"})
    named = ImmutableMultiDict({"named-graph-uri": "https://example.org/g"})
    assert request_tag("v1", QUERY, default, "json") != request_tag("v1", QUERY, named, "json")


def test_format_and_output_are_both_format_names() -> None:
    params = ImmutableMultiDict([("output", "xml"), ("format", "json")])
    assert format_names(params) == ["json", "xml"]


def _plan() -> QueryPlan:
    headers = {"Content-Type": "application/sparql-results+json", "ETag": '"v1-x"'}
    job = QueryJob(QUERY, "json")
    return QueryPlan(headers, "v1", (QUERY, "json", None, None, 10), job, 5.0, False)


def test_a_truncated_answer_says_so_and_names_the_limit() -> None:
    planned = _plan()
    response = respond(Executed(CachedAnswer((b"{}",), True), False), planned, 10)
    assert response.headers["X-IQKG-Truncated"] == "true"
    assert response.headers["X-IQKG-Row-Limit"] == "10"
    assert "10" in response.headers["Warning"]
    assert "X-IQKG-Truncated" not in planned.headers  # the plan is not changed


def test_a_whole_answer_carries_the_planned_headers_only() -> None:
    response = respond(Executed(CachedAnswer((b"{}",), False), True), _plan(), 10)
    assert "X-IQKG-Truncated" not in response.headers
    assert response.headers["ETag"] == '"v1-x"'
    assert response.body == b"{}"


def test_several_chunks_stream_with_their_total_length() -> None:
    chunks = [b"ab", b"cde", b""]
    response = body_response(chunks, {})
    assert response.headers["Content-Length"] == "5"

    async def read() -> bytes:
        return b"".join([c async for c in response.body_iterator])  # type: ignore[attr-defined]

    assert asyncio.run(read()) == b"abcde"
