"""publish/ontology_doc.py: the documentation of ``{base}def`` from a small ontology built
here: own terms by kind with labels, definitions and facets, class expressions in DL
notation with links, inverses from both sides, characteristics, external terms with the
own terms that specialise them, and the ontology's own metadata."""

from __future__ import annotations

import pytest
from pyoxigraph import NamedNode, RdfFormat

from iqkg.publish.ontology_doc import OntologyDoc, TermDoc, ontology_doc
from iqkg.rdf.iris import IriScheme
from iqkg.store.dataset import Dataset

IRIS = IriScheme("https://data.example.org/kg/")
ONTOLOGY = f"""
@prefix iq: <{IRIS.vocab}> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .

<{IRIS.ontology}> a owl:Ontology ; owl:versionIRI <{IRIS.ontology}/1.2> ;
  owl:versionInfo "1.2" ; dcterms:title "Ontologie"@de , "Ontology"@en ;
  dcterms:license <https://creativecommons.org/licenses/by/4.0/> .

iq:Network a owl:Class ; rdfs:label "Netzwerk"@de , "Network"@en ;
  skos:definition "Ein Verbund."@de ;
  rdfs:subClassOf schema:Organization ,
    [ owl:unionOf ( iq:Actor iq:Project ) ] ,
    [ a owl:Restriction ; owl:onProperty iq:cooperatesWith ; owl:someValuesFrom iq:Actor ] ,
    [ a owl:Restriction ; owl:onProperty iq:code ; owl:hasValue "<b>" ] .
iq:Actor a owl:Class ; rdfs:subClassOf schema:Organization .
iq:Project a owl:Class .
iq:cooperatesWith a owl:ObjectProperty , owl:SymmetricProperty , owl:TransitiveProperty ;
  rdfs:domain iq:Actor ; rdfs:range iq:Actor .
iq:hasMember a owl:ObjectProperty ; owl:inverseOf iq:memberOf .
iq:memberOf a owl:ObjectProperty .
iq:code a owl:DatatypeProperty , owl:FunctionalProperty .
schema:Organization a owl:Class .
schema:name a owl:DatatypeProperty .
"""


@pytest.fixture(scope="module")
def doc() -> OntologyDoc:
    dataset = Dataset.open(None, IRIS)
    dataset.store.load(
        ONTOLOGY.encode(), format=RdfFormat.TURTLE, to_graph=NamedNode(IRIS.graph("ontology"))
    )
    return ontology_doc(dataset, "en")


def _terms(doc: OntologyDoc) -> dict[str, TermDoc]:
    return {t.local: t for _, terms in doc.sections for t in terms}


def _facets(term: TermDoc) -> dict[str, list[str]]:
    return {key: [str(v) for v in values] for key, values in term.facets}


def test_own_terms_are_listed_by_kind_in_order(doc: OntologyDoc) -> None:
    assert [(kind, [t.local for t in terms]) for kind, terms in doc.sections] == [
        ("classes", ["Actor", "Network", "Project"]),
        ("object_properties", ["cooperatesWith", "hasMember", "memberOf"]),
        ("datatype_properties", ["code"]),
    ]  # no annotation properties: no empty section
    network = _terms(doc)["Network"]
    assert network.labels == {"de": "Netzwerk", "en": "Network"}
    assert network.definitions == {"de": "Ein Verbund."}
    assert network.curie == "iq:Network" and network.kind == "classes"


def test_class_expressions_are_written_in_dl_notation_with_links(doc: OntologyDoc) -> None:
    superclasses = _facets(_terms(doc)["Network"])["subclass_of"]
    link = '<a href="/def.html#{0}"><code>iq:{0}</code></a>'
    assert f"({link.format('Actor')} ⊔ {link.format('Project')})" in superclasses
    assert f"∃ {link.format('cooperatesWith')} . {link.format('Actor')}" in superclasses
    assert f"∋ {link.format('code')} . <code>&lt;b&gt;</code>" in superclasses  # escaped
    assert '<a href="https://schema.org/Organization"><code>schema:Organization</code></a>' in (
        superclasses
    )


def test_properties_show_domain_range_inverses_and_characteristics(doc: OntologyDoc) -> None:
    terms = _terms(doc)
    cooperates = _facets(terms["cooperatesWith"])
    actor = '<a href="/def.html#Actor"><code>iq:Actor</code></a>'
    assert cooperates["domain"] == cooperates["range"] == [actor]
    assert [c.split("<code>")[1].split("</code>")[0] for c in cooperates["characteristics"]] == [
        "owl:TransitiveProperty",
        "owl:SymmetricProperty",
    ]
    # owl:inverseOf is stated once and shown on both terms.
    assert "iq:memberOf" in _facets(terms["hasMember"])["inverse_of"][0]
    assert "iq:hasMember" in _facets(terms["memberOf"])["inverse_of"][0]
    assert "characteristics" not in _facets(terms["hasMember"])
    assert "owl:FunctionalProperty" in _facets(terms["code"])["characteristics"][0]


def test_external_terms_name_the_own_terms_that_specialise_them(doc: OntologyDoc) -> None:
    external = {t.curie: _facets(t) for t in doc.external}
    assert set(external) == {"schema:Organization", "schema:name"}
    specialised = external["schema:Organization"]["specialised_by"]
    assert [s.split("<code>")[1].split("</code>")[0] for s in specialised] == [
        "iq:Actor",
        "iq:Network",
    ]
    assert external["schema:name"]["specialised_by"] == []


def test_the_ontologys_own_metadata(doc: OntologyDoc) -> None:
    assert doc.iri == IRIS.ontology
    assert (doc.version_iri, doc.version) == (IRIS.ontology + "/1.2", "1.2")
    assert doc.titles == {"de": "Ontologie", "en": "Ontology"} and doc.descriptions == {}
    assert doc.licence == "https://creativecommons.org/licenses/by/4.0/"


def test_an_empty_ontology_graph_documents_nothing() -> None:
    doc = ontology_doc(Dataset.open(None, IRIS), "en")
    assert doc.sections == [] and doc.external == []
    assert doc.version is None and doc.licence is None and doc.titles == {}
