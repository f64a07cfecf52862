"""publish/history.py: the history panels from statement-level provenance, on a small
annotated dataset built here: statements grouped with one citation per source (locator
and quotation in the page's language), the timeline in date order with undated entries
last, coordinators over time, conflicting claims, and a source's cited statements."""

from __future__ import annotations

import pytest
from pyoxigraph import NamedNode, RdfFormat

from iqkg.publish.history import HistoryBuilder, Statement
from iqkg.publish.language import Text
from iqkg.rdf.iris import IriScheme
from iqkg.store.dataset import Dataset

IRIS = IriScheme("https://data.example.org/kg/")
IQ = IRIS.vocab
ID = IRIS.base + "id/"
DATA = f"""
@prefix iq: <{IQ}> .
@prefix id: <{ID}> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

id:net iq:budget "1" , "2" ; iq:name "Netz" ; iq:coordinatedBy id:a .
iq:budget iq:expectsOneValue true .

# One fact, two sources; the first with locators in two languages and a quotation.
[] a owl:Axiom ; owl:annotatedSource id:net ; owl:annotatedProperty iq:name ;
   owl:annotatedTarget "Netz" ; dcterms:source id:doc1 ;
   iq:locator "Seite 3"@de , "page 3"@en ; iq:quotation "Das Netz."@de .
[] a owl:Axiom ; owl:annotatedSource id:net ; owl:annotatedProperty iq:name ;
   owl:annotatedTarget "Netz" ; dcterms:source id:doc2 .
[] a owl:Axiom ; owl:annotatedSource id:net ; owl:annotatedProperty iq:budget ;
   owl:annotatedTarget "2" ; dcterms:source id:doc2 .
[] a owl:Axiom ; owl:annotatedSource id:other ; owl:annotatedProperty iq:name ;
   owl:annotatedTarget "Anderes" ; dcterms:source id:doc2 .
id:doc1 dcterms:title "Dokument eins"@de , "Document one"@en ;
   <https://schema.org/url> <https://example.org/doc1> .

# The programme's timeline.
id:prog iq:hasPhase id:phase1 , id:phase2 ; iq:accompanies id:law .
id:phase1 iq:startYear "2005" ; iq:endYear "2010" .
id:phase2 iq:startYear "2011" ; iq:embeddedIn id:strategy .
id:law iq:enactedOn "2011-12-06"^^xsd:date .
id:eval iq:evaluates id:phase1 ; iq:startYear "2008" .
[] a owl:Axiom ; owl:annotatedSource id:phase2 ; owl:annotatedProperty iq:embeddedIn ;
   owl:annotatedTarget id:strategy ; dcterms:source id:doc1 .
[] a owl:Axiom ; owl:annotatedSource id:phase1 ; owl:annotatedProperty iq:startYear ;
   owl:annotatedTarget "2005" ; dcterms:source id:doc2 .

# Coordinators of the network over time.
id:c1 org:organization id:net ; org:member id:later ; org:memberDuring [
    time:hasBeginning [ time:inXSDgYear "2015" ] ; time:hasEnd [ time:inXSDgYear "2018" ] ] .
id:c2 org:organization id:net ; org:member id:earlier ; org:memberDuring id:i2 .
id:i2 time:inside [ time:inXSDgYear "2009" ] .
[] a owl:Axiom ; owl:annotatedSource id:i2 ; owl:annotatedProperty time:inside ;
   owl:annotatedTarget id:x ; dcterms:source id:doc1 .
"""


def ident(name: str) -> str:
    return ID + name


def _label(iri: str) -> Text:
    return Text(iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1])


def _href(iri: str) -> str | None:
    return "/" + iri.removeprefix(IRIS.base) if iri.startswith(IRIS.base) else None


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    data = Dataset.open(None, IRIS)
    data.store.load(
        DATA.encode(), format=RdfFormat.TURTLE, to_graph=NamedNode(IRIS.graph("curated"))
    )
    return data


def _builder(dataset: Dataset, lang: str) -> HistoryBuilder:
    return HistoryBuilder(dataset, lang, _label, _href, IQ)


def _facts(statements: list[Statement]) -> list[tuple[str, str, str, list[str]]]:
    return [
        (s.subject.value, s.predicate.value, s.value.value, [c.source for c in s.citations])
        for s in statements
    ]


