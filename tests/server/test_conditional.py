"""Conditional requests (``server/conditional.py``): the decision from tables in
``tests/data/conditional/evaluate/``, then the running server on every answer listed in
``tests/data/conditional/http.json``."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from iqkg.server.conditional import (
    Outcome,
    Validators,
    entity_tag,
    evaluate,
    http_date,
    not_modified_headers,
    parse_tag_list,
    validators,
)
from tests.conftest import ADMIN_TOKEN
from tests.support.server import ROOT, RunningServer

DATA = ROOT / "tests" / "data" / "conditional"
TABLES = sorted((DATA / "evaluate").glob("*.json"))
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
TARGETS: list[dict[str, Any]] = json.loads((DATA / "http.json").read_text())["targets"]


def _moment(value: str | None) -> datetime | None:
    if value is None:
        return None
    return http_date(value) if "," in value else datetime.fromisoformat(value)


def _current(spec: dict[str, Any] | None) -> Validators | None:
    if spec is None:
        return None
    tags = spec.get("etags") or ([spec["etag"]] if spec.get("etag") else [])
    return validators(tags, _moment(spec.get("last_modified")))


def _cases() -> list[Any]:
    cases = []
    for table in TABLES:
        content = json.loads(table.read_text())
        for case in content["cases"]:
            current = case["current"] if "current" in case else content["current"]
            cases.append(
                pytest.param(
                    case["method"],
                    case["headers"],
                    current,
                    case["expect"],
                    id=f"{table.stem}: {case['name']}",
                )
            )
    return cases


@pytest.mark.parametrize(("method", "headers", "current", "expect"), _cases())
def test_evaluate(
    method: str, headers: dict[str, str], current: dict[str, Any] | None, expect: int
) -> None:
    lowered = {k.lower(): v for k, v in headers.items()}
    assert evaluate(method, lowered, _current(current)) is Outcome(expect)


def test_the_tables_are_there() -> None:
    """A folder emptied by mistake must not pass as "no case failed"."""
    assert len(TABLES) >= 5 and len(_cases()) >= 50


def test_entity_tags_are_written_as_parsed() -> None:
    assert entity_tag("v1", "de", "html", weak=True) == 'W/"v1-de-html"'
    assert parse_tag_list(entity_tag("v1", "ttl")) == parse_tag_list(' "v1-ttl" ')
    assert parse_tag_list("*") == "*"


def test_a_304_keeps_only_validators_and_caching_headers() -> None:
    headers = {
        "ETag": '"a"',
        "Vary": "Accept",
        "Cache-Control": "no-cache",
        "Last-Modified": "Tue, 01 Dec 2026 10:00:00 GMT",
        "Content-Type": "text/turtle",
        "Link": "</x.ttl>",
    }
    kept = not_modified_headers(headers)
    assert set(kept) == {"ETag", "Vary", "Cache-Control", "Last-Modified"}


# --- the running server ----------------------------------------------------------------


def _get(server: RunningServer, target: dict[str, Any], **headers: str) -> Any:
    with server.client() as client:
        return client.get(target["path"], headers={"Accept": target["accept"], **headers})


def _opaque(tag: str) -> str:
    return tag.removeprefix("W/")


def _targets(wanted: Callable[[dict[str, Any]], bool]) -> list[Any]:
    return [pytest.param(t, id=t["name"]) for t in TARGETS if wanted(t)]


EVERY = _targets(lambda t: True)
PAGES = _targets(lambda t: t["accept"] == "text/html")
IN_LANGUAGES = _targets(lambda t: t["language"])
#: StaticFiles answers If-None-Match/If-Modified-Since only (its files are never written).
GUARDED = _targets(lambda t: not t["path"].startswith("/static/"))


def _first(server: RunningServer, target: dict[str, Any]) -> Any:
    """The 200 (in English) that the test's other requests revalidate. Asked for in each
    test: another test's write (the server is shared) makes an older tag stale."""
    response = _get(server, target, **{"Accept-Language": "en"})
    assert response.status_code == 200, response.text[:300]
    assert "etag" in response.headers, f"{target['name']} has no ETag"
    return response


