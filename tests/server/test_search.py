"""``/search``: names in both languages, accent- and case-insensitive, ranked, with type
facets; partner data marked, superseded and withdrawn data never found."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.submissions.helpers import add_partner, bearer, fixture, submit
from tests.support.server import RunningServer

BASE = "https://w3id.org/iqkg/"
ID = BASE + "id/"
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def client(server: RunningServer) -> Iterator[httpx.Client]:
    with server.client() as c:
        yield c


def search(client: httpx.Client, q: str, **params: str) -> dict[str, Any]:
    response = client.get("/search", params={"q": q, **params}, headers=JSON)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


@pytest.mark.parametrize(
    ("q", "first", "match"),
    [
        ("bayern", "federal-state/bayern", "exact"),
        ("BAYERN", "federal-state/bayern", "exact"),
        ("Baden-Wurttemberg", "federal-state/baden-wuerttemberg", "exact"),
        ("baden württemberg", "federal-state/baden-wuerttemberg", "exact"),
        ("mecklenburg", "federal-state/mecklenburg-vorpommern", "prefix"),
        ("Western Pomerania", "federal-state/mecklenburg-vorpommern", "word"),
        ("Anerkennung", "action-field/anerkennung", "prefix"),
    ],
)
def test_the_expected_resource_comes_first(
    client: httpx.Client, q: str, first: str, match: str
) -> None:
    found = search(client, q)
    top = found["results"][0]
    assert top["iri"] == ID + first, [r["iri"] for r in found["results"][:5]]
    assert top["match"] == match
    assert top["url"] == "/id/" + first
    assert top["partner"] is False


def test_ranking_is_exact_then_prefix_then_word_then_description(client: httpx.Client) -> None:
    found = search(client, "Anerkennung")
    order = ["exact", "prefix", "word", "description"]
    ranks = [order.index(r["match"]) for r in found["results"]]
    assert ranks == sorted(ranks)
    iris = [r["iri"] for r in found["results"]]
    assert ID + "competence-centre/anerkennung" in iris


def test_type_facets_narrow_the_results(client: httpx.Client) -> None:
    # The shared server may hold other tests' partner networks in Bavaria: count, don't pin.
    found = search(client, "bayern")
    facets = {f["iri"]: f["count"] for f in found["facets"]}
    assert facets[BASE + "def#FederalState"] == 1
    network = BASE + "def#RegionalNetwork"
    narrowed = search(client, "bayern", type=network)
    assert narrowed["total"] == facets[network] < found["total"]
    assert all(network in {t["iri"] for t in r["types"]} for r in narrowed["results"])
    curated = [r["iri"] for r in narrowed["results"] if not r["partner"]]
    assert curated == [ID + "network/bayern"]


def test_the_page_for_people(client: httpx.Client) -> None:
    page = client.get(
        "/search", params={"q": "bayern", "lang": "de"}, headers={"Accept": "text/html"}
    )
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'href="/id/federal-state/bayern"' in page.text
    assert "Suche" in page.text and 'value="bayern"' in page.text
    home = client.get("/", headers={"Accept": "text/html"})
    assert 'action="/search"' in home.text and 'role="search"' in home.text


@pytest.mark.parametrize("q", ["", "   ", '"', "*", "(a OR b", "NEAR(x y)", "a:b", "-"])
def test_odd_queries_are_answered_not_500(client: httpx.Client, q: str) -> None:
    response = client.get("/search", params={"q": q}, headers=JSON)
    assert response.status_code == 200, response.text


def test_a_query_too_long_is_400(client: httpx.Client) -> None:
    response = client.get("/search", params={"q": "x" * 201}, headers=JSON)
    assert response.status_code == 400 and "longer than" in response.text


def test_partner_data_is_found_marked_and_gone_when_superseded_or_withdrawn(
    server: RunningServer, client: httpx.Client
) -> None:
    slug = f"search-{uuid.uuid4().hex[:8]}"
    token = add_partner(server, "Suchender Partner", slug)
    word = f"quokka{uuid.uuid4().hex[:6]}"
    body = fixture("project.ttl", slug).replace(b"Beratungsstelle (Beispiel)", word.encode())
    created = submit(client, token, body)
    assert created.status_code == 201, created.text
    found = search(client, word)
    assert [r["iri"] for r in found["results"]] == [
        f"{ID}partner/{slug}/organisation-counselling-service"
    ]
    assert found["results"][0]["partner"] is True

    other = f"wombat{uuid.uuid4().hex[:6]}"
    headers = {**bearer(token), "Content-Type": "text/turtle"}
    url = created.headers["location"]
    v2 = client.put(url, content=body.replace(word.encode(), other.encode()), headers=headers)
    assert v2.status_code == 200, v2.text
    assert search(client, word)["total"] == 0  # version 1 is archived
    assert search(client, other)["total"] == 1

    assert client.delete(url, headers=bearer(token)).status_code == 200
    assert search(client, other)["total"] == 0  # withdrawn means private


def test_curated_resources_come_before_partner_ones_of_a_like_name(
    server: RunningServer, client: httpx.Client
) -> None:
    """A partner's "Anerkennungsberatung" matches "Anerkennung" as a prefix too."""
    slug = f"search-{uuid.uuid4().hex[:8]}"
    token = add_partner(server, "Anerkennender Partner", slug)
    assert submit(client, token, fixture("project.ttl", slug)).status_code == 201
    found = search(client, "Anerkennung")["results"]
    partner = f"{ID}partner/{slug}/project-recognition-counselling"
    ours = next(r for r in found if r["iri"] == partner)
    assert ours["partner"] is True and ours["match"] == "prefix"
    assert found[0]["iri"] == ID + "action-field/anerkennung"
    things = [  # resources, not the documents that describe them (those come after)
        r["partner"]
        for r in found
        if r["match"] == "prefix"
        and not any(t["iri"].endswith("SourceDocument") for t in r["types"])
    ]
    assert things == sorted(things)  # False (curated) before True (partner)


def test_the_header_search_box_in_a_browser(server: RunningServer) -> None:
    """Type a name into the box on a German page, open the first result: its local page."""
    from selenium.webdriver.common.by import By

    from tests.support.browser import chromium, screenshot

    with chromium(lang="de-DE") as driver:
        driver.get(server.url + "/id/programme/iq")
        box = driver.find_element(By.CSS_SELECTOR, "header form[role=search] input[name=q]")
        box.send_keys("Baden-Wurttemberg")
        box.submit()
        assert "/search?q=Baden-Wurttemberg" in driver.current_url
        first = driver.find_element(By.CSS_SELECTOR, ".search-results li a.hit-title")
        assert first.text == "Baden-Württemberg"
        screenshot(driver, "search-baden-wurttemberg-de.png")
        first.click()
        assert driver.current_url.endswith("/id/federal-state/baden-wuerttemberg.html")
        assert driver.find_element(By.TAG_NAME, "h1").text == "Baden-Württemberg"
