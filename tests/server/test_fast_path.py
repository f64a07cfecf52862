"""server/fast_path.py: ``GET``/``HEAD /sparql`` answered without the framework's layers
gives the answer the whole stack gives, status, headers and body, errors included."""

from __future__ import annotations

import ast
import random
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.datastructures import QueryParams
from starlette.testclient import TestClient

from iqkg.server import fast_path
from iqkg.server.app import create_app
from iqkg.settings import Settings
from tests.server.conftest import SPARQL_KNOWLEDGE
from tests.support.server import iqkg

JSON = "application/sparql-results+json"
EVERYTHING = "SELECT * { ?s ?p ?o }"
DATA = Path(__file__).parent.parent / "data" / "fast-path"

#: (query parameters, headers, method): answers, 304s, refusals and client errors.
REQUESTS: list[tuple[dict[str, str | list[str]], dict[str, str], str]] = [
    ({"query": EVERYTHING}, {"Accept": JSON}, "GET"),
    ({"query": EVERYTHING}, {"Accept": JSON}, "HEAD"),
    ({"query": EVERYTHING}, {"Accept": JSON, "Accept-Encoding": "identity"}, "GET"),
    ({"query": EVERYTHING + " LIMIT 1"}, {"Accept": "text/csv"}, "GET"),
    ({"query": EVERYTHING, "format": "json"}, {}, "GET"),
    ({"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, {"Accept": "text/turtle"}, "GET"),
    ({"query": "ASK {}"}, {"Accept": "application/json"}, "GET"),
    ({"query": "ASK {}"}, {"Accept": JSON, "Accept-Encoding": "gzip"}, "GET"),
    ({"query": "ASK {}"}, {"Accept": JSON, "Accept-Encoding": "gzip"}, "HEAD"),
    ({"query": 'ASK { ?s ?p "Größe – 😀"@de }'}, {"Accept": JSON}, "GET"),
    ({"query": "SELEC"}, {"Accept": JSON}, "GET"),
    ({"query": "SELEC"}, {"Accept": "*/*"}, "GET"),
    ({"query": ["ASK {}", "ASK {}"]}, {"Accept": JSON}, "GET"),
    ({"query": "ASK {}"}, {"Accept": "image/png"}, "GET"),
    ({"query": "ASK {}", "timeout": "soon"}, {"Accept": JSON}, "GET"),
    ({"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, {"Accept": JSON}, "GET"),
    (
        {"query": EVERYTHING, "default-graph-uri": "https://w3id.org/iqkg/graph/private/x"},
        {"Accept": JSON},
        "GET",
    ),
    ({"update": "CLEAR ALL"}, {"Accept": JSON}, "GET"),
    ({}, {"Accept": "text/turtle"}, "GET"),
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store: Path = tmp_path_factory.mktemp("fast") / "store"
    iqkg("load", env={"IQKG_STORE": str(store), "IQKG_KNOWLEDGE_DIR": str(SPARQL_KNOWLEDGE)})
    settings = Settings(
        store=store, knowledge_dir=SPARQL_KNOWLEDGE, query_workers=1, concurrent_validations=1
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as running:
        yield running


def _both(
    client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    params: dict[str, str | list[str]],
    headers: dict[str, str],
) -> tuple[httpx.Response, httpx.Response]:
    """The answer by the direct path, then by the whole stack (the direct path turned off)."""
    taken: list[bool] = []
    original = fast_path.takes_direct_path

    def spy(scope: dict[str, object]) -> bool:
        taken.append(original(scope))
        return taken[-1]

    monkeypatch.setattr(fast_path, "takes_direct_path", spy)
    direct = client.request(method, "/sparql", params=params, headers=headers)
    assert taken == [True], "the request did not take the direct path"
    monkeypatch.setattr(fast_path, "takes_direct_path", lambda scope: False)
    whole = client.request(method, "/sparql", params=params, headers=headers)
    monkeypatch.undo()
    return direct, whole


def _comparable(response: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = [(k, v) for k, v in response.headers.multi_items() if k != "date"]
    return response.status_code, headers, response.content


@pytest.mark.parametrize(("params", "headers", "method"), REQUESTS)
def test_the_direct_path_answers_as_the_whole_stack(
    client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    params: dict[str, str | list[str]],
    headers: dict[str, str],
    method: str,
) -> None:
    direct, whole = _both(client, monkeypatch, method, params, headers)
    assert _comparable(direct) == _comparable(whole)


def test_a_conditional_get_is_answered_304_by_the_direct_path(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = client.get("/sparql", params={"query": EVERYTHING}, headers={"Accept": JSON})
    tag = {"Accept": JSON, "If-None-Match": first.headers["etag"]}
    direct, whole = _both(client, monkeypatch, "GET", {"query": EVERYTHING}, tag)
    assert direct.status_code == 304
    assert _comparable(direct) == _comparable(whole)


def test_large_answers_are_gzipped_on_the_direct_path(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    gzip = {"Accept": JSON, "Accept-Encoding": "gzip"}
    direct, whole = _both(client, monkeypatch, "GET", {"query": EVERYTHING}, gzip)
    assert direct.headers["content-encoding"] == "gzip"
    assert _comparable(direct) == _comparable(whole)


@pytest.mark.parametrize(
    "headers",
    [
        {"Accept": JSON, "Origin": "https://example.org"},  # CORS acts on it
        {"Accept": "text/html,*/*;q=0.8"},  # a browser: the editor page
    ],
)
def test_cors_and_browsers_take_the_whole_stack(headers: dict[str, str]) -> None:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    scope = {"type": "http", "method": "GET", "path": "/sparql", "headers": raw}
    assert not fast_path.takes_direct_path(scope)
    assert fast_path.takes_direct_path({**scope, "headers": [(b"accept", JSON.encode())]})
    assert not fast_path.takes_direct_path({**scope, "path": "/sparql/", "headers": []})
    assert not fast_path.takes_direct_path({**scope, "method": "POST", "headers": []})
    assert not fast_path.takes_direct_path({**scope, "root_path": "/kg", "headers": []})


def test_an_unexpected_error_is_the_apps_500(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(request: object, params: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(fast_path, "answer_get", broken)
    response = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": JSON})
    assert response.status_code == 500
    assert response.json()["message"] == "internal error; it has been logged"
    assert "a bug" not in response.text
    assert "unhandled error on GET /sparql" in caplog.text


def _query_strings() -> list[bytes]:
    lines = (DATA / "query-strings.txt").read_text("utf-8").splitlines()
    return [ast.literal_eval(line) for line in lines if line and not line.startswith("#")]


@pytest.mark.parametrize("raw", _query_strings())
def test_query_strings_read_as_starlette_reads_them(raw: bytes) -> None:
    assert list(fast_path.query_params(raw).multi_items()) == list(QueryParams(raw).multi_items())


def test_random_query_strings_read_as_starlette_reads_them() -> None:
    """Seeded strings over the characters that matter (escapes, separators, backslashes,
    bytes beyond ASCII): the same reading as Starlette's, every one."""
    rng = random.Random(20111)
    alphabet = [b"%", b"%", b"C3", b"A9", b"e9", b"5C", b"+", b"&", b"=", b"\\", b"x", b"u"]
    alphabet += [b"0", b"F", b"z", b"a", b" ", b"\xc3", b"\xa9", b"%2", b"%F0%9F%98%80"]
    for _ in range(3_000):
        raw = b"".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 24)))
        assert list(fast_path.query_params(raw).multi_items()) == list(
            QueryParams(raw).multi_items()
        ), raw
