"""View-models of resource pages: what a reader sees, in their language.

Templates only lay these out; every decision (which label, which link, where a fact came
from, which schema.org type) is made here where it can be tested without a browser.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import quote

from pyoxigraph import BlankNode, Literal, NamedNode

from iqkg.publish.describe import Description, Fact, described_graphs
from iqkg.publish.history import HistoryBuilder, HistoryPanels
from iqkg.publish.labels import SCHEMA_HTTPS, Labels, compact
from iqkg.publish.language import Text
from iqkg.publish.paths import local_path
from iqkg.rdf.iris import (
    DCTERMS,
    GRAPH_CURATED,
    GRAPH_EDITORIAL,
    GRAPH_INFERRED,
    GRAPH_META,
    GRAPH_ONTOLOGY,
    OWL,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    IriScheme,
)

SOURCE_PREDICATES = (PROV + "wasDerivedFrom", DCTERMS + "source", PROV + "hadPrimarySource")
#: schema.org types for W3C classes the ontology aligns to (search engines know only these).
SCHEMA_EQUIVALENTS = {
    "http://www.w3.org/ns/org#Organization": "Organization",
    SKOS + "Concept": "DefinedTerm",
    SKOS + "ConceptScheme": "DefinedTermSet",
}
SAME_AS_PREDICATES = (SKOS + "exactMatch", OWL + "sameAs", SCHEMA + "sameAs")
GRAPH_NAMES = {
    GRAPH_CURATED: {"de": "kuratierte Daten", "en": "curated data"},
    GRAPH_EDITORIAL: {"de": "redaktionelle Angaben", "en": "editorial statements"},
    GRAPH_ONTOLOGY: {"de": "Ontologie", "en": "ontology"},
    GRAPH_META: {"de": "Provenienz", "en": "provenance"},
}


@dataclass
class Origin:
    """The graph a fact is asserted in (a submission, the curated data …)."""

    label: Text
    href: str | None
    is_submission: bool = False
    #: Curated facts are the rule; pages mark only facts from elsewhere.
    curated: bool = False


@dataclass
class Value:
    text: Text
    href: str | None = None
    iri: str | None = None
    datatype: str | None = None
    origins: list[Origin] = field(default_factory=list)
    nested: list[Row] = field(default_factory=list)


@dataclass
class Row:
    predicate: str
    label: Text
    href: str | None
    values: list[Value]


@dataclass
class SourceRef:
    iri: str
    href: str | None
    label: Text
    description: Text | None


@dataclass
class GraphProvenance:
    iri: str
    href: str | None
    label: Text
    generated: str | None
    files: list[str]


@dataclass
class ResourcePage:
    iri: str
    label: Text
    description: Text | None
    types: list[Value]
    rows: list[Row]
    incoming: list[Row]
    sources: list[SourceRef]
    graphs: list[GraphProvenance]
    describe_href: str
    schema_jsonld: str
    kind: str
    #: Some nested blank nodes were left out (see describe.MAX_BLANK_DEPTH).
    truncated: bool = False
    #: The submissions this resource's own facts come from, when none is curated.
    contributed_by: list[Origin] = field(default_factory=list)
    #: Statements with their sources, timeline, coordinators, conflicting claims.
    history: HistoryPanels = field(default_factory=HistoryPanels)


class Linker:
    """Where a page links an IRI to: local pages for the base, docs for terms."""

    def __init__(self, iris: IriScheme) -> None:
        self.iris = iris

    def href(self, iri: str) -> str | None:
        if iri.startswith(self.iris.vocab):
            return "/def.html#" + iri[len(self.iris.vocab) :]
        if iri.startswith(self.iris.shapes + "#"):
            return "/shapes.html#" + iri[len(self.iris.shapes) + 1 :]
        local = local_path(iri, self.iris.base)
        if local is not None:
            return local
        return iri if iri.startswith(("http://", "https://")) else None


class PageBuilder:
    """Builds :class:`ResourcePage` objects for one request language."""

    def __init__(self, labels: Labels, lang: str) -> None:
        self.labels = labels
        self.lang = lang
        self.dataset = labels.dataset
        self.iris = labels.dataset.iris
        self.linker = Linker(self.iris)
        self._described = described_graphs(self.dataset)
        self._graph_hrefs: dict[str, str | None] = {}

    # --- values ------------------------------------------------------------------

    def origin(self, graph: str) -> Origin:
        name = graph[len(self.iris.graph("")) :]
        if name.startswith("submission/"):
            word = "Einreichung" if self.lang == "de" else "submission"
            ident = name[len("submission/") :]
            named = f"{word} {ident}"
            partner = self._partner(graph)
            if partner is not None:
                named += (" von " if self.lang == "de" else " by ") + partner
            return Origin(Text(named, ""), self._graph_href(graph), True)
        names = GRAPH_NAMES.get(name)
        text = Text(names[self.lang], self.lang) if names else Text(name, "")
        return Origin(
            text, self._graph_href(graph), curated=name in (GRAPH_CURATED, GRAPH_EDITORIAL)
        )

    def _partner(self, graph: str) -> str | None:
        """The name of the partner a submission graph is attributed to (graph/meta)."""
        meta = NamedNode(self.iris.graph(GRAPH_META))
        for quad in self.dataset.store.quads_for_pattern(
            NamedNode(graph), NamedNode(PROV + "wasAttributedTo"), None, meta
        ):
            if isinstance(quad.object, NamedNode):
                return self.labels.label(quad.object.value, self.lang).value
        return None

    def _graph_href(self, graph: str) -> str | None:
        """Link a graph only when it has a description of its own (else the link is a 404)."""
        if graph not in self._graph_hrefs:
            self._graph_hrefs[graph] = self._described_graph_href(graph)
        return self._graph_hrefs[graph]

    def _described_graph_href(self, graph: str) -> str | None:
        quads = self.dataset.store.quads_for_pattern(NamedNode(graph), None, None, None)
        for quad in quads:
            if isinstance(quad.graph_name, NamedNode) and quad.graph_name.value in self._described:
                return self.linker.href(graph)
        return None

    def value(
        self,
        term: object,
        fact: Fact | None,
        nested: dict[str, list[Fact]],
        above: frozenset[str] = frozenset(),
    ) -> Value:
        """One value; a blank node shows its own facts nested, unless it is one of the
        blank nodes ``above`` it (a cycle such as ``_:a <p> _:a``), which ends in "…"."""
        origins = [self.origin(g) for g in fact.graphs] if fact else []
        if isinstance(term, NamedNode):
            return Value(
                self.labels.label(term.value, self.lang),
                self.linker.href(term.value),
                term.value,
                origins=origins,
            )
        if isinstance(term, Literal):
            datatype = term.datatype.value if not term.language else None
            shown = None if datatype is None or datatype.endswith("#string") else datatype
            return Value(
                Text(term.value, term.language or ""),
                datatype=compact(shown, self.iris) if shown else None,
                origins=origins,
            )
        assert isinstance(term, BlankNode)
        if term.value in above:
            return Value(Text("…"), origins=origins)
        inner = self.rows(nested.get(term.value, []), nested, above | {term.value})
        return Value(Text("…"), origins=origins, nested=inner)

    def rows(
        self,
        facts: list[Fact],
        nested: dict[str, list[Fact]],
        above: frozenset[str] = frozenset(),
    ) -> list[Row]:
        by_predicate: dict[str, list[Fact]] = {}
        for fact in facts:
            by_predicate.setdefault(fact.triple.predicate.value, []).append(fact)
        rows = [
            Row(
                predicate,
                self.labels.label(predicate, self.lang),
                self.linker.href(predicate),
                sorted(
                    (self.value(f.triple.object, f, nested, above) for f in group),
                    key=self._value_order,
                ),
            )
            for predicate, group in by_predicate.items()
        ]
        return sorted(rows, key=lambda r: self._row_order(r))

    def _value_order(self, value: Value) -> tuple[bool, str]:
        """The reader's language first, then alphabetical."""
        return value.text.lang not in ("", self.lang), value.text.value.lower()

    def _row_order(self, row: Row) -> tuple[int, str]:
        first = 0 if row.predicate == RDF + "type" else 2
        if row.predicate.startswith(self.iris.vocab):
            first = 1
        return first, row.label.value.lower()

    def incoming(self, facts: list[Fact]) -> list[Row]:
        by_predicate: dict[str, list[Fact]] = {}
        for fact in facts:
            by_predicate.setdefault(fact.triple.predicate.value, []).append(fact)
        rows = []
        for predicate, group in by_predicate.items():
            values = [self.value(f.triple.subject, f, {}) for f in group]
            rows.append(
                Row(
                    predicate,
                    self.labels.label(predicate, self.lang),
                    self.linker.href(predicate),
                    sorted(values, key=lambda v: v.text.value.lower()),
                )
            )
        return sorted(rows, key=lambda r: r.label.value.lower())

    # --- provenance --------------------------------------------------------------

    def sources(self, description: Description) -> list[SourceRef]:
        refs: dict[str, SourceRef] = {}
        for predicate in SOURCE_PREDICATES:
            for term in description.values(predicate):
                if isinstance(term, NamedNode) and term.value not in refs:
                    refs[term.value] = SourceRef(
                        term.value,
                        self.linker.href(term.value),
                        self.labels.label(term.value, self.lang),
                        self.labels.description(term.value, self.lang),
                    )
        return list(refs.values())

    def graph_provenance(self, description: Description) -> list[GraphProvenance]:
        graphs = sorted({g for f in description.outgoing for g in f.graphs})
        result = []
        meta = self.iris.graph(GRAPH_META)
        for graph in graphs:
            generated = None
            files: list[str] = []
            for quad in self.dataset.store.quads_for_pattern(
                NamedNode(graph), None, None, NamedNode(meta)
            ):
                predicate, obj = quad.predicate.value, quad.object
                if predicate == PROV + "generatedAtTime" and isinstance(obj, Literal):
                    generated = obj.value[:19].replace("T", " ")
                if predicate == PROV + "wasDerivedFrom" and isinstance(obj, BlankNode):
                    files += sorted(
                        q.object.value
                        for q in self.dataset.store.quads_for_pattern(
                            obj, NamedNode(RDFS + "label"), None, NamedNode(meta)
                        )
                        if isinstance(q.object, Literal)
                    )
            origin = self.origin(graph)
            result.append(GraphProvenance(graph, origin.href, origin.label, generated, files))
        return result

    # --- the page ----------------------------------------------------------------

    def page(self, description: Description) -> ResourcePage:
        iri = description.iri
        types = [self.value(NamedNode(t), None, {}) for t in description.types()]
        rows = self.rows(description.outgoing, description.nested)
        query = quote(f"DESCRIBE <{iri}>", safe="")
        return ResourcePage(
            iri=iri,
            label=self.labels.label(iri, self.lang),
            description=self.labels.description(iri, self.lang),
            types=types,
            rows=rows,
            incoming=self.incoming(description.incoming),
            sources=self.sources(description),
            graphs=self.graph_provenance(description),
            describe_href=f"/sparql?query={query}",
            schema_jsonld=self.schema_org(description),
            kind=self._kind(iri),
            truncated=description.truncated,
            contributed_by=self.contributions(description),
            history=self.history(description),
        )

    def history(self, description: Description) -> HistoryPanels:
        builder = HistoryBuilder(
            self.dataset,
            self.lang,
            lambda iri: self.labels.label(iri, self.lang),
            self.linker.href,
            self.iris.vocab,
        )
        return builder.panels(description.iri, description.types(), self._kind(description.iri))

    def contributions(self, description: Description) -> list[Origin]:
        """The submissions stating this resource's own facts when no curated graph does:
        a partner's resource is shown as its contribution, never as a curated one."""
        graphs = {g for f in description.outgoing for g in f.graphs}
        origins = [self.origin(g) for g in sorted(graphs)]
        if any(not o.is_submission for o in origins):
            return []
        return origins

    def _kind(self, iri: str) -> str:
        local = local_path(iri, self.iris.base) or ""
        parts = local.strip("/").split("/")
        return parts[1] if len(parts) > 2 and parts[0] == "id" else ""

    def schema_org(self, description: Description) -> str:
        """schema.org JSON-LD for search engines, typed by the ontology's alignments."""
        iri = description.iri
        inferred = self.iris.graph(GRAPH_INFERRED)
        types = set(description.types())
        for quad in self.dataset.store.quads_for_pattern(
            NamedNode(iri), NamedNode(RDF + "type"), None, NamedNode(inferred)
        ):
            if isinstance(quad.object, NamedNode):
                types.add(quad.object.value)
        schema_types = sorted(
            {t[len(SCHEMA_HTTPS) :] for t in types if t.startswith(SCHEMA_HTTPS)}
            | {SCHEMA_EQUIVALENTS[t] for t in types if t in SCHEMA_EQUIVALENTS}
        )
        data: dict[str, object] = {
            "@context": "https://schema.org",
            "@id": iri,
            "@type": schema_types or ["Thing"],
            "url": iri,
            "name": self.labels.label(iri, self.lang).value,
            "inLanguage": self.lang,
        }
        description_text = self.labels.description(iri, self.lang)
        if description_text:
            data["description"] = description_text.value
        same = sorted(
            t.value
            for p in SAME_AS_PREDICATES
            for t in description.values(p)
            if isinstance(t, NamedNode)
        )
        if same:
            data["sameAs"] = same
        # "</script>" inside JSON would end the script element early; escape the slash.
        return json.dumps(data, ensure_ascii=False, indent=2).replace("</", "<\\/")
