"""The history beyond the programme text: time-qualified, sourced, and disagreement kept."""

from __future__ import annotations

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF

from tests.knowledge.conftest import ID, IQ

ORG = Namespace("http://www.w3.org/ns/org#")
TIME = Namespace("http://www.w3.org/2006/time#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
PROGRAMME = URIRef(ID + "programme/iq")


def sources_of(graph: Graph, s: URIRef, p: URIRef, o: object) -> set[URIRef]:
    return {
        graph.value(a, DCTERMS.source)  # type: ignore[misc]
        for a in graph.subjects(OWL.annotatedSource, s)
        if graph.value(a, OWL.annotatedProperty) == p and graph.value(a, OWL.annotatedTarget) == o
    }


def test_coordinators_are_qualified_relations_with_a_period(curated: Graph) -> None:
    coordinations = set(curated.subjects(RDF.type, URIRef(IQ + "Coordination")))
    assert len(coordinations) >= 2
    for coordination in coordinations:
        for prop in (ORG.member, ORG.organization, ORG.role, ORG.memberDuring):
            value = curated.value(coordination, prop)
            assert value is not None, (coordination, prop)
            assert sources_of(curated, coordination, prop, value), (coordination, prop)
        interval = curated.value(coordination, ORG.memberDuring)
        instants = [
            curated.value(interval, relation)
            for relation in (TIME.hasBeginning, TIME.hasEnd, TIME.inside)
            if curated.value(interval, relation) is not None
        ]
        assert instants, interval
    # never a timeless "X coordinates network Y"
    for timeless in (ORG.hasMember, ORG.memberOf, ORG.headOf):
        assert not list(curated.subject_objects(timeless))


def test_only_what_the_source_says_about_the_period(curated: Graph) -> None:
    """Hamburg: the chamber's page gives an end, not a start; Bavaria: one year attested."""
    hamburg = URIRef(ID + "interval/hamburg-hwk-until-2018")
    assert curated.value(hamburg, TIME.hasBeginning) is None
    end = curated.value(hamburg, TIME.hasEnd)
    assert curated.value(end, TIME.inXSDgYear) == Literal("2018", datatype=XSD.gYear)
    bavaria = URIRef(ID + "interval/bayern-tuer-an-tuer-2016")
    assert curated.value(bavaria, TIME.hasBeginning) is None
    assert curated.value(bavaria, TIME.hasEnd) is None
    assert curated.value(bavaria, TIME.inside) is not None


def test_disagreeing_sources_are_both_recorded(curated: Graph, ontology: Graph) -> None:
    prop = URIRef(IQ + "networkInEveryStateSince")
    assert (prop, URIRef(IQ + "expectsOneValue"), Literal(True)) in ontology
    values = set(curated.objects(PROGRAMME, prop))
    assert values == {Literal("2011", datatype=XSD.gYear), Literal("2014", datatype=XSD.gYear)}
    cited = [sources_of(curated, PROGRAMME, prop, v) for v in values]
    assert all(len(c) == 1 for c in cited) and cited[0] != cited[1]
    # a plan is not an outcome: 25 planned networks stand apart from the 16 counted
    phase = URIRef(ID + "programme/iq-2011-2014")
    counted = set(curated.objects(phase, URIRef(IQ + "numberOfRegionalNetworks")))
    assert {Literal(16), Literal(10)} <= counted  # 16 (Univation) and 10 (Stuttgart, 2011)
    assert curated.value(phase, URIRef(IQ + "plannedNumberOfRegionalNetworks")) == Literal(25)


def test_the_programme_began_in_2005_with_the_bmas_alone(curated: Graph) -> None:
    first = URIRef(ID + "programme/iq-2005")
    assert (PROGRAMME, URIRef(IQ + "hasPhase"), first) in curated
    assert set(curated.objects(first, URIRef(IQ + "initiatedBy"))) == {
        URIRef(ID + "organisation/bmas")
    }
    start = Literal("2005", datatype=XSD.gYear)
    assert len(sources_of(curated, first, URIRef(IQ + "startYear"), start)) >= 2


def test_recognition_act_dates_come_with_their_sources(curated: Graph) -> None:
    act = URIRef(ID + "law/anerkennungsgesetz")
    in_force = Literal("2012-04-01", datatype=XSD.date)
    assert curated.value(act, URIRef(IQ + "inForceFrom")) == in_force
    assert len(sources_of(curated, act, URIRef(IQ + "inForceFrom"), in_force)) == 2
    bqfg = URIRef(ID + "law/bqfg")
    assert curated.value(bqfg, URIRef(IQ + "articleOf")) == act
    assert (PROGRAMME, URIRef(IQ + "accompanies"), act) in curated


def test_history_sources_are_cited_never_quoted(curated: Graph) -> None:
    """Other sources are cited, never copied: no quotation without a local copy to check."""
    for axiom in curated.subjects(RDF.type, OWL.Axiom):
        source = curated.value(axiom, DCTERMS.source)
        if curated.value(source, URIRef(IQ + "localCopy")) is None:
            assert curated.value(axiom, URIRef(IQ + "quotation")) is None, axiom
            assert curated.value(source, URIRef("https://schema.org/url")) is not None, source
            assert curated.value(source, URIRef(IQ + "retrieved")) is not None, source
