"""reasoning.py: the OWL RL closure adds what the inference-only questions need, and only that;
HermiT reports inconsistency and unsatisfiable classes."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from iqkg.reasoning import check_consistency, infer, owl_rl_closure
from tests.knowledge.conftest import ID, IQ

ORG = "http://www.w3.org/ns/org#"


@pytest.fixture(scope="module")
def closure(ontology: Graph, curated: Graph) -> Graph:
    return owl_rl_closure(ontology + curated)


def test_closure_has_subclass_inference_for_formal_organisations(closure: Graph) -> None:
    """queries/13-formal-organisations.rq: BMAS is stated a federal ministry only."""
    for slug in ("bmas", "bmbf", "ba"):
        assert (
            URIRef(ID + f"organisation/{slug}"),
            RDF.type,
            URIRef(ORG + "FormalOrganization"),
        ) in closure


def test_closure_has_inverse_properties(closure: Graph) -> None:
    """queries/14-what-organisations-did.rq: only iq:developedBy etc. are stated."""
    kp_iq = URIRef(ID + "project/kp-iq")
    assert (URIRef(ID + "organisation/ebb"), URIRef(IQ + "developed"), kp_iq) in closure
    assert (URIRef(ID + "organisation/zwh"), URIRef(IQ + "implemented"), kp_iq) in closure
    assert (
        URIRef(ID + "organisation/ba"),
        URIRef(IQ + "initiated"),
        URIRef(ID + "programme/iq-2011-2014"),
    ) in closure


def test_closure_has_transitive_embedding(closure: Graph) -> None:
    assert (
        URIRef(ID + "programme/iq-2011-2014"),
        URIRef(IQ + "embeddedIn"),
        URIRef(ID + "framework/nationaler-aktionsplan"),
    ) in closure


def test_closure_returns_no_input_triples(closure: Graph, ontology: Graph, curated: Graph) -> None:
    given = ontology + curated
    assert len(closure) > 0
    assert not [t for t in closure if t in given]


def test_closure_drops_noise(closure: Graph) -> None:
    for s, p, o in closure:
        assert not isinstance(s, Literal | BNode), (s, p, o)
        assert not isinstance(o, BNode), (s, p, o)
        assert o not in (OWL.Thing, RDFS.Resource), (s, p, o)
        assert not (p == OWL.sameAs and s == o), (s, p, o)


def test_closure_leaves_its_input_alone(ontology: Graph) -> None:
    before = len(ontology)
    owl_rl_closure(ontology)
    assert len(ontology) == before


def test_consistency_check_reports_inconsistent_data(ontology: Graph) -> None:
    """A federal state that is also an organisation violates a disjointness axiom."""
    data = Graph()
    thing = URIRef(ID + "partner/example/confused")
    data.add((thing, RDF.type, URIRef(IQ + "FederalState")))
    data.add((thing, RDF.type, URIRef(IQ + "Organisation")))
    report = check_consistency(ontology, data)
    assert not report.consistent
    assert "inconsistent" in report.message


def test_consistency_check_names_the_axioms_hermit_cannot_check(
    ontology: Graph, curated: Graph, imports: Graph
) -> None:
    """xsd:gYear and xsd:date are outside the OWL 2 datatype map: listed, never skipped."""
    report = check_consistency(ontology, curated, imports)
    assert report.consistent, report.message
    removed = report.unchecked.removed
    for axiom in (
        "DataPropertyRange(iq:startYear xsd:gYear)",
        "DataPropertyRange(iq:eventDate xsd:date)",
        "DataPropertyRange(time:inXSDgYear xsd:gYear)",
        "DataPropertyRange(time:inXSDDate xsd:date)",
    ):
        assert axiom in removed
    kp_iq = "<https://w3id.org/iqkg/id/project/kp-iq>"
    assert f'DataPropertyAssertion(iq:startYear {kp_iq} "2011"^^xsd:gYear)' in removed
    assert not report.unchecked.residual and not report.unchecked.problems
    assert any("× 2" in line for line in report.unchecked.summary())


def test_unsupported_datatype_inside_a_class_expression_is_listed(ontology: Graph) -> None:
    """What cannot be split off is still named; HermiT then ignores only that."""
    broken = Graph()
    broken += ontology
    restriction = BNode()
    broken.add((URIRef(IQ + "Event"), RDFS.subClassOf, restriction))
    broken.add((restriction, RDF.type, OWL.Restriction))
    broken.add((restriction, OWL.onProperty, URIRef(IQ + "eventDate")))
    broken.add((restriction, OWL.someValuesFrom, URIRef("http://www.w3.org/2001/XMLSchema#date")))
    report = check_consistency(broken)
    assert report.consistent, report.message
    assert report.unchecked.residual == [f"{_bnode(restriction)} <{OWL.someValuesFrom}> xsd:date"]


def _bnode(node: BNode) -> str:
    return f"<{node}>"


def test_consistency_check_lists_unsatisfiable_classes(ontology: Graph) -> None:
    broken = Graph()
    broken += ontology
    chimera = URIRef(IQ + "Chimera")
    broken.add((chimera, RDF.type, OWL.Class))
    broken.add((chimera, RDFS.subClassOf, URIRef(IQ + "FederalState")))
    broken.add((chimera, RDFS.subClassOf, URIRef(IQ + "Organisation")))
    report = check_consistency(broken)
    assert report.consistent
    assert report.unsatisfiable == [str(chimera)]


def test_infer_on_stored_triples_gives_only_new_useful_ones() -> None:
    """The loader's reasoner on a tiny ontology: a subclass, an inverse, a transitive
    property; expected triples follow from the OWL 2 RL rules cax-sco, prp-inv1, prp-trp."""
    ex = "https://example.org/"
    n = ox.NamedNode
    a, sub, inv = n(str(RDF.type)), n(str(RDFS.subClassOf)), n(str(OWL.inverseOf))
    given = [
        ox.Triple(n(ex + "Ministry"), sub, n(ex + "Organisation")),
        ox.Triple(n(ex + "bmas"), a, n(ex + "Ministry")),
        ox.Triple(n(ex + "developedBy"), inv, n(ex + "developed")),
        ox.Triple(n(ex + "kp"), n(ex + "developedBy"), n(ex + "ebb")),
        ox.Triple(n(ex + "embeddedIn"), a, n(str(OWL.TransitiveProperty))),
        ox.Triple(n(ex + "p1"), n(ex + "embeddedIn"), n(ex + "p2")),
        ox.Triple(n(ex + "p2"), n(ex + "embeddedIn"), n(ex + "p3")),
        ox.Triple(n(ex + "kp"), n(ex + "name"), ox.Literal("KP")),
    ]
    inferred = set(infer(given))
    assert ox.Triple(n(ex + "bmas"), a, n(ex + "Organisation")) in inferred
    assert ox.Triple(n(ex + "ebb"), n(ex + "developed"), n(ex + "kp")) in inferred
    assert ox.Triple(n(ex + "p1"), n(ex + "embeddedIn"), n(ex + "p3")) in inferred
    assert not inferred & set(given)
    for t in inferred:
        assert isinstance(t.subject, ox.NamedNode) and not isinstance(t.object, ox.BlankNode)
        assert t.object not in (n(str(OWL.Thing)), n(str(RDFS.Resource)))
        assert not t.subject.value.startswith((str(RDF), str(RDFS), str(OWL)))
        assert not (t.subject == t.object and t.predicate != a)
