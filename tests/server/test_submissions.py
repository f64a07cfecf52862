"""Submissions against the running server: formats, provenance via /sparql, rejections,
authorisation, versions and withdrawal, limits and the partner CLI."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from tests.conftest import ADMIN_TOKEN
from tests.submissions.helpers import (
    MEDIA_TYPES,
    add_partner,
    bearer,
    fixture,
    sparql,
    submit,
    write,
)
from tests.support.server import RunningServer, iqkg

BASE = "https://w3id.org/iqkg/"


@pytest.fixture(scope="module")
def partners(server: RunningServer) -> dict[str, str]:
    return {
        "alpha": add_partner(server, "Netzwerk Alpha", "alpha"),
        "beta": add_partner(server, "Fachstelle Beta", "beta"),
    }


@pytest.fixture(scope="module")
def client(server: RunningServer) -> Iterator[httpx.Client]:
    with server.client() as c:
        yield c


@pytest.mark.parametrize("extension", sorted(MEDIA_TYPES))
def test_each_media_type_is_accepted(
    server: RunningServer, client: httpx.Client, partners: dict[str, str], extension: str
) -> None:
    # The files say the same thing, and one partner's second copy would be answered with
    # its first (test_submissions_idempotent.py): one partner per format.
    slug = f"format-{extension}"
    token = add_partner(server, f"Partner {extension}", slug)
    body = fixture(f"project.{extension}", slug)
    response = submit(client, token, body, MEDIA_TYPES[extension])
    assert response.status_code == 201, response.text
    record = response.json()
    assert response.headers["location"] == f"/submissions/{record['id']}"
    assert record["mediaType"] == MEDIA_TYPES[extension]
    assert record["triples"] == 23
    assert record["partner"] == slug and record["status"] == "accepted"


def test_accepted_submission_is_queryable_with_its_provenance(
    client: httpx.Client, partners: dict[str, str]
) -> None:
    body = fixture("event-relative-iris.ttl", "alpha")
    response = submit(client, partners["alpha"], body)
    assert response.status_code == 201, response.text
    record = response.json()
    event = f"{BASE}id/partner/alpha/event/diversity-conference-2013"
    rows = sparql(
        client,
        f"""PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX void: <http://rdfs.org/ns/void#>
        PREFIX spdx: <http://spdx.org/rdf/terms#>
        PREFIX dqv: <http://www.w3.org/ns/dqv#>
        PREFIX sh: <http://www.w3.org/ns/shacl#>
        SELECT ?g ?partner ?time ?format ?sha ?n ?conforms WHERE {{
          GRAPH ?g {{ <{event}> a <{BASE}def#Event> }}
          GRAPH <{BASE}graph/meta> {{
            ?g prov:wasAttributedTo ?partner ; prov:generatedAtTime ?time ;
               dcterms:format ?format ; void:triples ?n ;
               spdx:checksum/spdx:checksumValue ?sha ;
               dqv:hasQualityAnnotation/sh:conforms ?conforms .
          }} }}""",
    )
    assert len(rows) == 1
    row = rows[0]
    assert datetime.fromisoformat(row.pop("time")) == datetime.fromisoformat(record["received"])
    assert row == {
        "g": record["graph"],
        "partner": f"{BASE}id/partner/alpha",
        "format": "text/turtle",
        "sha": hashlib.sha256(body).hexdigest(),
        "n": "8",
        "conforms": "true",
    }
    assert record["sha256"] == row["sha"] and record["triples"] == 8
    # The curated data and the submission answer one query together.
    rows = sparql(
        client,
        f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?label WHERE {{ <{event}> <{BASE}def#organisedBy>/rdfs:label ?label
        FILTER(lang(?label) = "en") }}""",
    )
    assert len(rows) == 1 and "competence centre" in rows[0]["label"]


def _results(response: httpx.Response) -> list[dict[str, object]]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["conforms"] is False and body["accepted"] is False
    return list(body["results"])


def _graph_count(client: httpx.Client) -> int:
    rows = sparql(
        client,
        "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
    )
    return int(rows[0]["n"])


def test_shape_violation_is_rejected_with_its_report(
    client: httpx.Client, partners: dict[str, str]
) -> None:
    before = _graph_count(client)
    results = _results(submit(client, partners["alpha"], fixture("shape-violations.ttl", "alpha")))
    assert [
        (r["focusNode"], r["resultPath"], r["sourceShape"], r["severity"]) for r in results
    ] == [
        (
            f"{BASE}id/partner/alpha/project-bridging-course",
            f"{BASE}def#startYear",
            "https://w3id.org/iqkg/shapes#startYear",
            "Violation",
        )
    ]
    assert _graph_count(client) == before


def test_statements_about_curated_resources_are_rejected_naming_the_triple(
    client: httpx.Client, partners: dict[str, str]
) -> None:
    response = submit(
        client, partners["alpha"], fixture("about-curated.ttl", "alpha"), params={"lang": "de"}
    )
    results = _results(response)
    ownership = [r for r in results if str(r["sourceShape"]).endswith("#PartnerIriSpace")]
    assert [(r["focusNode"], r["resultPath"], r["value"]) for r in ownership] == [
        (
            f"{BASE}id/network/berlin",
            "http://www.w3.org/2000/01/rdf-schema#comment",
            "Von einem Partner ergänzt.",
        )
    ]
    assert "kuratierte" in str(ownership[0]["message"])
    rows = sparql(
        client,
        f"SELECT ?c WHERE {{ <{BASE}id/network/berlin> "
        "<http://www.w3.org/2000/01/rdf-schema#comment> ?c }",
    )
    assert rows == []


@pytest.mark.parametrize(
    ("name", "focus"),
    [
        ("foreign-iri-space.ttl", "http://example.org/events/job-fair"),
        ("other-partner.ttl", f"{BASE}id/partner/someone-else/event/x"),
    ],
)
def test_resources_outside_the_partners_iri_space_are_rejected(
    client: httpx.Client, partners: dict[str, str], name: str, focus: str
) -> None:
    results = _results(submit(client, partners["alpha"], fixture(name, "alpha")))
    ownership = [r for r in results if str(r["sourceShape"]).endswith("#PartnerIriSpace")]
    assert ownership and {r["focusNode"] for r in ownership} == {focus}
    assert all(r["resultPath"] for r in ownership)  # each names its triple's predicate


def test_rejection_report_as_turtle_and_html(
    client: httpx.Client, partners: dict[str, str]
) -> None:
    body = fixture("shape-violations.ttl", "alpha")
    turtle = client.post(
        "/submissions",
        content=body,
        headers={
            **bearer(partners["alpha"]),
            "Content-Type": "text/turtle",
            "Accept": "text/turtle",
        },
    )
    assert turtle.status_code == 422
    assert "sh:ValidationReport" in turtle.text and "sh:conforms false" in turtle.text
    html = client.post(
        "/submissions?lang=de",
        content=body,
        headers={**bearer(partners["alpha"]), "Content-Type": "text/turtle", "Accept": "text/html"},
    )
    assert html.status_code == 422 and "Verstoß" in html.text


# --- authorisation ---------------------------------------------------------------------


def test_auth_matrix(server: RunningServer, client: httpx.Client, partners: dict[str, str]) -> None:
    body = fixture("project.ttl", "alpha").replace(b"(example)", b"(example, auth)")
    missing = submit(client, None, body)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert submit(client, "iqkg_not-a-token", body).status_code == 401
    assert (
        client.post(
            "/submissions",
            content=body,
            headers={"Authorization": "Basic eDp5", "Content-Type": "text/turtle"},
        ).status_code
        == 401
    )

    created = submit(client, partners["alpha"], body)
    assert created.status_code == 201
    url = created.headers["location"]
    new = fixture("project.ttl", "alpha").replace(b"(Beispiel)", b"(Beispiel, v2)")

    def put(token: str | None) -> int:
        headers = {"Content-Type": "text/turtle", **(bearer(token) if token else {})}
        return client.put(url, content=new, headers=headers).status_code

    assert put(None) == 401
    assert put("iqkg_wrong") == 401
    assert put(partners["beta"]) == 403  # another partner
    assert client.delete(url, headers=bearer(partners["beta"])).status_code == 403
    assert put(partners["alpha"]) == 200  # the owner
    assert put(ADMIN_TOKEN) == 200  # the operator
    assert client.get(url).status_code == 200  # anyone reads accepted submissions

    # The operator submits on behalf of a partner; a partner cannot for another.
    on_behalf = submit(client, ADMIN_TOKEN, body, params={"partner": "alpha"})
    assert on_behalf.status_code == 201 and on_behalf.json()["partner"] == "alpha"
    assert submit(client, partners["beta"], body, params={"partner": "alpha"}).status_code == 403

    # A revoked token stops working at once (the CLI runs while the server holds the store).
    gamma = add_partner(server, "Projekt Gamma", "gamma")
    assert submit(client, gamma, fixture("project.ttl", "gamma")).status_code == 201
    iqkg("partner", "revoke", "gamma", env=server.env)
    revoked = submit(client, gamma, fixture("project.ttl", "gamma"))
    assert revoked.status_code == 401 and "revoked" in revoked.json()["message"]


def test_tokens_are_stored_only_as_hashes(server: RunningServer, partners: dict[str, str]) -> None:
    partners_file = server.store.parent / f"{server.store.name}-partners.sqlite"
    content = partners_file.read_bytes()
    assert partners["alpha"].encode() not in content
    listing = iqkg("partner", "list", env=server.env).stdout
    assert "alpha" in listing and partners["alpha"] not in listing


# --- versions and withdrawal -----------------------------------------------------------


def test_versions_and_withdrawal(client: httpx.Client, partners: dict[str, str]) -> None:
    token = partners["beta"]
    first = submit(client, token, fixture("project.ttl", "beta"))
    assert first.status_code == 201
    url = first.headers["location"]
    project = f"{BASE}id/partner/beta/project-recognition-counselling"
    label_query = (
        f"SELECT ?l WHERE {{ <{project}> <http://www.w3.org/2000/01/rdf-schema#label> ?l "
        'FILTER(lang(?l) = "en") }'
    )
    assert sparql(client, label_query) == [{"l": "Recognition counselling (example)"}]

    second = fixture("project.ttl", "beta").replace(b"(example)", b"(example, v2)")
    replaced = client.put(
        url, content=second, headers={**bearer(token), "Content-Type": "text/turtle"}
    )
    assert replaced.status_code == 200 and replaced.json()["version"] == 2
    assert sparql(client, label_query) == [{"l": "Recognition counselling (example, v2)"}]

    record = client.get(url).json()
    assert [v["version"] for v in record["versions"]] == [1, 2]
    v1 = client.get(f"{url}/versions/1", headers={"Accept": "application/n-triples"})
    assert v1.status_code == 200 and 'Recognition counselling (example)"@en' in v1.text
    current = client.get(url, headers={"Accept": "text/turtle"})
    assert "(example, v2)" in current.text

    # A rejected new version changes nothing.
    bad = client.put(
        url,
        content=fixture("about-curated.ttl", "beta"),
        headers={**bearer(token), "Content-Type": "text/turtle"},
    )
    assert bad.status_code == 422
    assert client.get(url).json()["version"] == 2

    withdrawn = client.delete(url, headers=bearer(token))
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert sparql(client, label_query) == []  # left the queried union
    assert client.get(url).status_code == 404  # anonymous readers no longer see it
    for who in (token, ADMIN_TOKEN):  # owner and operator still do, with every version
        kept = client.get(f"{url}/versions/2", headers={**bearer(who), "Accept": "text/turtle"})
        assert kept.status_code == 200 and "(example, v2)" in kept.text
    listed = client.get(
        "/submissions", params={"partner": "beta", "status": "withdrawn"}, headers=bearer(token)
    )
    assert record["id"] in [s["id"] for s in listed.json()["submissions"]]
    anonymous = client.get("/submissions", params={"partner": "beta"})
    assert record["id"] not in [s["id"] for s in anonymous.json()["submissions"]]


def test_list_filters(client: httpx.Client, partners: dict[str, str]) -> None:
    created = submit(client, partners["alpha"], fixture("project.ttl", "alpha")).json()
    day = created["created"][:10]
    listed = client.get(
        "/submissions", params={"partner": "alpha", "status": "accepted", "since": day}
    )
    assert created["id"] in [s["id"] for s in listed.json()["submissions"]]
    assert all(s["partner"] == "alpha" for s in listed.json()["submissions"])
    later = client.get("/submissions", params={"since": "2999-01-01"})
    assert later.json()["submissions"] == []
    assert client.get("/submissions", params={"status": "bogus"}).status_code == 400
    assert client.get("/submissions", params={"since": "yesterday"}).status_code == 400


# --- bad requests never give a 500 -----------------------------------------------------


def test_bad_requests(client: httpx.Client, partners: dict[str, str]) -> None:
    token = partners["alpha"]
    assert submit(client, token, b"x", "application/pdf").status_code == 415
    malformed = submit(client, token, b"@prefix p: <http://x/> .\np:a p:b .\n")
    assert malformed.status_code == 400
    assert malformed.json()["detail"]["line"] == 2 and malformed.json()["detail"]["column"]
    assert client.get("/submissions/0123456789abcdef").status_code == 404
    assert client.get("/submissions/../etc").status_code == 404
    assert client.delete("/submissions/0123456789abcdef", headers=bearer(token)).status_code == 404


def test_size_and_triple_limits(tmp_path: Path) -> None:
    from tests.submissions.synthetic import synthetic_turtle
    from tests.support.server import start_server

    store = tmp_path / "store"
    limited = start_server(
        store, env={"IQKG_MAX_SUBMISSION_BYTES": "20000", "IQKG_MAX_SUBMISSION_TRIPLES": "100"}
    )
    try:
        token = add_partner(limited, "Limits", "limits")
        with limited.client() as c:
            big = b"# padding\n" * 3000
            assert submit(c, token, big).status_code == 413

            def chunks() -> Iterator[bytes]:  # no Content-Length: counted while reading
                for _ in range(30):
                    yield b"# padding padding padding\n" * 40

            streamed = c.post(
                "/submissions",
                content=chunks(),
                headers={**bearer(token), "Content-Type": "text/turtle"},
            )
            assert streamed.status_code == 413
            many = submit(c, token, synthetic_turtle("limits", 300))
            assert many.status_code == 413 and "100 triples" in many.json()["message"]
            assert submit(c, token, synthetic_turtle("limits", 80)).status_code == 201
    finally:
        limited.stop()


# --- the partner CLI -------------------------------------------------------------------


def test_cli_submit_gives_the_same_report_as_offline_validate(
    server: RunningServer, partners: dict[str, str], tmp_path: Path
) -> None:
    for name in ("shape-violations.ttl", "about-curated.ttl"):
        bad = write(tmp_path / name, fixture(name, "alpha"))
        offline = iqkg(
            "validate", str(bad), "--partner", "alpha", "--lang", "de", env=server.env, check=False
        )
        online = iqkg(
            "submit",
            str(bad),
            "--endpoint",
            server.url,
            "--token",
            partners["alpha"],
            "--lang",
            "de",
            env=server.env,
            check=False,
        )
        assert offline.returncode == online.returncode == 1
        assert online.stdout.strip() == offline.stdout.strip()
        assert "1 Verstoß" in online.stdout and "Partner alpha" in online.stdout

    # Content no other test submits: equal content would be answered "unchanged" (idempotent).
    content = fixture("project.ttl", "alpha").replace(b"(example)", b"(example, CLI)")
    good = write(tmp_path / "good.ttl", content)
    accepted = iqkg(
        "submit",
        str(good),
        "--endpoint",
        server.url,
        "--token",
        partners["alpha"],
        env=server.env,
        check=False,
    )
    assert accepted.returncode == 0 and "accepted: submission" in accepted.stdout
    refused = iqkg(
        "submit",
        str(good),
        "--endpoint",
        server.url,
        "--token",
        "iqkg_wrong",
        env=server.env,
        check=False,
    )
    assert refused.returncode == 2 and "401" in refused.stderr
