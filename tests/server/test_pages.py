"""The site as a reader meets it: a crawler from ``/`` follows every same-site link on
every page and finds no 4xx/5xx; pages speak the reader's language; the ontology
documentation lists every term of ontology/."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from tests.support.server import ROOT, RunningServer

#: Pages the site links to from its navigation: the crawl must reach each (a vanished
#: route is a broken link, never a skip).
NAVIGATION_PAGES = ("/sparql", "/queries", "/submit")
MAX_PAGES = 5000


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and name in ("href", "src") and tag in ("a", "link", "script", "img"):
                self.links.append(value)


def links_of(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def test_crawl_finds_no_broken_link(server: RunningServer) -> None:
    origin = urlsplit(server.url).netloc
    seen: set[str] = {server.url + "/"}
    frontier = [server.url + "/"]
    failures: list[str] = []
    pages = 0

    def fetch(url: str) -> tuple[str, int, str, str]:
        with httpx.Client(timeout=60, follow_redirects=True) as client:
            response = client.get(url, headers={"Accept": "text/html,*/*;q=0.8"})
            kind = response.headers.get("content-type", "")
            text = response.text if kind.startswith("text/html") else ""
            return url, response.status_code, kind, text

    with ThreadPoolExecutor(max_workers=8) as pool:
        while frontier:
            batch, frontier = frontier, []
            for url, status, _, text in pool.map(fetch, batch):
                pages += 1
                if status >= 400:
                    failures.append(f"{status} {url}")
                for link in links_of(text):
                    target = urljoin(url, link).split("#", 1)[0]
                    parts = urlsplit(target)
                    if parts.scheme not in ("http", "https") or parts.netloc != origin:
                        continue
                    if target not in seen and len(seen) < MAX_PAGES:
                        seen.add(target)
                        frontier.append(target)
    print(f"crawled {pages} URLs")
    assert not failures, "\n".join(failures[:30])
    assert pages > 150, pages
    assert len(seen) < MAX_PAGES, "the crawl hit its bound"
    for page in NAVIGATION_PAGES:
        assert server.url + page in seen, f"no page links to {page}"


def test_every_resource_is_reachable_from_home(server: RunningServer) -> None:
    home = httpx.get(server.url + "/").text
    curated = Graph()
    for path in sorted((ROOT / "data").glob("*.ttl")):
        curated.parse(path)
    base = "https://w3id.org/iqkg/"
    subjects = {str(s) for s in curated.subjects(RDF.type, None) if str(s).startswith(base + "id/")}
    for iri in subjects:
        assert f'href="/{iri[len(base) :]}"' in home, iri


def test_ontology_documentation_lists_every_term(server: RunningServer) -> None:
    ontology = Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        ontology.parse(path)
    vocab = "https://w3id.org/iqkg/def#"
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    terms = {s for k in kinds for s in ontology.subjects(RDF.type, k) if isinstance(s, URIRef)}
    assert len(terms) > 40
    for lang in ("de", "en"):
        page = httpx.get(server.url + f"/def.html?lang={lang}").text
        for term in terms:
            assert f'data-iri="{term}"' in page, (lang, term)
            if str(term).startswith(vocab):
                assert f'id="{str(term)[len(vocab) :]}"' in page, term
                for label in ontology.objects(
                    term, URIRef("http://www.w3.org/2000/01/rdf-schema#label")
                ):
                    assert str(label) in page, (lang, term, label)


@pytest.mark.parametrize(
    "accept_language,lang,title",
    [
        ("de-DE,de;q=0.9", "de", "IQ-Landesnetzwerk in Bayern"),
        ("en-GB,en;q=0.9", "en", "IQ regional network in Bavaria"),
        ("fr-FR", "en", "IQ regional network in Bavaria"),
    ],
)
def test_pages_follow_accept_language(
    server: RunningServer, accept_language: str, lang: str, title: str
) -> None:
    page = httpx.get(
        server.url + "/id/network/bayern.html", headers={"Accept-Language": accept_language}
    )
    assert page.headers["content-language"] == lang
    assert "Accept-Language" in page.headers["vary"]
    assert f'<html lang="{lang}">' in page.text
    assert f'<h1><span lang="{lang}">{title}</span></h1>' in page.text


def test_lang_parameter_switches_and_is_remembered(server: RunningServer) -> None:
    with httpx.Client(base_url=server.url, headers={"Accept-Language": "de"}) as client:
        english = client.get("/id/network/bayern.html?lang=en")
        assert english.headers["content-language"] == "en"
        again = client.get("/id/network/bayern.html")
        assert again.headers["content-language"] == "en", "the cookie keeps the choice"


def test_resource_page_shows_sources_query_link_and_schema_org(server: RunningServer) -> None:
    page = httpx.get(server.url + "/id/network/bayern.html?lang=en").text
    assert 'href="/id/source/kp-iq-2011-2014"' in page
    assert (
        'href="/sparql?query=DESCRIBE%20%3Chttps%3A%2F%2Fw3id.org%2Fiqkg%2Fid%2Fnetwork%2Fbayern%3E"'
        in page
    )
    start = page.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">'
    )
    data = json.loads(page[start : page.index("</script>", start)])
    assert data["@context"] == "https://schema.org"
    assert data["@id"] == "https://w3id.org/iqkg/id/network/bayern"
    assert data["name"] == "IQ regional network in Bavaria"
    assert "Organization" in data["@type"]


def test_home_page(server: RunningServer) -> None:
    for lang, words in (
        ("de", "Wissensgraph des Förderprogramms"),
        ("en", "knowledge graph of the German"),
    ):
        page = httpx.get(server.url + f"/?lang={lang}").text
        assert words in page
        for href in ("/sparql", "/queries", "/def", "/dumps/", "/submit"):
            assert f'href="{href}"' in page
        assert 'data-count="triples"' in page
