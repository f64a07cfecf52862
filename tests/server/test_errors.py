"""server/errors.py in process: the one handler's negotiation (JSON, a page, text) by the
q-values of ``Accept``, the headers an error must carry, and a 500 that reveals nothing.

The negotiation cases are tests/data/error-negotiation/accept.json (method and Accept →
json, html or text, each with its reason from RFC 9110 §12.5.1). The statuses of the
error classes are tests/test_errors.py's.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, HTTPException
from starlette.testclient import TestClient

from iqkg.errors import InputError, NotFound, OperatorUnauthorized, Overloaded
from iqkg.server.errors import install_error_handlers
from iqkg.server.services import STATE_KEY, Services
from iqkg.server.templates import build_templates

_DATA = json.loads(
    (Path(__file__).parents[1] / "data" / "error-negotiation" / "accept.json").read_text()
)
CASES: list[dict[str, Any]] = _DATA["cases"]
SECRET = "/srv/iqkg/var/store password=hunter2"


def _routes(app: FastAPI) -> None:
    @app.api_route("/missing", methods=["GET", "HEAD", "POST", "DELETE"])
    def missing() -> None:
        raise NotFound("there is no such resource here", detail={"iri": "urn:x"})

    @app.get("/busy")
    def busy() -> None:
        raise Overloaded("every worker is busy", retry_after=7)

    @app.get("/operator")
    def operator() -> None:
        raise OperatorUnauthorized("the operator's credentials are needed")

    @app.get("/teapot")
    def teapot() -> None:
        raise HTTPException(418, "short and stout", headers={"X-Reason": "tea"})

    @app.get("/limited")
    def limited(rows: int) -> int:
        return rows

    @app.get("/bug")
    def bug() -> None:
        raise RuntimeError(f"cannot open {SECRET}")

    @app.get("/input")
    def input_error() -> None:
        raise InputError("line 3: that is no IRI")


def _services() -> Services:
    """Services with nothing but the templates: all an error page reads."""
    parts: dict[str, Any] = {field.name: None for field in fields(Services)}
    return Services(**{**parts, "templates": build_templates()})


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    """An app with the handlers, whose lifespan yields services (so pages are possible)."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[dict[str, Any]]:
        yield {STATE_KEY: _services()}

    app = FastAPI(lifespan=lifespan)
    install_error_handlers(app)
    _routes(app)
    with TestClient(app, raise_server_exceptions=False) as running:
        yield running


@pytest.fixture(scope="module")
def bare_client() -> Iterator[TestClient]:
    """The handlers without services: a request the app refused before its lifespan ran."""
    app = FastAPI()
    install_error_handlers(app)
    _routes(app)
    with TestClient(app, raise_server_exceptions=False) as running:
        yield running


def _headers(accept: str | None) -> dict[str, str]:
    # TestClient (httpx) sends Accept: */* unless told otherwise; None stands for that.
    return {} if accept is None else {"Accept": accept}


def _kind(content_type: str) -> str:
    media_type = content_type.split(";")[0].strip()
    return {"application/json": "json", "text/html": "html", "text/plain": "text"}[media_type]


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{c['method']} {c['accept']} -> {c['expected']}" for c in CASES]
)
def test_the_error_is_negotiated_by_q_values(client: TestClient, case: dict[str, Any]) -> None:
    response = client.request(case["method"], "/missing", headers=_headers(case["accept"]))
    assert response.status_code == 404
    assert _kind(response.headers["content-type"]) == case["expected"], case["why"]
    if case["method"] == "HEAD":
        return
    if case["expected"] == "json":
        assert response.json() == {
            "status": 404,
            "error": "Not Found",
            "message": "there is no such resource here",
            "detail": {"iri": "urn:x"},
        }
    elif case["expected"] == "text":
        assert response.text == "404 Not Found: there is no such resource here\n"
    else:
        assert "<html" in response.text and "there is no such resource here" in response.text


def test_the_cases_cover_each_answer_and_the_q_zero_rule() -> None:
    assert {c["expected"] for c in CASES} == {"json", "html", "text"}
    assert any("q=0," in (c["accept"] or "") or (c["accept"] or "").endswith("q=0") for c in CASES)


def test_a_page_is_in_the_readers_language(client: TestClient) -> None:
    english = client.get("/missing", headers={"Accept": "text/html", "Accept-Language": "en"})
    german = client.get("/missing", headers={"Accept": "text/html", "Accept-Language": "de"})
    assert english.headers["content-language"] == "en"
    assert german.headers["content-language"] == "de"
    assert english.text != german.text
    assert "Accept-Language" in english.headers["vary"]


def test_without_services_a_browser_gets_text(bare_client: TestClient) -> None:
    response = bare_client.get("/missing", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "404 Not Found: there is no such resource here\n"


def test_a_503_says_when_to_retry(client: TestClient) -> None:
    response = client.get("/busy")
    assert response.status_code == 503 and response.headers["retry-after"] == "7"


def test_a_401_names_every_scheme_it_accepts(client: TestClient) -> None:
    """RFC 9110 §11.6.1: one challenge per scheme; RFC 7617 §2.1: Basic names UTF-8."""
    response = client.get("/operator", headers={"Accept": "application/json"})
    assert response.status_code == 401
    challenges = response.headers.get_list("www-authenticate")
    assert [c.split()[0] for c in challenges] == ["Bearer", "Basic"]
    assert all('realm="' in c for c in challenges)
    assert 'charset="UTF-8"' in challenges[1]


def test_a_framework_error_keeps_its_status_and_headers(client: TestClient) -> None:
    response = client.get("/teapot", headers={"Accept": "application/json"})
    assert response.status_code == 418 and response.headers["x-reason"] == "tea"
    assert response.json()["message"] == "short and stout"
    assert client.get("/nowhere").text == "404 Not Found: Not Found\n"


def test_invalid_parameters_are_400_naming_the_parameter(client: TestClient) -> None:
    response = client.get("/limited", params={"rows": "many"}, headers={"Accept": "text/plain"})
    assert response.status_code == 400  # not FastAPI's 422: the request is malformed
    assert "rows" in response.text
    assert client.get("/input").text == "400 Bad Request: line 3: that is no IRI\n"


@pytest.mark.parametrize("accept", ["application/json", "text/plain", "text/html", "*/*"])
def test_a_bug_is_500_and_reveals_nothing(
    client: TestClient, accept: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("ERROR", logger="iqkg.server"):
        response = client.get("/bug", headers={"Accept": accept})
    assert response.status_code == 500
    for internal in ("hunter2", "/srv/iqkg", "RuntimeError", "Traceback", "test_errors"):
        assert internal not in response.text
    assert "internal error" in response.text
    # ... while the operator's log has it all.
    assert any(SECRET in (record.exc_text or "") for record in caplog.records)
