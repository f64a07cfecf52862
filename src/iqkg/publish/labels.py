"""Human-readable names of IRIs, in every language the data offers.

Labels come from any public graph (an ontology term's label lives in ``graph/ontology``,
a resource's in ``graph/curated`` or a submission). IRIs without a label get a compact
form (``iq:FundingProgramme``, ``skos:exactMatch``) so a page never shows a bare hash.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from pyoxigraph import Literal, NamedNode

from iqkg.publish.language import Text, pick
from iqkg.rdf.iris import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, IriScheme
from iqkg.rdf.iris import prefixes as prefixes  # moved to rdf/iris.py; importers keep working
from iqkg.store.dataset import Dataset

SCHEMA_HTTPS = "https://schema.org/"
LABEL_PREDICATES: tuple[str, ...] = (
    SKOS + "prefLabel",
    RDFS + "label",
    DCTERMS + "title",
    SCHEMA_HTTPS + "name",
    SH + "name",
)

Texts = dict[str, set[str]]

#: Names of common external terms the ontology declares without a label of its own.
WELL_KNOWN: dict[str, dict[str, str]] = {
    RDF + "type": {"de": "ist ein(e)", "en": "is a"},
    RDFS + "label": {"de": "Bezeichnung", "en": "label"},
    RDFS + "comment": {"de": "Kommentar", "en": "comment"},
    RDFS + "seeAlso": {"de": "siehe auch", "en": "see also"},
    SKOS + "prefLabel": {"de": "Vorzugsbezeichnung", "en": "preferred label"},
    SKOS + "altLabel": {"de": "Alternativbezeichnung", "en": "alternative label"},
    SKOS + "definition": {"de": "Definition", "en": "definition"},
    SKOS + "exactMatch": {"de": "entspricht genau", "en": "exact match"},
    SKOS + "closeMatch": {"de": "entspricht ungefähr", "en": "close match"},
    SKOS + "inScheme": {"de": "in Begriffsschema", "en": "in scheme"},
    SKOS + "topConceptOf": {"de": "Oberbegriff von", "en": "top concept of"},
    SKOS + "hasTopConcept": {"de": "hat Oberbegriff", "en": "has top concept"},
    SKOS + "ConceptScheme": {"de": "Begriffsschema", "en": "concept scheme"},
    SKOS + "Concept": {"de": "Begriff", "en": "concept"},
    OWL + "sameAs": {"de": "identisch mit", "en": "same as"},
    SCHEMA_HTTPS + "sameAs": {"de": "dasselbe wie", "en": "same as (schema.org)"},
    OWL + "versionInfo": {"de": "Version", "en": "version"},
    DCTERMS + "title": {"de": "Titel", "en": "title"},
    DCTERMS + "description": {"de": "Beschreibung", "en": "description"},
    DCTERMS + "source": {"de": "Quelle", "en": "source"},
    DCTERMS + "type": {"de": "Typ", "en": "type"},
    DCTERMS + "created": {"de": "erstellt", "en": "created"},
    DCTERMS + "modified": {"de": "geändert", "en": "modified"},
    DCTERMS + "license": {"de": "Lizenz", "en": "licence"},
    DCTERMS + "creator": {"de": "Urheber", "en": "creator"},
    DCTERMS + "publisher": {"de": "Herausgeber", "en": "publisher"},
    PROV + "wasDerivedFrom": {"de": "abgeleitet von", "en": "derived from"},
    PROV + "generatedAtTime": {"de": "erzeugt am", "en": "generated at"},
    PROV + "wasAttributedTo": {"de": "zugeschrieben", "en": "attributed to"},
    PROV + "Entity": {"de": "Entität (PROV)", "en": "entity (PROV)"},
    VOID + "triples": {"de": "Anzahl Tripel", "en": "number of triples"},
    "http://spdx.org/rdf/terms#checksum": {"de": "Prüfsumme", "en": "checksum"},
    "http://spdx.org/rdf/terms#checksumValue": {"de": "Prüfsummenwert", "en": "checksum value"},
    "http://spdx.org/rdf/terms#algorithm": {"de": "Algorithmus", "en": "algorithm"},
}


def compact(iri: str, iris: IriScheme) -> str:
    """``prefix:local`` for known namespaces, else the IRI itself."""
    best = ("", "")
    for prefix, namespace in prefixes(iris).items():
        if iri.startswith(namespace) and len(namespace) > len(best[1]):
            best = (prefix, namespace)
    if best[1] and "/" not in iri[len(best[1]) :]:
        return f"{best[0]}:{iri[len(best[1]) :]}"
    return iri


class Labels:
    """Label lookups over one dataset, memoised for the lifetime of this object."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self._public = {g.value for g in dataset.public_graphs()}
        self._cache: dict[str, Texts] = {}

    def texts(self, iri: str, predicates: Iterable[str] = LABEL_PREDICATES) -> Texts:
        """Every label of ``iri`` by language tag (first predicate that has any wins)."""
        key = iri + "\0" + "|".join(predicates)
        if key in self._cache:
            return self._cache[key]
        found: Texts = {}
        for predicate in predicates:
            found = self.literals(iri, predicate)
            if found:
                break
        self._cache[key] = found
        return found

    def literals(self, iri: str, predicate: str) -> Texts:
        texts: Texts = defaultdict(set)
        for quad in self.dataset.store.quads_for_pattern(
            NamedNode(iri), NamedNode(predicate), None, None
        ):
            graph = quad.graph_name
            if not isinstance(graph, NamedNode) or graph.value not in self._public:
                continue
            if isinstance(quad.object, Literal):
                texts[quad.object.language or ""].add(quad.object.value)
        return dict(texts)

    def label(self, iri: str, lang: str) -> Text:
        """The label in ``lang`` (or the best other), else a well-known name, else the
        compact IRI."""
        found = pick(self.texts(iri), lang)
        if found is None and iri in WELL_KNOWN:
            found = Text(WELL_KNOWN[iri][lang], lang)
        return found or Text(compact(iri, self.dataset.iris))

    def description(self, iri: str, lang: str) -> Text | None:
        for predicate in (DCTERMS + "description", SKOS + "definition", RDFS + "comment"):
            found = pick(self.literals(iri, predicate), lang)
            if found:
                return found
        return None
