"""Documentation of the ontology (``{base}def``), read from ``graph/ontology``.

Every class and property the ontology declares is listed: its own terms (``iq:``) in full
(labels and definitions in de and en, domain, range, super-classes and super-properties,
inverses, characteristics) and the external terms it declares for alignment, with the own
terms that specialise them. Class expressions (restrictions, unions) are written in DL
notation (``∃ iq:cooperatesWith . iq:LabourMarketActor``, ``A ⊔ B``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup, escape
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from iqkg.publish.labels import compact
from iqkg.publish.pages import Linker
from iqkg.rdf.convert import to_rdflib_graph
from iqkg.rdf.iris import DCTERMS, GRAPH_ONTOLOGY, IriScheme
from iqkg.store.dataset import Dataset
from iqkg.store.reading import graph_triples

KINDS: tuple[tuple[str, URIRef], ...] = (
    ("classes", OWL.Class),
    ("object_properties", OWL.ObjectProperty),
    ("datatype_properties", OWL.DatatypeProperty),
    ("annotation_properties", OWL.AnnotationProperty),
)
CHARACTERISTICS = (
    OWL.TransitiveProperty,
    OWL.SymmetricProperty,
    OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
    OWL.AsymmetricProperty,
    OWL.ReflexiveProperty,
    OWL.IrreflexiveProperty,
)


@dataclass
class TermDoc:
    iri: str
    local: str
    curie: str
    kind: str
    labels: dict[str, str]
    definitions: dict[str, str]
    facets: list[tuple[str, list[Markup]]] = field(default_factory=list)


@dataclass
class OntologyDoc:
    iri: str
    version_iri: str | None
    version: str | None
    titles: dict[str, str]
    descriptions: dict[str, str]
    licence: str | None
    sections: list[tuple[str, list[TermDoc]]]
    external: list[TermDoc]


def ontology_graph(dataset: Dataset) -> Graph:
    return to_rdflib_graph(graph_triples(dataset, dataset.iris.graph(GRAPH_ONTOLOGY)))


def _by_lang(graph: Graph, subject: URIRef, predicate: URIRef) -> dict[str, str]:
    return {
        (o.language or ""): str(o)
        for o in graph.objects(subject, predicate)
        if isinstance(o, Literal)
    }


class _Writer:
    def __init__(self, graph: Graph, iris: IriScheme, lang: str) -> None:
        self.graph, self.iris, self.lang = graph, iris, lang
        self.linker = Linker(iris)

    def link(self, iri: URIRef) -> Markup:
        curie = compact(str(iri), self.iris)
        href = self.linker.href(str(iri))
        if href is None:
            return Markup("<code>{}</code>").format(curie)
        return Markup('<a href="{}"><code>{}</code></a>').format(href, curie)

    def expression(self, node: object) -> Markup:
        """A class expression in DL notation, with links to named terms."""
        g = self.graph
        if isinstance(node, URIRef):
            return self.link(node)
        if not isinstance(node, BNode):
            return Markup("<code>{}</code>").format(str(node))
        for operator, symbol in ((OWL.unionOf, " ⊔ "), (OWL.intersectionOf, " ⊓ ")):
            members = g.value(node, operator)
            if members is not None:
                parts = [self.expression(m) for m in Collection(g, members)]
                return Markup("(") + Markup(escape(symbol)).join(parts) + Markup(")")
        prop = g.value(node, OWL.onProperty)
        if prop is not None:
            for restriction, symbol in (
                (OWL.someValuesFrom, "∃"),
                (OWL.allValuesFrom, "∀"),
                (OWL.hasValue, "∋"),
            ):
                filler = g.value(node, restriction)
                if filler is not None:
                    return Markup("{} {} . {}").format(
                        symbol, self.expression(prop), self.expression(filler)
                    )
        return Markup("<em>[…]</em>")

    def term(self, iri: URIRef, kind: str) -> TermDoc:
        g = self.graph
        local = str(iri)[len(self.iris.vocab) :] if str(iri).startswith(self.iris.vocab) else ""
        facets: list[tuple[str, list[Markup]]] = []
        for key, predicate in (
            ("subclass_of", RDFS.subClassOf),
            ("subproperty_of", RDFS.subPropertyOf),
            ("domain", RDFS.domain),
            ("range", RDFS.range),
            ("inverse_of", OWL.inverseOf),
            ("disjoint_with", OWL.disjointWith),
        ):
            values = sorted(g.objects(iri, predicate), key=str)
            if predicate == OWL.inverseOf:
                values += sorted(g.subjects(OWL.inverseOf, iri), key=str)
            if values:
                facets.append((key, [self.expression(v) for v in values]))
        traits = [self.link(c) for c in CHARACTERISTICS if (iri, RDF.type, c) in g]
        if traits:
            facets.append(("characteristics", traits))
        return TermDoc(
            iri=str(iri),
            local=local,
            curie=compact(str(iri), self.iris),
            kind=kind,
            labels=_by_lang(g, iri, RDFS.label),
            definitions=_by_lang(g, iri, SKOS.definition),
            facets=facets,
        )


def ontology_doc(dataset: Dataset, lang: str) -> OntologyDoc:
    iris = dataset.iris
    graph = ontology_graph(dataset)
    writer = _Writer(graph, iris, lang)
    own: dict[str, list[TermDoc]] = {key: [] for key, _ in KINDS}
    external: list[TermDoc] = []
    for key, owl_type in KINDS:
        for subject in sorted(set(graph.subjects(RDF.type, owl_type)), key=str):
            if not isinstance(subject, URIRef):
                continue
            if str(subject).startswith(iris.vocab):
                own[key].append(writer.term(subject, key))
            else:
                doc = writer.term(subject, key)
                specialised = sorted(
                    {
                        s
                        for p in (RDFS.subClassOf, RDFS.subPropertyOf)
                        for s in graph.subjects(p, subject)
                        if isinstance(s, URIRef)
                    },
                    key=str,
                )
                doc.facets = [("specialised_by", [writer.link(s) for s in specialised])]
                external.append(doc)
    ontology = URIRef(iris.ontology)
    version_iri = graph.value(ontology, OWL.versionIRI)
    version = graph.value(ontology, OWL.versionInfo)
    licence = graph.value(ontology, URIRef(DCTERMS + "license"))
    return OntologyDoc(
        iri=iris.ontology,
        version_iri=str(version_iri) if version_iri else None,
        version=str(version) if version else None,
        titles=_by_lang(graph, ontology, URIRef(DCTERMS + "title")),
        descriptions=_by_lang(graph, ontology, URIRef(DCTERMS + "description")),
        licence=str(licence) if licence else None,
        sections=[(key, own[key]) for key, _ in KINDS if own[key]],
        external=external,
    )
