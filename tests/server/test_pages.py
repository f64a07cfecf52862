"""The site as a reader meets it: a crawler from ``/`` follows every same-site link on
every page with a browser's Accept and finds no 4xx/5xx; every page type has the one
layout and follows the one language rule; the ontology documentation lists every term
of ontology/."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from markupsafe import escape
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from iqkg.messages import MESSAGES
from tests.server.conftest import BROWSER_ACCEPT, LAYOUT_PARTNER, PAGE_TYPES
from tests.support.server import ROOT, RunningServer

#: Pages the site links to from its navigation: the crawl must reach each (a vanished
#: route is a broken link, never a skip).
NAVIGATION_PAGES = (
    "/sparql",
    "/queries",
    "/submit",
    "/submissions",
    "/.well-known/void",
    "/dumps/",
)
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
            response = client.get(url, headers={"Accept": BROWSER_ACCEPT})
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
        assert "skos:ConceptScheme" not in page, "every browse group has a name"


# --- one layout, one language rule (issue 11) -------------------------------------------

#: Where the navigation of every page leads.
NAVIGATION = ("/def", "/shapes", "/sparql", "/queries", "/dumps/", "/submit")


def _page(server: RunningServer, path: str, submission: str, **headers: str) -> httpx.Response:
    url = server.url + path.replace("{submission}", submission)
    return httpx.get(
        url, headers={"Accept": BROWSER_ACCEPT, **headers}, follow_redirects=True, timeout=60
    )


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_every_page_type_has_the_one_layout(
    server: RunningServer, submission_id: str, kind: str
) -> None:
    path, status, _, _ = PAGE_TYPES[kind]
    response = _page(server, path, submission_id)
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert page.count('<header class="site">') == 1 and page.count('<footer class="site">') == 1
    assert '<a class="brand" href="/">' in page
    for href in NAVIGATION:
        assert f'<li><a href="{href}">' in page, (kind, href)
    assert '<form class="search" role="search" action="/search"' in page
    assert '<label for="site-search"' in page
    assert '<nav class="languages"' in page and 'data-lang="' in page
    assert '<a href="/.well-known/void">' in page
    assert 'href="/static/publish/publish.css"' in page
    assert page.count("<h1") == 1, kind
    assert '<main id="main"' in page


#: (query, cookie, Accept-Language) → the language of the page.
LANGUAGE_CASES = [
    ("?lang=de", None, "en", "de"),
    ("?lang=en", "de", "de", "en"),
    ("", "de", "en", "de"),
    ("", None, "de-DE,de;q=0.9", "de"),
    ("", None, "fr", "en"),
    ("?lang=xx", None, "de", "de"),
    ("?lang=xx", "de", "en", "de"),
    ("?lang=xx", None, None, "en"),
]


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_every_page_type_follows_the_one_language_rule(
    server: RunningServer, submission_id: str, kind: str
) -> None:
    path, status, german, english = PAGE_TYPES[kind]
    for query, cookie, accept_language, lang in LANGUAGE_CASES:
        headers = {"Accept-Language": accept_language} if accept_language else {}
        if cookie:
            headers["Cookie"] = f"iqkg_lang={cookie}"
        joined = path + (("&" + query[1:]) if "?" in path and query else query)
        response = _page(server, joined, submission_id, **headers)
        case = (kind, query, cookie, accept_language)
        assert response.status_code == status, case
        assert response.headers["content-language"] == lang, case
        assert f'<html lang="{lang}">' in response.text, case
        assert (german if lang == "de" else english) in response.text, case
        assert "Accept-Language" in response.headers["vary"], case
        assert ("set-cookie" in response.headers) == (query in ("?lang=de", "?lang=en")), case


def test_language_links_keep_the_other_parameters(server: RunningServer) -> None:
    page = _page(server, "/search?q=bayern&type=&lang=de", "").text
    assert 'href="/search?q=bayern&amp;type=&amp;lang=en"' in page
    assert 'value="bayern"' in page


def test_footer_and_dumps_links_answer_a_browser(server: RunningServer) -> None:
    """VoID, the context and every dump answer a browser with a page or a download."""
    dumps = _page(server, "/dumps/", "").text
    files = [link for link in links_of(dumps) if link.startswith("/dumps/") and link != "/dumps/"]
    assert files
    for path in ["/.well-known/void", "/context.jsonld", "/dumps/", *files]:
        response = _page(server, path, "")
        assert response.status_code == 200, (path, response.status_code)
    void = _page(server, "/.well-known/void", "")
    assert str(void.url).endswith("/.well-known/void.html")
    assert "void:Dataset" in void.text
    machine = httpx.get(server.url + "/.well-known/void", follow_redirects=True)
    assert machine.headers["content-type"].startswith("text/turtle"), "*/* still gets RDF"


def test_submissions_are_a_page_for_browsers_and_json_for_clients(
    server: RunningServer, submission_id: str
) -> None:
    listed = _page(server, f"/submissions?partner={LAYOUT_PARTNER}&status=accepted", "")
    assert f'href="/submissions/{submission_id}"' in listed.text
    assert 'data-partner="layout-partner"' in listed.text
    assert '<option value="accepted" selected>' in listed.text
    assert "1 submission ·" in listed.text, "singular for one"
    withdrawn = _page(server, f"/submissions?partner={LAYOUT_PARTNER}&status=withdrawn", "")
    assert f'href="/submissions/{submission_id}"' not in withdrawn.text
    machine = httpx.get(server.url + f"/submissions?partner={LAYOUT_PARTNER}")
    assert machine.headers["content-type"] == "application/json"
    assert [s["id"] for s in machine.json()["submissions"]] == [submission_id]
    odd = httpx.get(server.url + "/submissions", headers={"Accept": "text/turtle"})
    assert odd.status_code == 200 and odd.headers["content-type"] == "application/json"


def test_editor_page_declares_the_vocabulary_prefixes(server: RunningServer) -> None:
    page = _page(server, "/sparql?lang=de", "").text
    for prefix, iri in (
        ("iq", "https://w3id.org/iqkg/def#"),
        ("iqid", "https://w3id.org/iqkg/id/"),
        ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
        ("skos", "http://www.w3.org/2004/02/skos/core#"),
        ("dcterms", "http://purl.org/dc/terms/"),
        ("schema", "https://schema.org/"),
        ("prov", "http://www.w3.org/ns/prov#"),
    ):
        assert f"PREFIX {prefix}: &lt;{iri}&gt;" in page, prefix
    assert 'base: "https://w3id.org/iqkg/",' in page, "the script links result IRIs under it"


@pytest.mark.parametrize(
    "path",
    [
        "/static/publish/publish.css",
        "/static/publish/editor.js",
        "/static/publish/submit.js",
        "/static/yasgui/yasgui.min.js",
        "/static/yasgui/yasgui.min.css",
    ],
)
def test_static_files_answer_conditional_requests(server: RunningServer, path: str) -> None:
    """One static-files implementation (Starlette's): ETag, 304 and HEAD for every asset."""
    with server.client() as client:
        first = client.get(path)
        assert first.status_code == 200 and first.content
        tag = first.headers["etag"]
        again = client.get(path, headers={"If-None-Match": tag})
        assert again.status_code == 304
        head = client.head(path)
        assert head.status_code == 200 and head.headers["etag"] == tag and not head.content
        missing = client.get(path + ".nope", headers={"Accept": BROWSER_ACCEPT})
        assert missing.status_code == 404 and '<header class="site">' in missing.text


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/id/network/atlantis.html", 404),
        ("/submissions?status=lost", 400),
    ],
)
@pytest.mark.parametrize("lang", ["de", "en"])
def test_error_pages_explain_in_the_reader_language(
    server: RunningServer, path: str, status: int, lang: str
) -> None:
    """Heading and explanation in the reader's language; the server's own message marked
    as English (it is the same text API clients get)."""
    with server.client() as client:
        page = client.get(path, headers={"Accept": BROWSER_ACCEPT, "Accept-Language": lang})
    assert page.status_code == status, page.text[:300]
    lead = re.search(r'<p class="lead">(.*?)</p>', page.text, re.S)
    assert lead is not None
    key = "not_found_text" if status == 404 else f"error_text_{status}"
    assert lead.group(1).strip() == escape(MESSAGES[key][lang])
    assert f'{escape(MESSAGES["error_detail"][lang])}: <code lang="en">' in page.text
