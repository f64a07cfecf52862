"""server/operator.py in process: Bearer, or Basic with the token as password; anything
else 401 with a challenge per scheme; no operator token, no operator (404).

The credentials are tests/data/operator/authorization.json (Authorization → ok or 401,
each with its reason from RFC 6750, RFC 7617 and RFC 9110).
"""

from __future__ import annotations

import base64
import hmac
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request
from starlette.testclient import TestClient

from iqkg.errors import NotFound, OperatorUnauthorized
from iqkg.server.errors import install_error_handlers
from iqkg.server.operator import require_operator
from iqkg.settings import Settings

_DATA = json.loads(
    (Path(__file__).parents[1] / "data" / "operator" / "authorization.json").read_text()
)
TOKEN: str = _DATA["token"]
CASES: list[dict[str, Any]] = _DATA["cases"]


def _request(authorization: str | None) -> Request:
    headers = [] if authorization is None else [(b"authorization", authorization.encode("latin-1"))]
    return Request({"type": "http", "method": "POST", "path": "/update", "headers": headers})


def _settings(**overrides: Any) -> Settings:
    return Settings(**{"admin_token": TOKEN, "admin_user": "admin", **overrides})


@pytest.mark.parametrize("case", CASES, ids=[c["why"] + f" [{c['authorization']}]" for c in CASES])
def test_credentials(case: dict[str, Any]) -> None:
    request = _request(case["authorization"])
    settings = _settings(**case.get("settings", {}))
    if case["expected"] == "ok":
        require_operator(request, settings, "SPARQL Update")
    else:
        with pytest.raises(OperatorUnauthorized) as refused:
            require_operator(request, settings, "SPARQL Update")
        assert refused.value.status == 401
        # The message says what to send, and never the token it expected.
        assert "Bearer" in refused.value.message and "'admin'" in refused.value.message
        assert TOKEN not in refused.value.message


def test_the_cases_try_both_schemes_both_ways() -> None:
    for scheme in ("Bearer", "Basic"):
        outcomes = {c["expected"] for c in CASES if (c["authorization"] or "").startswith(scheme)}
        assert outcomes == {"ok", 401}, scheme


def test_without_an_operator_token_there_is_no_operator() -> None:
    """Not 401: no credentials could help, so the endpoint does not exist (404)."""
    for token in (None, ""):
        with pytest.raises(NotFound, match="IQKG_ADMIN_TOKEN"):
            require_operator(_request("Bearer "), _settings(admin_token=token), "/update")


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/update")
    def update(request: Request) -> dict[str, bool]:
        require_operator(request, _settings(), "SPARQL Update")
        return {"applied": True}

    with TestClient(app) as running:
        yield running


def test_a_refusal_is_401_with_a_challenge_per_scheme(client: TestClient) -> None:
    """RFC 9110 §11.6.1 and §15.5.2: a 401 carries WWW-Authenticate; one challenge each for
    Bearer (RFC 6750 §3) and Basic (RFC 7617 §2, with charset="UTF-8", §2.1)."""
    for authorization in (None, "Bearer wrong", "Basic " + base64.b64encode(b"admin:x").decode()):
        headers = {} if authorization is None else {"Authorization": authorization}
        response = client.post("/update", headers=headers)
        assert response.status_code == 401, authorization
        challenges = response.headers.get_list("www-authenticate")
        schemes = {c.split()[0].lower() for c in challenges}
        assert schemes == {"bearer", "basic"}
        basic = next(c for c in challenges if c.lower().startswith("basic"))
        assert 'realm="' in basic and 'charset="UTF-8"' in basic
    accepted = client.post("/update", headers={"Authorization": f"Bearer {TOKEN}"})
    assert accepted.status_code == 200 and accepted.json() == {"applied": True}


def test_comparisons_take_constant_time_and_never_stop_early(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every secret is compared with hmac.compare_digest, and a Basic attempt compares the
    password even when the user is already wrong, so timing tells neither apart."""
    compared: list[tuple[bytes, bytes]] = []
    compare_digest = hmac.compare_digest

    def spy(given: bytes, expected: bytes) -> bool:
        compared.append((given, expected))
        return compare_digest(given, expected)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    require_operator(_request(f"Bearer {TOKEN}"), _settings(), "/update")
    assert compared == [(TOKEN.encode(), TOKEN.encode())]

    compared.clear()
    wrong_user = base64.b64encode(f"guest:{TOKEN}".encode()).decode()
    with pytest.raises(OperatorUnauthorized):
        require_operator(_request(f"Basic {wrong_user}"), _settings(), "/update")
    assert (TOKEN.encode(), TOKEN.encode()) in compared  # the password, despite the user
    assert (b"guest", b"admin") in compared
