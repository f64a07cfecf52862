"""server/web.py in process: every answer with an ``ETag`` names ``Accept-Encoding`` in
``Vary`` (once, compressed or not, on the 304 as on the 200: RFC 9110 §15.4.5), gzip
above 1 KiB for clients that accept it, and CORS for SPARQL clients in browsers."""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI, Request
from starlette.responses import PlainTextResponse, Response
from starlette.testclient import TestClient

from iqkg.server import web

SMALL = "s" * 100
LARGE = "answer row\n" * 500  # 5.5 KB: gzip's business


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    app = FastAPI()
    web.install(app)

    @app.get("/tagged")
    def tagged(request: Request, size: str = "small", vary: str | None = None) -> Response:
        headers = {"ETag": '"v1"'}
        if vary is not None:
            headers["Vary"] = vary
        if request.headers.get("if-none-match") == '"v1"':
            return Response(status_code=304, headers=headers)
        return PlainTextResponse(LARGE if size == "large" else SMALL, headers=headers)

    @app.get("/untagged")
    def untagged(size: str = "small") -> PlainTextResponse:
        return PlainTextResponse(LARGE if size == "large" else SMALL)

    with TestClient(app) as running:
        yield running


def _vary(response: httpx.Response) -> list[str]:
    """The field names in ``Vary``, lower case, in order; ``Origin`` (CORS's) left out."""
    headers = response.headers
    named = [v.strip().lower() for line in headers.get_list("vary") for v in line.split(",")]
    return [v for v in named if v and v != "origin"]


def _names(value: str) -> set[str]:
    return {name.strip().lower() for name in value.split(",")}


GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}


@pytest.mark.parametrize(
    ("params", "headers"),
    [
        ({}, IDENTITY),
        ({}, GZIP),
        ({"size": "large"}, IDENTITY),
        ({"size": "large"}, GZIP),
    ],
    ids=["small", "small, gzip accepted", "large", "large, compressed"],
)
def test_an_answer_with_an_etag_varies_on_accept_encoding_once(
    client: TestClient, params: dict[str, str], headers: dict[str, str]
) -> None:
    response = client.get("/tagged", params=params, headers=headers)
    assert response.status_code == 200
    assert _vary(response) == ["accept-encoding"]


def test_the_304_varies_as_its_200(client: TestClient) -> None:
    for size in ("small", "large"):
        params = {"size": size, "vary": "Accept, Accept-Language"}
        ok = client.get("/tagged", params=params, headers=GZIP)
        not_modified = client.get(
            "/tagged", params=params, headers={**GZIP, "If-None-Match": ok.headers["etag"]}
        )
        assert not_modified.status_code == 304
        assert _vary(not_modified) == _vary(ok) == ["accept", "accept-language", "accept-encoding"]


@pytest.mark.parametrize(
    "vary",
    ["Accept", "Accept, Accept-Encoding", "Accept-Encoding, Accept", "accept-encoding, Accept"],
)
def test_the_routes_vary_is_kept_and_named_once(client: TestClient, vary: str) -> None:
    """Field names are case-insensitive (RFC 9110 §5.1): one Accept-Encoding in any case."""
    for size in ("small", "large"):
        response = client.get("/tagged", params={"size": size, "vary": vary}, headers=GZIP)
        assert sorted(_vary(response)) == ["accept", "accept-encoding"], (size, vary)


def test_without_an_etag_nothing_is_added(client: TestClient) -> None:
    assert _vary(client.get("/untagged", headers=GZIP)) == []
    # gzip itself names Accept-Encoding when it compressed
    compressed = client.get("/untagged", params={"size": "large"}, headers=GZIP)
    assert _vary(compressed) == ["accept-encoding"]


def test_gzip_above_a_kibibyte_for_clients_that_accept_it(client: TestClient) -> None:
    small = client.get("/tagged", headers=GZIP)
    assert "content-encoding" not in small.headers and small.text == SMALL
    plain = client.get("/tagged", params={"size": "large"}, headers=IDENTITY)
    assert "content-encoding" not in plain.headers and plain.text == LARGE
    stream = client.stream("GET", "/tagged", params={"size": "large"}, headers=GZIP)
    with stream as compressed:
        assert compressed.headers["content-encoding"] == "gzip"
        raw = b"".join(compressed.iter_raw())
    assert len(raw) < len(LARGE) / 10 and gzip.decompress(raw).decode() == LARGE
    assert compressed.headers["etag"] == plain.headers["etag"]


def test_cors_lets_browser_scripts_read_the_answer(client: TestClient) -> None:
    response = client.get("/tagged", headers={"Origin": "https://yasgui.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    exposed = _names(response.headers["access-control-expose-headers"])
    assert {"etag", "last-modified", "retry-after", "x-iqkg-dataset-version"} <= exposed
    assert {"x-iqkg-truncated", "x-iqkg-row-limit", "warning"} <= exposed


def test_cors_preflight_allows_a_sparql_post_with_validators(client: TestClient) -> None:
    preflight = client.options(
        "/tagged",
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, if-none-match",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    allowed = _names(preflight.headers["access-control-allow-headers"])
    assert {"content-type", "if-none-match"} <= allowed
    assert int(preflight.headers["access-control-max-age"]) >= 3600


def test_cors_preflight_refuses_methods_it_does_not_offer(client: TestClient) -> None:
    """Writes (PUT, DELETE on /store) are the operator's, from scripts, never cross-origin."""
    preflight = client.options(
        "/tagged",
        headers={"Origin": "https://yasgui.example", "Access-Control-Request-Method": "DELETE"},
    )
    assert preflight.status_code == 400
