"""The history on the pages (issue 8): the programme's timeline, a network's coordinators
over time, conflicting claims side by side, each statement with its sources, and a
source's page listing what it supports — in German and English, against the real server.

Expected values are read from data/ (curated and editorial files) with rdflib, so the
tests follow the data rather than a copy of it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from markupsafe import escape
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from tests.support.server import ROOT, RunningServer

BASE = "https://w3id.org/iqkg/"
ID = Namespace(BASE + "id/")
IQ = Namespace(BASE + "def#")
ORG = Namespace("http://www.w3.org/ns/org#")
TIME = Namespace("http://www.w3.org/2006/time#")
PROGRAMME = ID["programme/iq"]
LANGS = ("de", "en")


@pytest.fixture(scope="module")
def data() -> Graph:
    graph = Graph()
    for path in sorted((ROOT / "data").glob("*.ttl")) + sorted(
        (ROOT / "data" / "editorial").glob("*.ttl")
    ):
        graph.parse(path)
    return graph


def label(graph: Graph, iri: URIRef, lang: str) -> str:
    labels = {o.language: str(o) for o in graph.objects(iri, RDFS.label) if isinstance(o, Literal)}
    return labels.get(lang) or labels.get("de" if lang == "en" else "en") or next(iter(labels))


def title(graph: Graph, source: URIRef, lang: str) -> str:
    titles = {
        o.language: str(o) for o in graph.objects(source, DCTERMS.title) if isinstance(o, Literal)
    }
    return titles.get(lang) or next(iter(titles.values()))


def sources_of(graph: Graph, s: URIRef, p: URIRef | None = None) -> set[URIRef]:
    return {
        graph.value(a, DCTERMS.source)  # type: ignore[misc]
        for a in graph.subjects(OWL.annotatedSource, s)
        if p is None or graph.value(a, OWL.annotatedProperty) == p
    }


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def page(server: RunningServer, path: str, lang: str) -> str:
    response = httpx.get(f"{server.url}{path}.html?lang={lang}", timeout=60)
    assert response.status_code == 200, (path, response.status_code)
    return response.text


def years(graph: Graph, s: URIRef) -> Iterator[str]:
    for p in (IQ.startYear, IQ.endYear):
        for o in graph.objects(s, p):
            yield str(o)


@pytest.mark.parametrize("lang", LANGS)
def test_programme_page_shows_the_timeline_with_sources(
    server: RunningServer, data: Graph, lang: str
) -> None:
    timeline = section(page(server, "/id/programme/iq", lang), "timeline-heading")
    phases = list(data.objects(PROGRAMME, IQ.hasPhase))
    assert len(phases) >= 3
    for phase in phases:
        assert escape(label(data, phase, lang)) in timeline, phase
        for year in years(data, phase):
            assert f'datetime="{year}"' in timeline, (phase, year)
        for source in sources_of(data, phase, IQ.startYear):
            assert escape(title(data, source, lang)) in timeline, (phase, source)
    for law in data.objects(PROGRAMME, IQ.accompanies):
        assert escape(label(data, law, lang)) in timeline
        for p in (IQ.enactedOn, IQ.inForceFrom):
            for date in data.objects(law, p):
                assert f'datetime="{date}"' in timeline, (law, p)
    for evaluation in data.subjects(IQ.evaluates, None):
        assert escape(label(data, evaluation, lang)) in timeline
    frameworks = {fw for phase in [PROGRAMME, *phases] for fw in data.objects(phase, IQ.embeddedIn)}
    assert frameworks
    for framework in frameworks:
        assert escape(label(data, framework, lang)) in timeline
    # ordered by date: the first phase's year comes before the Recognition Act's day
    assert timeline.index('datetime="2005"') < timeline.index('datetime="2011-12-06"')


@pytest.mark.parametrize("lang", LANGS)
def test_network_pages_show_coordinators_over_time(
    server: RunningServer, data: Graph, lang: str
) -> None:
    coordinations = list(data.subjects(RDF.type, IQ.Coordination))
    assert len(coordinations) >= 5
    for coordination in coordinations:
        network = data.value(coordination, ORG.organization)
        member = data.value(coordination, ORG.member)
        interval = data.value(coordination, ORG.memberDuring)
        path = "/" + str(network)[len(BASE) :]
        table = section(page(server, path, lang), "coordinators-heading")
        assert escape(label(data, member, lang)) in table, coordination
        for relation in (TIME.hasBeginning, TIME.hasEnd, TIME.inside):
            instant = data.value(interval, relation)
            if instant is not None:
                assert str(data.value(instant, TIME.inXSDgYear)) in table, (coordination, relation)
        for source in sources_of(data, coordination, ORG.member):
            assert escape(title(data, source, lang)) in table, (coordination, source)


def test_hamburg_shows_both_coordinators_in_order(server: RunningServer) -> None:
    table = section(page(server, "/id/network/hamburg", "en"), "coordinators-heading")
    assert table.index("Hamburg Chamber of Crafts") < table.index("Hamburg Ministry of Labour")
    assert "until 2018" in table and "from 2019" in table


@pytest.mark.parametrize("lang", LANGS)
def test_conflicting_claims_stand_side_by_side(
    server: RunningServer, data: Graph, lang: str
) -> None:
    conflicts = section(page(server, "/id/programme/iq", lang), "conflicts-heading")
    prop = IQ.networkInEveryStateSince
    values = sorted(str(v) for v in data.objects(PROGRAMME, prop))
    assert len(values) == 2
    claims = conflicts.split('class="claim"')[1:]
    assert len(claims) == 2
    for claim, value in zip(claims, values, strict=True):
        assert value in claim
        literal = Literal(value, datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYear"))
        cited = {
            data.value(a, DCTERMS.source)
            for a in data.subjects(OWL.annotatedSource, PROGRAMME)
            if data.value(a, OWL.annotatedProperty) == prop
            and data.value(a, OWL.annotatedTarget) == literal
        }
        assert cited
        for source in cited:
            assert escape(title(data, source, lang)) in claim, (value, source)


@pytest.mark.parametrize("lang", LANGS)
def test_each_statement_shows_its_sources_with_title_and_place(
    server: RunningServer, data: Graph, lang: str
) -> None:
    act = ID["law/anerkennungsgesetz"]
    statements = section(
        page(server, "/id/law/anerkennungsgesetz", lang), "statement-sources-heading"
    )
    annotations = list(data.subjects(OWL.annotatedSource, act))
    assert annotations
    for annotation in annotations:
        source = data.value(annotation, DCTERMS.source)
        assert escape(title(data, source, lang)) in statements
        url = data.value(source, URIRef("https://schema.org/url"))
        assert f'href="{url}"' in statements, "the title links to the source"
        locators = {
            o.language: str(o)
            for o in data.objects(annotation, IQ.locator)
            if isinstance(o, Literal)
        }
        assert escape(locators[lang]) in statements


def test_quotations_of_the_programme_text_are_shown(server: RunningServer, data: Graph) -> None:
    nap = ID["framework/nationaler-aktionsplan"]
    statements = section(
        page(server, "/id/framework/nationaler-aktionsplan", "de"), "statement-sources-heading"
    )
    quotations = {
        str(q)
        for a in data.subjects(OWL.annotatedSource, nap)
        for q in data.objects(a, IQ.quotation)
    }
    assert quotations
    for quotation in quotations:
        assert str(escape(quotation)) in statements


@pytest.mark.parametrize("lang", LANGS)
def test_a_source_page_lists_the_statements_that_cite_it(
    server: RunningServer, data: Graph, lang: str
) -> None:
    for source in (ID["source/hwk-hamburg-iq"], ID["source/aid-iq-factsheet-2019"]):
        cited = section(page(server, "/" + str(source)[len(BASE) :], lang), "cited-heading")
        annotations = list(data.subjects(DCTERMS.source, source))
        annotations = [a for a in annotations if (a, RDF.type, OWL.Axiom) in data]
        assert annotations
        assert cited.count('class="cited-statement"') == len(
            {
                (
                    data.value(a, OWL.annotatedSource),
                    data.value(a, OWL.annotatedProperty),
                    data.value(a, OWL.annotatedTarget),
                )
                for a in annotations
            }
        )
        for annotation in annotations:
            subject = data.value(annotation, OWL.annotatedSource)
            href = "/" + str(subject)[len(BASE) :]
            assert f'href="{href}"' in cited, subject
