"""What the submission tests share: fixtures as files, partners via the real CLI."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx

from tests.support.server import ROOT, RunningServer, iqkg

DATA = ROOT / "tests" / "data" / "submissions"

MEDIA_TYPES = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "nq": "application/n-quads",
    "trig": "application/trig",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
}


def fixture(name: str, partner: str) -> bytes:
    """A fixture file with its PARTNER placeholder replaced by the partner's slug."""
    return (DATA / name).read_text(encoding="utf-8").replace("PARTNER", partner).encode()


def add_partner(server: RunningServer, name: str, slug: str) -> str:
    """Register a partner with ``iqkg partner add`` while the server runs; its token."""
    result = iqkg("partner", "add", name, "--slug", slug, env=server.env)
    match = re.search(r"token \(shown only now; store it safely\): (\S+)", result.stdout)
    assert match, result.stdout
    return match.group(1)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def submit(
    client: httpx.Client, token: str | None, body: bytes, media_type: str = "text/turtle", **kw: Any
) -> httpx.Response:
    headers = {"Content-Type": media_type, "Accept": "application/json"}
    if token:
        headers.update(bearer(token))
    headers.update(kw.pop("headers", {}))
    return client.post("/submissions", content=body, headers=headers, **kw)


def sparql(client: httpx.Client, query: str) -> list[dict[str, Any]]:
    response = client.post(
        "/sparql",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.text
    bindings: list[dict[str, Any]] = response.json()["results"]["bindings"]
    return [{k: v["value"] for k, v in row.items()} for row in bindings]


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
