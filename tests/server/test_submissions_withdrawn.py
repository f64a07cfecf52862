"""Withdrawn means private (issue 9, finding 10): a withdrawn submission's provenance,
versions and reports are visible to its owner and the operator only — not through SPARQL's
public dataset, not on pages or ``/graph/…``, not in the dumps, not in VoID's counts.
A new version makes it public again, with its whole history."""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import ADMIN_TOKEN
from tests.submissions.helpers import add_partner, bearer, fixture, sparql, submit
from tests.support.server import RunningServer

BASE = "https://w3id.org/iqkg/"
PARTNER = "withdrawing"


@pytest.fixture(scope="module")
def client(server: RunningServer) -> Iterator[httpx.Client]:
    with server.client() as c:
        yield c


@pytest.fixture(scope="module")
def withdrawn(server: RunningServer, client: httpx.Client) -> tuple[str, str]:
    """(token, id) of a submission with two versions, then withdrawn."""
    token = add_partner(server, "Zurückziehender Partner", PARTNER)
    created = submit(client, token, fixture("project.ttl", PARTNER))
    assert created.status_code == 201, created.text
    url = created.headers["location"]
    second = fixture("project.ttl", PARTNER).replace(b"(example)", b"(example, v2)")
    headers = {**bearer(token), "Content-Type": "text/turtle"}
    assert client.put(url, content=second, headers=headers).status_code == 200
    assert client.delete(url, headers=bearer(token)).status_code == 200
    return token, created.json()["id"]


def _public_mentions(client: httpx.Client, ident: str) -> list[dict[str, str]]:
    """Every public quad whose subject or object mentions the submission's id."""
    return sparql(
        client,
        f"""SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o
              FILTER(CONTAINS(STR(?s), "{ident}") || CONTAINS(STR(?o), "{ident}")) }} }}""",
    )


def test_sparql_public_dataset_says_nothing_about_it(
    client: httpx.Client, withdrawn: tuple[str, str]
) -> None:
    _, ident = withdrawn
    assert _public_mentions(client, ident) == []
    rows = sparql(
        client,
        "SELECT ?g WHERE { ?g <http://www.w3.org/ns/adms#status> "
        "<http://purl.org/adms/status/Withdrawn> }",
    )
    assert rows == []


@pytest.mark.parametrize("extension", ["", ".html", ".ttl", ".jsonld", ".nt", ".rdf"])
def test_graph_documents_are_gone(
    client: httpx.Client, withdrawn: tuple[str, str], extension: str
) -> None:
    _, ident = withdrawn
    for path in (
        f"/graph/submission/{ident}",
        f"/graph/archive/submission/{ident}/v1",
        f"/graph/archive/submission/{ident}/v2",
    ):
        response = client.get(path + extension, headers={"Accept": "text/turtle"})
        assert response.status_code == 404, (path + extension, response.text[:300])


def test_meta_graph_and_partner_page_do_not_mention_it(
    client: httpx.Client, withdrawn: tuple[str, str]
) -> None:
    _, ident = withdrawn
    for path in ("/graph/meta.ttl", f"/id/partner/{PARTNER}.ttl", "/"):
        response = client.get(path)
        assert ident not in response.text, path


def test_dumps_and_void_leave_it_out(client: httpx.Client, withdrawn: tuple[str, str]) -> None:
    _, ident = withdrawn
    for name in ("iqkg.nq.gz", "iqkg.trig.gz"):
        body = gzip.decompress(client.get(f"/dumps/{name}").content).decode()
        assert ident not in body and "graph/private/" not in body, name
    assert ident not in client.get("/dumps/iqkg.ttl").text
    void = client.get("/.well-known/void.nt").text
    assert ident not in void and "graph/private/" not in void
    # VoID's triple count is the public union's, which holds nothing of the submission.
    counted = sparql(
        client, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    )[0]["n"]
    assert f'"{counted}"^^<http://www.w3.org/2001/XMLSchema#integer>' in void


def test_owner_and_operator_still_read_everything(
    client: httpx.Client, withdrawn: tuple[str, str]
) -> None:
    token, ident = withdrawn
    url = f"/submissions/{ident}"
    assert client.get(url).status_code == 404
    assert client.get(f"{url}/report").status_code == 404
    for who in (token, ADMIN_TOKEN):
        record = client.get(url, headers={**bearer(who), "Accept": "application/json"})
        assert record.status_code == 200, record.text
        assert record.json()["status"] == "withdrawn"
        assert [v["version"] for v in record.json()["versions"]] == [1, 2]
        report = client.get(f"{url}/report", headers={**bearer(who), "Accept": "application/json"})
        assert report.status_code == 200, report.text
        for number in (1, 2):
            kept = client.get(
                f"{url}/versions/{number}", headers={**bearer(who), "Accept": "text/turtle"}
            )
            assert kept.status_code == 200 and "Recognition counselling" in kept.text


def test_a_new_version_makes_it_public_again_with_its_history(
    client: httpx.Client, withdrawn: tuple[str, str]
) -> None:
    token, ident = withdrawn
    url = f"/submissions/{ident}"
    third = fixture("project.ttl", PARTNER).replace(b"(example)", b"(example, v3)")
    headers = {**bearer(token), "Content-Type": "text/turtle", "Accept": "application/json"}
    again = client.put(url, content=third, headers=headers)
    assert again.status_code == 200, again.text
    record = client.get(url, headers={"Accept": "application/json"})
    assert record.status_code == 200
    assert record.json()["status"] == "accepted"
    assert [v["version"] for v in record.json()["versions"]] == [1, 2, 3]
    assert client.get(f"/graph/archive/submission/{ident}/v1.ttl").status_code == 200
    assert client.get(f"/graph/submission/{ident}.ttl").status_code == 200
    versions = sparql(
        client,
        f"SELECT ?v WHERE {{ <{BASE}graph/submission/{ident}> "
        "<http://www.w3.org/ns/dcat#hasVersion> ?v }",
    )
    assert len(versions) == 3
    # Nothing of the withdrawn state is left anywhere public.
    assert all("private" not in row["g"] for row in _public_mentions(client, ident))
    assert (
        sparql(
            client,
            f"SELECT ?w WHERE {{ <{BASE}graph/submission/{ident}> "
            "<http://www.w3.org/ns/prov#invalidatedAtTime> ?w }",
        )
        == []
    )