@pytest.mark.parametrize("target", EVERY)
def test_the_tag_gives_304_with_the_200s_validators(
    server: RunningServer, target: dict[str, Any]
) -> None:
    ok = _first(server, target)
    again = _get(server, target, **{"Accept-Language": "en", "If-None-Match": ok.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    for name in ("etag", "vary", "cache-control", "last-modified"):
        assert again.headers.get(name) == ok.headers.get(name), name
    assert "accept-encoding" in ok.headers["vary"].lower()


@pytest.mark.parametrize("target", PAGES)
def test_pages_have_weak_tags_and_vary_by_language(
    server: RunningServer, target: dict[str, Any]
) -> None:
    """HTML pages are equal in meaning, not byte for byte (weak, RFC 9110 §8.8.1)."""
    ok = _first(server, target)
    assert ok.headers["content-type"].startswith("text/html")
    assert ok.headers["etag"].startswith('W/"')
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in ok.headers["vary"].split(",")}


@pytest.mark.parametrize("target", EVERY)
def test_the_weak_form_of_the_tag_gives_304(server: RunningServer, target: dict[str, Any]) -> None:
    ok = _first(server, target)
    weak = "W/" + _opaque(ok.headers["etag"])
    again = _get(server, target, **{"Accept-Language": "en", "If-None-Match": weak})
    assert again.status_code == 304


@pytest.mark.parametrize("target", EVERY)
def test_the_tag_in_a_list_gives_304(server: RunningServer, target: dict[str, Any]) -> None:
    ok = _first(server, target)
    listed = f'"elsewhere", W/"older", {ok.headers["etag"]}'
    again = _get(server, target, **{"Accept-Language": "en", "If-None-Match": listed})
    assert again.status_code == 304
    other = _get(server, target, **{"Accept-Language": "en", "If-None-Match": '"a", W/"b"'})
    assert other.status_code == 200 and other.headers["etag"] == ok.headers["etag"]


@pytest.mark.parametrize("target", IN_LANGUAGES)
def test_another_language_is_another_representation(
    server: RunningServer, target: dict[str, Any]
) -> None:
    ok = _first(server, target)
    german = _get(server, target, **{"Accept-Language": "de", "If-None-Match": ok.headers["etag"]})
    assert german.status_code == 200
    assert german.headers["content-language"] == "de"
    assert german.headers["etag"] != ok.headers["etag"]


@pytest.mark.parametrize("target", GUARDED)
def test_a_precondition_that_fails_is_412(server: RunningServer, target: dict[str, Any]) -> None:
    stale = _get(server, target, **{"If-Match": '"not-the-current-one"'})
    assert stale.status_code == 412


def test_the_editors_tag_names_the_query_filled_in(server: RunningServer) -> None:
    html = {"Accept": "text/html", "Accept-Language": "en"}
    with server.client() as client:
        one = client.get("/sparql", params={"query": "ASK {}"}, headers=html)
        other = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers=html)
        assert one.status_code == other.status_code == 200
        assert one.headers["etag"] != other.headers["etag"]
        assert one.headers["etag"] != client.get("/sparql", headers=html).headers["etag"]
        # The tag of one query's page is not the other's: the other is sent whole.
        crossed = client.get(
            "/sparql",
            params={"query": "ASK { ?s ?p ?o }"},
            headers={**html, "If-None-Match": one.headers["etag"]},
        )
        assert crossed.status_code == 200 and "ASK { ?s ?p ?o }" in crossed.text


def test_pages_built_per_caller_are_private(server: RunningServer) -> None:
    with server.client() as client:
        listed = client.get("/submissions", headers={"Accept": "text/html"})
        assert listed.status_code == 200
        assert "private" in listed.headers["cache-control"]
        assert "etag" not in listed.headers