@pytest.mark.parametrize(
    ("lang", "title", "locator"),
    [("de", "Dokument eins", "Seite 3"), ("en", "Document one", "page 3")],
)
def test_each_statement_has_one_citation_per_source(
    dataset: Dataset, lang: str, title: str, locator: str
) -> None:
    statements = _builder(dataset, lang).statements(ident("net"))
    assert _facts(statements) == [
        ("net", "budget", "2", [ident("doc2")]),
        ("net", "name", "Netz", [ident("doc1"), ident("doc2")]),
    ]
    first, second = statements[1].citations
    assert (first.title.value, first.url, first.href) == (
        title,
        "https://example.org/doc1",
        "/id/doc1",
    )
    assert first.locator == Text(locator, lang)
    assert first.quotation == Text("Das Netz.", "de")  # only in German: still shown
    assert second.title.value == "doc2"  # no title: the page's label
    assert second.locator is None and second.quotation is None and second.url is None


def test_a_source_lists_every_statement_it_supports(dataset: Dataset) -> None:
    cited = _builder(dataset, "de").cited_by(ident("doc2"))
    assert _facts(cited) == [
        ("net", "budget", "2", [ident("doc2")]),
        ("net", "name", "Netz", [ident("doc2")]),  # doc1's citation of it is not doc2's
        ("other", "name", "Anderes", [ident("doc2")]),
        ("phase1", "startYear", "2005", [ident("doc2")]),
    ]


def test_the_timeline_is_in_date_order_with_undated_entries_last(dataset: Dataset) -> None:
    timeline = _builder(dataset, "en").timeline(ident("prog"))
    assert [(e.when, e.what.value, e.event.value) for e in timeline] == [
        ("2005", "phase1", "startYear"),
        ("2008", "eval", "startYear"),
        ("2010", "phase1", "endYear"),
        ("2011", "phase2", "startYear"),
        ("2011-12-06", "law", "enactedOn"),
        ("", "strategy", "phase2 · embeddedIn · strategy"),
    ]
    sourced = {(e.when, e.what.value): [c.source for c in e.citations] for e in timeline}
    assert sourced[("2005", "phase1")] == [ident("doc2")]
    assert sourced[("", "strategy")] == [ident("doc1")]
    assert sourced[("2010", "phase1")] == []


def test_coordinators_are_ordered_by_their_period(dataset: Dataset) -> None:
    found = _builder(dataset, "de").coordinators(ident("net"))
    assert [(e.member.value, e.begins, e.ends, e.attested) for e in found] == [
        ("earlier", None, None, "2009"),
        ("later", "2015", "2018", None),
    ]
    assert [c.source for c in found[0].citations] == [ident("doc1")]  # via its interval
    assert found[1].citations == []


def test_only_properties_meant_to_have_one_value_are_conflicts(dataset: Dataset) -> None:
    builder = _builder(dataset, "de")
    (conflict,) = builder.conflicts(ident("net"), builder.statements(ident("net")))
    assert conflict.predicate.value == "budget"
    assert [(c.value.value, [s.source for s in c.citations]) for c in conflict.claims] == [
        ("1", []),
        ("2", [ident("doc2")]),
    ]


@pytest.mark.parametrize(
    ("types", "kind", "panels"),
    [
        ([], "thing", set()),
        ([IQ + "FundingProgramme"], "programme", {"timeline"}),
        ([IQ + "RegionalNetwork"], "thing", {"coordinators"}),
        ([], "network", {"coordinators"}),
        ([IQ + "SourceDocument"], "source", {"cited"}),
    ],
)
def test_panels_follow_the_resources_type(
    dataset: Dataset, types: list[str], kind: str, panels: set[str]
) -> None:
    subject = {"timeline": "prog", "coordinators": "net", "cited": "doc2"}
    iri = ident(subject[next(iter(panels))] if panels else "net")
    built = _builder(dataset, "de").panels(iri, types, kind)
    shown = {name for name in ("timeline", "coordinators", "cited") if getattr(built, name)}
    assert shown == panels
    assert bool(built.conflicts) == (iri == ident("net"))
