"""The ontology is well-formed OWL 2 DL, documented in German and English, and consistent."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from iqkg.reasoning import check_consistency
from tests.knowledge.conftest import IQ, ONTOLOGY_DIR

VANN = Namespace("http://purl.org/vocab/vann/")
ONTOLOGY_IRI = URIRef("https://w3id.org/iqkg/def")
KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
PROPERTY_KINDS = KINDS[1:]
BUILT_IN = (str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#")


def declared_kinds(ontology: Graph) -> dict[URIRef, set[URIRef]]:
    kinds: dict[URIRef, set[URIRef]] = defaultdict(set)
    for kind in KINDS:
        for term in ontology.subjects(RDF.type, kind):
            if isinstance(term, URIRef):
                kinds[term].add(kind)
    return kinds


def iq_terms(ontology: Graph, *kinds: URIRef) -> list[URIRef]:
    return sorted(
        term
        for term, found in declared_kinds(ontology).items()
        if str(term).startswith(IQ) and found & set(kinds)
    )


def class_expressions(graph: Graph) -> set[URIRef]:
    """Every named class the ontology or data use in a class position."""
    used: set[URIRef] = set()
    for predicate in (RDF.type, RDFS.subClassOf, RDFS.domain, RDFS.range, OWL.someValuesFrom):
        for obj in graph.objects(None, predicate):
            if isinstance(obj, URIRef):
                used.add(obj)
    for collection_predicate in (OWL.unionOf, OWL.members):
        for head in graph.objects(None, collection_predicate):
            used.update(m for m in graph.items(head) if isinstance(m, URIRef))
    return used


def test_header_metadata(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef("https://w3id.org/iqkg/def/0.2.0")
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) is not None
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    for predicate in (DCTERMS.title, DCTERMS.description):
        languages = {o.language for o in ontology.objects(ONTOLOGY_IRI, predicate)}
        assert {"de", "en"} <= languages, predicate
    for predicate in (DCTERMS.creator, DCTERMS.publisher, DCTERMS.created, DCTERMS.modified):
        assert ontology.value(ONTOLOGY_IRI, predicate) is not None, predicate
    assert ontology.value(ONTOLOGY_IRI, VANN.preferredNamespacePrefix) == Literal("iq")
    assert str(ontology.value(ONTOLOGY_IRI, VANN.preferredNamespaceUri)) == IQ


@pytest.mark.parametrize("predicate", [RDFS.label, SKOS.definition], ids=["label", "definition"])
def test_every_iq_term_is_documented_in_german_and_english(
    ontology: Graph, predicate: URIRef
) -> None:
    terms = iq_terms(ontology, *KINDS)
    assert len(terms) > 40
    for term in terms:
        languages = [o.language for o in ontology.objects(term, predicate)]
        assert sorted(languages) == ["de", "en"], (term, predicate, languages)


def test_every_iq_property_has_domain_and_range(ontology: Graph) -> None:
    for prop in iq_terms(ontology, OWL.ObjectProperty, OWL.DatatypeProperty):
        assert ontology.value(prop, RDFS.domain) is not None, prop
        assert ontology.value(prop, RDFS.range) is not None, prop


def test_no_term_is_declared_with_two_kinds(ontology: Graph) -> None:
    punned = {t: k for t, k in declared_kinds(ontology).items() if len(k) > 1}
    assert not punned


def test_no_term_is_declared_twice_in_the_file() -> None:
    """The graph would hide a repeated declaration; the file must not contain one."""
    declaration = re.compile(
        r"^(\S+) a owl:(?:Class|ObjectProperty|DatatypeProperty|AnnotationProperty)\b", re.M
    )
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        terms = declaration.findall(path.read_text(encoding="utf-8"))
        repeated = sorted({t for t in terms if terms.count(t) > 1})
        assert not repeated, (path.name, repeated)


def test_every_external_term_used_is_declared(ontology: Graph, curated: Graph) -> None:
    kinds = declared_kinds(ontology)
    both = ontology + curated
    used = {p for p in both.predicates() if isinstance(p, URIRef)} | class_expressions(both)
    external = {t for t in used if not str(t).startswith((IQ, *BUILT_IN))}
    undeclared = sorted(t for t in external if t not in kinds)
    assert not undeclared


def test_property_use_matches_declared_kind(ontology: Graph, curated: Graph) -> None:
    """Object properties link resources, datatype properties carry literals (OWL 2 DL)."""
    kinds = declared_kinds(ontology)
    for s, p, o in ontology + curated:
        if p == RDF.type or str(p).startswith(BUILT_IN) or isinstance(s, BNode):
            continue
        kind = kinds.get(p, set())
        if OWL.ObjectProperty in kind:
            assert not isinstance(o, Literal), (s, p, o)
        elif OWL.DatatypeProperty in kind:
            assert isinstance(o, Literal), (s, p, o)
        else:
            assert OWL.AnnotationProperty in kind, (s, p, o)


def test_iq_inverses_are_declared_properties(ontology: Graph) -> None:
    inverses = list(ontology.subject_objects(OWL.inverseOf))
    assert len(inverses) >= 8
    kinds = declared_kinds(ontology)
    for a, b in inverses:
        assert OWL.ObjectProperty in kinds[a] and OWL.ObjectProperty in kinds[b], (a, b)


def test_class_hierarchy_has_no_cycles(ontology: Graph) -> None:
    for cls in iq_terms(ontology, OWL.Class):
        supers = set(ontology.transitive_objects(cls, RDFS.subClassOf)) - {cls}
        assert all(cls not in set(ontology.objects(s, RDFS.subClassOf)) for s in supers), cls


def test_every_iq_class_is_connected(ontology: Graph) -> None:
    """No orphan classes: each is aligned/subclassed or used as a domain or range."""
    connected = set(ontology.objects(None, RDFS.domain)) | set(ontology.objects(None, RDFS.range))
    for head in ontology.objects(None, OWL.unionOf):
        connected.update(ontology.items(head))
    for cls in iq_terms(ontology, OWL.Class):
        assert ontology.value(cls, RDFS.subClassOf) is not None or cls in connected, cls


def test_action_fields_are_individuals_not_classes(ontology: Graph, curated: Graph) -> None:
    classes = set(ontology.subjects(RDF.type, OWL.Class))
    fields = set(curated.subjects(RDF.type, URIRef(IQ + "ActionField")))
    assert len(fields) == 5
    assert not fields & classes


def test_hermit_finds_ontology_and_curated_data_consistent(ontology: Graph, curated: Graph) -> None:
    report = check_consistency(ontology, curated)
    assert report.consistent, report.message
    assert report.unsatisfiable == [], report.unsatisfiable