def test_graph_store_writes_honour_if_match(server: RunningServer) -> None:
    graph = "https://w3id.org/iqkg/graph/store/conditional"
    params = {"graph": graph}
    turtle = {**AUTH, "Content-Type": "text/turtle"}
    body = b"<https://example.org/a> <https://example.org/b> <https://example.org/c> ."
    with server.client() as client:
        created = client.put("/store", params=params, content=body, headers=turtle)
        assert created.status_code in (201, 204), created.text
        read = client.get("/store", params=params, headers={"Accept": "text/turtle"})
        tag = read.headers["etag"]
        # Only create: the graph exists now.
        only_new = {**turtle, "If-None-Match": "*"}
        refused = client.put("/store", params=params, content=body, headers=only_new)
        assert refused.status_code == 412
        # Written as read: the tag of any syntax of the current graph holds.
        replaced = client.put(
            "/store", params=params, content=body, headers={**turtle, "If-Match": tag}
        )
        assert replaced.status_code == 204
        # That write made the tag stale.
        lost = client.put(
            "/store", params=params, content=body, headers={**turtle, "If-Match": tag}
        )
        assert lost.status_code == 412
        current = client.get("/store", params=params, headers={"Accept": "application/n-triples"})
        gone = client.delete(
            "/store", params=params, headers={**AUTH, "If-Match": current.headers["etag"]}
        )
        assert gone.status_code == 204


def test_of_two_racing_puts_with_the_same_if_match_one_wins(server: RunningServer) -> None:
    """The precondition is checked under the writer's lock: two PUTs sent together with
    the tag both read get one 204 and one 412, however they interleave (several rounds,
    so the requests do overlap)."""
    graph = "https://w3id.org/iqkg/graph/store/race"
    params = {"graph": graph}
    turtle = {**AUTH, "Content-Type": "text/turtle"}
    with server.client() as first, server.client() as second:
        first.put("/store", params=params, content=b"<urn:a> <urn:b> 0 .", headers=turtle)
        for _ in range(6):
            tag = first.get("/store", params=params).headers["etag"]
            requests = [
                (client, {"params": params, "headers": {**turtle, "If-Match": tag}})
                for client in (first, second)
            ]
            statuses = _together(requests)
            assert sorted(statuses) == [204, 412], statuses


def _together(requests: list[tuple[Any, dict[str, Any]]]) -> list[int]:
    """PUT each ``(client, arguments)`` with a body of its own, let go together."""
    ready = threading.Barrier(len(requests))
    statuses: list[int] = []

    def put(client: Any, arguments: dict[str, Any], n: int) -> None:
        body = f"<urn:a> <urn:b> {n} .".encode()
        ready.wait()
        statuses.append(client.put("/store", content=body, **arguments).status_code)

    threads = [
        threading.Thread(target=put, args=(client, arguments, n))
        for n, (client, arguments) in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return statuses


def test_a_submission_is_revalidated_privately_and_replaced_only_as_read(
    server: RunningServer,
) -> None:
    """A partner's submission: a private ETag, 304 on it; PUT and DELETE with If-Match
    change only the version the partner read (no lost update)."""
    from tests.submissions.helpers import add_partner, bearer, fixture, submit

    slug = "conditional-partner"
    token = add_partner(server, "Partner der Vorbedingungen", slug)
    body = fixture("project.ttl", slug)
    json_of = {**bearer(token), "Accept": "application/json", "Accept-Language": "en"}
    turtle = {**bearer(token), "Content-Type": "text/turtle"}
    with server.client() as client:
        created = submit(client, token, body)
        assert created.status_code == 201, created.text
        url = created.headers["location"]
        read = client.get(url, headers=json_of)
        tag = read.headers["etag"]
        assert "private" in read.headers["cache-control"]
        assert client.get(url, headers={**json_of, "If-None-Match": tag}).status_code == 304
        changed = body.replace(b'"2014"', b'"2015"')
        stale = client.put(url, content=changed, headers={**turtle, "If-Match": '"other"'})
        assert stale.status_code == 412
        replaced = client.put(url, content=changed, headers={**turtle, "If-Match": tag})
        assert replaced.status_code == 200, replaced.text
        assert replaced.json()["version"] == 2
        # The tag read before the new version no longer holds.
        lost = client.delete(url, headers={**bearer(token), "If-Match": tag})
        assert lost.status_code == 412
        current = client.get(url, headers={**json_of, "If-None-Match": tag})
        assert current.status_code == 200 and current.headers["etag"] != tag
        withdrawn = client.delete(
            url, headers={**bearer(token), "If-Match": current.headers["etag"]}
        )
        assert withdrawn.status_code == 200
