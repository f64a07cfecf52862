"""Partner data on the pages (issue 9, findings 5, 6 and 11), against the running server.

- An accepted partner resource that claims Bavaria never takes the curated network's place
  on the map, in the programme's structure or among the curated classes; it appears as
  the contribution of its named submission, with a link to it. Untyped resources are
  refused.
- A blank-node cycle or a chain of 10,000 blank nodes gives a page and RDF, never a 500,
  and the connection stays usable.
- Subject IRIs not in RFC 3986 normal form are refused naming the IRI; no data IRI
  becomes a protocol-relative link.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ADMIN_TOKEN
from tests.submissions.helpers import DATA, add_partner, bearer, fixture, submit
from tests.support.server import RunningServer

BASE = "https://w3id.org/iqkg/"
PARTNER = "page-partner"
FAKE = f"/id/partner/{PARTNER}/fake-network"
NORMAL_FORM_CASES = sorted((DATA / "iri-normal-form").glob("*.ttl"))


@pytest.fixture(scope="module")
def client(server: RunningServer) -> Iterator[httpx.Client]:
    with server.client() as c:
        yield c


@pytest.fixture(scope="module")
def token(server: RunningServer) -> str:
    return add_partner(server, "Partner der Seiten", PARTNER)


@pytest.fixture(scope="module")
def fake_network(client: httpx.Client, token: str) -> str:
    """The id of an accepted submission whose resource claims Bavaria."""
    response = submit(client, token, fixture("fake-network.ttl", PARTNER))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def update(client: httpx.Client, text: str) -> None:
    response = client.post(
        "/update",
        content=text.encode(),
        headers={**bearer(ADMIN_TOKEN), "Content-Type": "application/sparql-update"},
    )
    assert response.status_code in (200, 204), response.text


# --- finding 5: curated pages read curated structure -----------------------------------


def _state_link(html: str, code: str) -> str:
    match = re.search(rf'<a href="([^"]+)" class="state-link" data-state="{code}">', html)
    assert match, f"no map link for {code}"
    return match.group(1)


def test_map_links_bavaria_to_the_curated_network(client: httpx.Client, fake_network: str) -> None:
    for path in ("/", "/id/federal-state/bayern.html", "/id/network/bayern.html"):
        html = client.get(path).text
        assert _state_link(html, "by") == "/id/network/bayern", path


def test_programme_structure_shows_only_curated_parts(
    client: httpx.Client, fake_network: str
) -> None:
    html = client.get("/id/programme/iq.html").text
    structure = html[html.index('<svg class="structure"') :]
    structure = structure[: structure.index("</svg>")]
    assert "/id/network/bayern" in structure
    assert FAKE not in structure and "Partnerangabe" not in structure


def test_home_lists_the_partner_resource_apart_as_its_submissions_contribution(
    client: httpx.Client, fake_network: str
) -> None:
    html = client.get("/?lang=en").text
    browse = html[html.index('id="browse-heading"') : html.index('class="contributions-heading"')]
    assert FAKE not in browse  # not among the curated regional networks
    groups = html.split('<details class="contributions">')[1:]
    ours = [g[: g.index("</details>")] for g in groups if f'href="{FAKE}"' in g]
    assert len(ours) == 1, groups
    assert f"submission {fake_network} by Partner der Seiten" in ours[0]
    assert f'href="/graph/submission/{fake_network}"' in ours[0]


def test_home_counts_are_the_curated_datas(client: httpx.Client, fake_network: str) -> None:
    html = client.get("/?lang=en").text
    entities = int(re.search(r'data-count="entities">(\d+)<', html).group(1))  # type: ignore[union-attr]
    typed = client.post(
        "/sparql",
        data={
            # Types are editorial statements (issue 8): curated + editorial is the structure.
            "query": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { VALUES ?g { "
            f"<{BASE}graph/curated> <{BASE}graph/editorial> }} "
            "GRAPH ?g { ?s a ?c FILTER isIRI(?s) } }"
        },
        headers={"Accept": "application/sparql-results+json"},
    ).json()["results"]["bindings"][0]["n"]["value"]
    assert entities == int(typed)
    submissions = int(re.search(r'data-count="submissions">(\d+)<', html).group(1))  # type: ignore[union-attr]
    assert submissions >= 1


def test_federal_state_page_marks_the_partner_claim_with_its_submission(
    client: httpx.Client, fake_network: str
) -> None:
    html = client.get("/id/federal-state/bayern.html?lang=de").text
    incoming = html[html.index('id="incoming-heading"') :]
    item = incoming[incoming.index(f'href="{FAKE}"') :]
    item = item[: item.index("</li>")]
    assert f'<a href="/graph/submission/{fake_network}">' in item
    assert f"Einreichung {fake_network} von Partner der Seiten" in item


def test_partner_resource_page_says_whose_contribution_it_is(
    client: httpx.Client, fake_network: str
) -> None:
    html = client.get(FAKE + ".html?lang=en").text
    notice = html[html.index('class="contributed"') :]
    notice = notice[: notice.index("</p>")]
    assert "not part of the curated data" in notice
    assert f'href="/graph/submission/{fake_network}"' in notice
    assert 'class="contributed"' not in client.get("/id/network/bayern.html").text


def test_untyped_partner_resource_is_refused(client: httpx.Client, token: str) -> None:
    response = submit(client, token, fixture("untyped-state-claim.ttl", PARTNER))
    assert response.status_code == 422, response.text
    results = response.json()["results"]
    typed = [r for r in results if str(r["sourceShape"]).endswith("#PartnerTypedResource")]
    assert [r["focusNode"] for r in typed] == [f"{BASE}id/partner/{PARTNER}/untyped"]


# --- finding 6: pages survive any graph ------------------------------------------------

DEEP = f"{BASE}id/partner/deep-data/chain"
CYCLE = f"{BASE}id/partner/deep-data/cycle"
P = "http://example.org/p"
END = "http://example.org/end"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@pytest.fixture(scope="module")
def deep_data(client: httpx.Client) -> Iterator[None]:
    """A chain of 10,000 blank nodes and a cycle, written by the operator, dropped after
    this module (the session's server is shared: other modules canonicalise every public
    graph, and RDFC-1.0 in Oxigraph overflows its stack on such a chain).

    The chain grows by 1,000 links per update (an update body is limited in size): each
    one moves the ``e:end`` marker from the old tail to the new one."""
    graph = f"{BASE}graph/test/deep-blank-nodes"
    update(
        client,
        f"""INSERT DATA {{ GRAPH <{graph}> {{
          <{DEEP}> <{LABEL}> "chain" ; <{P}> _:b0 . _:b0 <{END}> "1" .
          <{CYCLE}> <{LABEL}> "cycle" ; <{P}> _:a .
          _:a <{P}> _:a ; <{P}> _:c . _:c <{P}> _:a .
        }} }}""",
    )
    for _ in range(10):
        links = " ".join(f"_:x{i} e:p _:x{i + 1} ." for i in range(1000))
        update(
            client,
            f"""PREFIX e: <http://example.org/>
            DELETE {{ GRAPH <{graph}> {{ ?tail e:end "1" }} }}
            INSERT {{ GRAPH <{graph}> {{ ?tail e:p _:x0 . {links} _:x1000 e:end "1" }} }}
            WHERE {{ GRAPH <{graph}> {{ ?tail e:end "1" }} }}""",
        )
    counted = client.post(
        "/sparql",
        data={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s <{P}> ?o }} }}"},
        headers={"Accept": "application/sparql-results+json"},
    ).json()["results"]["bindings"][0]["n"]["value"]
    assert int(counted) >= 10_000
    yield
    update(client, f"DROP SILENT GRAPH <{graph}>")


@pytest.mark.parametrize("iri", [DEEP, CYCLE], ids=["chain-10000", "cycle"])
@pytest.mark.parametrize("extension", ["html", "ttl", "jsonld", "nt", "rdf"])
def test_blank_node_chains_and_cycles_render_with_a_bound(
    client: httpx.Client, deep_data: None, iri: str, extension: str
) -> None:
    response = client.get(f"{iri[len(BASE) - 1 :]}.{extension}")
    assert response.status_code == 200, response.text[:500]
    if extension == "jsonld":
        json.loads(response.text)
    if extension == "html" and iri == DEEP:
        assert 'class="muted small truncated"' in response.text
    # The same keep-alive connection answers the next request.
    assert client.get("/health").status_code == 200


# --- finding 11: IRIs in normal form, no protocol-relative links ----------------------


@pytest.mark.parametrize("path", NORMAL_FORM_CASES, ids=[p.stem for p in NORMAL_FORM_CASES])
def test_subject_iri_not_in_normal_form_is_refused_naming_it(
    client: httpx.Client, token: str, path: Path
) -> None:
    text = path.read_text(encoding="utf-8").replace("PARTNER", PARTNER)
    iri = re.search(r"^# iri: (\S+)$", text, re.M).group(1)  # type: ignore[union-attr]
    before = client.get("/health").json()["datasetVersion"]
    response = submit(client, token, text.encode())
    assert response.status_code == 422, response.text
    results = response.json()["results"]
    normal = [r for r in results if str(r["sourceShape"]).endswith("#PartnerIriNormalForm")]
    assert normal and all(r["focusNode"] == iri for r in normal), results
    assert any(iri in str(r["message"]) for r in normal)
    assert client.get("/health").json()["datasetVersion"] == before


def test_data_iris_never_become_protocol_relative_links(client: httpx.Client) -> None:
    evil = f"{BASE}/evil.example/x"
    subject = f"{BASE}id/partner/linker/x"
    update(
        client,
        f"""INSERT DATA {{ GRAPH <{BASE}graph/test/evil-links> {{
          <{subject}> <{LABEL}> "linker" ; <http://www.w3.org/2000/01/rdf-schema#seeAlso> <{evil}> .
          <{evil}> <{LABEL}> "evil" ; <{P}> <{subject}> .
        }} }}""",
    )
    html = client.get("/id/partner/linker/x.html").text
    update(client, f"DROP SILENT GRAPH <{BASE}graph/test/evil-links>")
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and not [h for h in hrefs if h.startswith(("//", "/\\"))]
    assert f'href="{evil}"' in html  # linked as itself, absolute
