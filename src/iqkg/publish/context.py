"""A JSON-LD ``@context`` for the vocabulary, generated from the ontology.

Every ``iq:`` term gets a short name: classes map to their IRI; object properties are
``"@type": "@id"``; datatype properties carry their XSD range as ``@type``, and
language-tagged text (``rdf:PlainLiteral``) becomes a language map. Common prefixes are
included so documents can use ``skos:``, ``prov:`` … compact IRIs.
"""

from __future__ import annotations

from typing import Any

from rdflib import URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from iqkg.publish.labels import prefixes
from iqkg.publish.ontology_doc import ontology_graph
from iqkg.store.dataset import Dataset

_CACHE: dict[tuple[str, str], dict[str, Any]] = {}


def jsonld_context(dataset: Dataset) -> dict[str, Any]:
    """The ``{"@context": …}`` document; rebuilt only when the dataset version changes."""
    key = (dataset.iris.base, dataset.version)
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = _build(dataset)
    return _CACHE[key]


def _build(dataset: Dataset) -> dict[str, Any]:
    iris = dataset.iris
    graph = ontology_graph(dataset)
    terms: dict[str, Any] = dict(sorted(prefixes(iris).items()))
    terms["label"] = {"@id": str(RDFS.label), "@container": "@language"}
    terms["type"] = "@type"
    terms["id"] = "@id"

    def own(kind: URIRef) -> list[URIRef]:
        return sorted(
            (s for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef)),
            key=str,
        )

    for cls in own(OWL.Class):
        if str(cls).startswith(iris.vocab):
            terms[str(cls)[len(iris.vocab) :]] = str(cls)
    for prop in own(OWL.ObjectProperty):
        if str(prop).startswith(iris.vocab):
            terms[str(prop)[len(iris.vocab) :]] = {"@id": str(prop), "@type": "@id"}
    for prop in own(OWL.DatatypeProperty):
        if not str(prop).startswith(iris.vocab):
            continue
        definition: dict[str, Any] = {"@id": str(prop)}
        range_ = graph.value(prop, RDFS.range)
        if range_ == RDF.PlainLiteral or range_ == RDF.langString:
            definition["@container"] = "@language"
        elif isinstance(range_, URIRef) and str(range_).startswith(str(XSD)):
            definition["@type"] = str(range_)
        terms[str(prop)[len(iris.vocab) :]] = definition
    return {"@context": terms}
