"""Submitting the same content twice writes nothing twice (issue 11).

Content is compared as canonical RDF (RDFC-1.0), so a file re-serialised in another
syntax matches too; a ``PUT`` equal to the current version makes no new version; a
withdrawn submission is never matched. ``Idempotency-Key`` replays the first answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.submissions.helpers import MEDIA_TYPES, add_partner, bearer, fixture, sparql, submit
from tests.support.server import RunningServer

BASE = "https://w3id.org/iqkg/"


@pytest.fixture(scope="module")
def client(server: RunningServer) -> Iterator[httpx.Client]:
    with server.client() as c:
        yield c


@pytest.fixture
def partner(server: RunningServer) -> tuple[str, str]:
    """A fresh partner per test: (slug, token)."""
    slug = f"same-{uuid.uuid4().hex[:10]}"
    return slug, add_partner(server, f"Partner {slug}", slug)


def _mine(client: httpx.Client, token: str, slug: str) -> list[dict[str, Any]]:
    response = client.get(
        "/submissions",
        params={"partner": slug},
        headers={**bearer(token), "Accept": "application/json"},
    )
    assert response.status_code == 200, response.text
    submissions: list[dict[str, Any]] = response.json()["submissions"]
    return submissions


def _put(client: httpx.Client, token: str, url: str, body: bytes, **headers: str) -> httpx.Response:
    return client.put(
        url,
        content=body,
        headers={
            **bearer(token),
            "Content-Type": "text/turtle",
            "Accept": "application/json",
            **headers,
        },
    )


def test_the_same_file_twice_is_one_submission(
    client: httpx.Client, partner: tuple[str, str]
) -> None:
    slug, token = partner
    body = fixture("project.ttl", slug)
    first = submit(client, token, body)
    assert first.status_code == 201, first.text
    again = submit(client, token, body)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"] and again.json()["unchanged"] is True
    assert again.headers["location"] == first.headers["location"]
    assert [s["id"] for s in _mine(client, token, slug)] == [first.json()["id"]]
    # one badge per fact: the triple is in one live graph only
    rows = sparql(
        client,
        f"SELECT ?g WHERE {{ GRAPH ?g {{ <{BASE}id/partner/{slug}/project-recognition-counselling>"
        f" a ?t }} }}",
    )
    assert {row["g"] for row in rows} == {f"{BASE}graph/submission/{first.json()['id']}"}


@pytest.mark.parametrize("extension", ["nt", "jsonld", "rdf", "trig", "nq"])
def test_a_re_serialised_file_matches(
    client: httpx.Client, partner: tuple[str, str], extension: str
) -> None:
    slug, token = partner
    first = submit(client, token, fixture("project.ttl", slug))
    assert first.status_code == 201, first.text
    other = submit(client, token, fixture(f"project.{extension}", slug), MEDIA_TYPES[extension])
    assert other.status_code == 200, other.text
    assert other.json()["id"] == first.json()["id"]


def test_other_content_or_other_partner_is_new(
    server: RunningServer, client: httpx.Client, partner: tuple[str, str]
) -> None:
    slug, token = partner
    body = fixture("project.ttl", slug)
    first = submit(client, token, body)
    changed = submit(client, token, body.replace(b"(example)", b"(example, changed)"))
    assert changed.status_code == 201 and changed.json()["id"] != first.json()["id"]
    # the operator submitting the same content for the same partner matches too
    from tests.conftest import ADMIN_TOKEN

    on_behalf = submit(client, ADMIN_TOKEN, body, params={"partner": slug})
    assert on_behalf.status_code == 200 and on_behalf.json()["id"] == first.json()["id"]


def test_put_equal_to_the_current_version_makes_no_version(
    client: httpx.Client, partner: tuple[str, str]
) -> None:
    slug, token = partner
    v1 = fixture("project.ttl", slug)
    created = submit(client, token, v1)
    url = created.headers["location"]
    same = _put(
        client, token, url, fixture("project.nt", slug), **{"Content-Type": MEDIA_TYPES["nt"]}
    )
    assert same.status_code == 200, same.text
    assert same.json()["version"] == 1 and same.json()["unchanged"] is True
    v2 = v1.replace(b"(example)", b"(example, v2)")
    second = _put(client, token, url, v2)
    assert second.json()["version"] == 2 and second.json()["unchanged"] is False
    back = _put(client, token, url, v1)  # equal to v1, but v2 is current: a new version
    assert back.json()["version"] == 3 and back.json()["unchanged"] is False


def test_a_withdrawn_submission_is_not_matched(
    client: httpx.Client, partner: tuple[str, str]
) -> None:
    slug, token = partner
    body = fixture("project.ttl", slug)
    first = submit(client, token, body)
    assert client.delete(first.headers["location"], headers=bearer(token)).status_code == 200
    again = submit(client, token, body)
    assert again.status_code == 201, again.text
    assert again.json()["id"] != first.json()["id"]
    assert submit(client, token, body).json()["id"] == again.json()["id"]
    # and a PUT bringing the withdrawn one back with its old content is a new version
    revived = _put(client, token, first.headers["location"], body)
    assert revived.status_code == 200 and revived.json()["version"] == 2


def test_an_idempotency_key_replays_the_first_answer(
    client: httpx.Client, partner: tuple[str, str]
) -> None:
    slug, token = partner
    key = str(uuid.uuid4())
    body = fixture("project.ttl", slug)
    first = submit(client, token, body, headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.text
    replay = submit(client, token, body, headers={"Idempotency-Key": key})
    assert replay.status_code == 201  # the first answer, not "200 unchanged"
    assert replay.content == first.content
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.headers["location"] == first.headers["location"]
    assert len(_mine(client, token, slug)) == 1


def test_a_key_reused_for_other_content_is_refused(
    server: RunningServer, client: httpx.Client, partner: tuple[str, str]
) -> None:
    slug, token = partner
    key = f'"{uuid.uuid4()}"'  # as a Structured Field string
    body = fixture("project.ttl", slug)
    assert submit(client, token, body, headers={"Idempotency-Key": key}).status_code == 201
    other = submit(
        client, token, body.replace(b"(example)", b"(other)"), headers={"Idempotency-Key": key}
    )
    assert other.status_code == 422, other.text
    message = other.json()["message"]
    assert "Idempotency-Key" in message and "different body" in message
    assert len(_mine(client, token, slug)) == 1
    # keys belong to their partner: another partner may use the same one
    slug2 = f"same-{uuid.uuid4().hex[:10]}"
    token2 = add_partner(server, "Zweiter Partner", slug2)
    theirs = submit(client, token2, fixture("project.ttl", slug2), headers={"Idempotency-Key": key})
    assert theirs.status_code == 201, theirs.text


def test_a_rejection_is_replayed_and_a_malformed_key_is_400(
    client: httpx.Client, partner: tuple[str, str]
) -> None:
    slug, token = partner
    key = str(uuid.uuid4())
    bad = fixture("shape-violations.ttl", slug)
    first = submit(client, token, bad, headers={"Idempotency-Key": key})
    assert first.status_code == 422
    replay = submit(client, token, bad, headers={"Idempotency-Key": key})
    assert replay.status_code == 422 and replay.content == first.content
    assert replay.headers["idempotent-replayed"] == "true"
    malformed = submit(client, token, bad, headers={"Idempotency-Key": "x" * 300})
    assert malformed.status_code == 400 and "Idempotency-Key" in malformed.text


def test_a_key_on_a_put_replays_too(client: httpx.Client, partner: tuple[str, str]) -> None:
    slug, token = partner
    url = submit(client, token, fixture("project.ttl", slug)).headers["location"]
    v2 = fixture("project.ttl", slug).replace(b"(example)", b"(example, v2)")
    key = str(uuid.uuid4())
    first = _put(client, token, url, v2, **{"Idempotency-Key": key})
    replay = _put(client, token, url, v2, **{"Idempotency-Key": key})
    assert first.json()["version"] == 2
    assert replay.content == first.content and replay.headers["idempotent-replayed"] == "true"
    assert client.get(url, headers={"Accept": "application/json"}).json()["version"] == 2
