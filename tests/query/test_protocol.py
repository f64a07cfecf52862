"""query/protocol.py: checking one SPARQL 1.1 Protocol query request and choosing its
response syntax, over the cases in tests/data/query-protocol/ (see its README)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from iqkg import errors
from iqkg.errors import Forbidden, InputError
from iqkg.query.policy import QueryShape
from iqkg.query.protocol import (
    MISSING_QUERY,
    ProtocolRequest,
    check_graphs,
    choose_syntax,
    content_type,
    protocol_request,
    single,
)
from iqkg.rdf.iris import IriScheme
from tests.support.server import ROOT

DATA = ROOT / "tests" / "data" / "query-protocol"
REQUESTS: list[dict[str, Any]] = json.loads((DATA / "requests.json").read_text("utf-8"))
SYNTAX: list[dict[str, Any]] = json.loads((DATA / "syntax.json").read_text("utf-8"))


def _check(case: dict[str, Any]) -> ProtocolRequest:
    return protocol_request(
        case["query"],
        default_graphs=case["default"],
        named_graphs=case["named"],
        format_name=None,
        timeout=case["timeout"],
        max_timeout=case["max_timeout"],
        max_bytes=case["max_bytes"],
    )


@pytest.mark.parametrize("case", REQUESTS, ids=[c["name"] for c in REQUESTS])
def test_request(case: dict[str, Any]) -> None:
    if "error" in case:
        with pytest.raises(getattr(errors, case["error"])) as raised:
            _check(case)
        assert type(raised.value) is getattr(errors, case["error"])
        assert case["says"] in raised.value.message
        return
    request = _check(case)
    for field, expected in case["expect"].items():
        got = getattr(request, field)
        assert (list(got) if isinstance(got, tuple) else got) == expected, field


def test_missing_query_says_how_to_send_one() -> None:
    assert "?query=" in MISSING_QUERY and "application/sparql-query" in MISSING_QUERY


@pytest.mark.parametrize(
    "case", SYNTAX, ids=[f"{c['form']}-{'+'.join(c['format'])}-{c['accept']}" for c in SYNTAX]
)
def test_choose_syntax(case: dict[str, Any]) -> None:
    shape = QueryShape(case["form"])
    expected = case["expected"]
    if expected in ("InputError", "NotAcceptable"):
        with pytest.raises(getattr(errors, expected)):
            choose_syntax(shape, case["format"], case["accept"])
        return
    assert choose_syntax(shape, case["format"], case["accept"]).name == expected


@pytest.mark.parametrize("base", ["https://w3id.org/iqkg/", "https://data.example.org/kg/"])
@pytest.mark.parametrize("hidden", ["archive/", "private/"])
@pytest.mark.parametrize("where", ["default", "named", "from", "from_named"])
def test_hidden_graphs_refused_wherever_named(base: str, hidden: str, where: str) -> None:
    iris = IriScheme(base)
    graph = iris.graph(hidden + "partner-x/1")
    request = ProtocolRequest(
        "ASK {}",
        (graph,) if where == "default" else None,
        (graph,) if where == "named" else None,
        None,
        1.0,
    )
    shape = QueryShape(
        "ASK",
        from_graphs=(graph,) if where == "from" else (),
        from_named_graphs=(graph,) if where == "from_named" else (),
    )
    with pytest.raises(Forbidden, match="not public"):
        check_graphs(request, shape, iris)


def test_public_graphs_pass() -> None:
    iris = IriScheme("https://data.example.org/kg/")
    public = (iris.graph("curated"), iris.graph("submission/abc"), iris.graph("archived"))
    hidden_elsewhere = IriScheme().graph("private/x")  # another installation's, not hidden here
    request = ProtocolRequest("ASK {}", public, (hidden_elsewhere,), None, 1.0)
    check_graphs(request, QueryShape("ASK", from_graphs=public), iris)


def test_single_parameter() -> None:
    assert single([], "query") is None
    assert single(["ASK {}"], "query") == "ASK {}"
    with pytest.raises(InputError, match="'update' was given 2 times"):
        single(["a", "b"], "update")


@pytest.mark.parametrize(
    ("media_type", "expected"),
    [
        ("text/csv", "text/csv; charset=utf-8"),
        ("text/turtle", "text/turtle; charset=utf-8"),
        ("application/sparql-results+json", "application/sparql-results+json"),
    ],
)
def test_content_type(media_type: str, expected: str) -> None:
    assert content_type(media_type) == expected
