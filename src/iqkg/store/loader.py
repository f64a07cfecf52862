"""Load ontology/ and data/ into their named graphs, with provenance, idempotently.

Each graph records in ``graph/meta`` the files it came from, their SHA-256 checksums and
when it was written. Loading again with unchanged files changes nothing (not even the
timestamps), so ``iqkg load`` is safe to run at every start.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, Triple, parse

from iqkg.rdf.formats import rdf_syntax_for_path
from iqkg.rdf.iris import (
    DCTERMS,
    GRAPH_CURATED,
    GRAPH_EDITORIAL,
    GRAPH_INFERRED,
    GRAPH_ONTOLOGY,
    PROV,
    RDF,
    RDFS,
    SPDX,
    VOID,
    XSD,
    IriScheme,
)
from iqkg.rdf.oxigraph_errors import rdf_errors
from iqkg.rdf.sparql_terms import iri
from iqkg.settings import DEFAULT_BASE
from iqkg.store.dataset import Dataset, GraphWrite
from iqkg.store.interface import QueryDataset

#: Graph of what the project itself states about curated resources (types, coined labels,
#: translations, descriptions, source records), loaded from ``data/editorial/`` when present
#: (``GRAPH_EDITORIAL``).

#: Titles (and, for graphs whose statements no document makes, a description) in graph/meta.
_TITLES = {
    GRAPH_ONTOLOGY: "Ontology",
    GRAPH_CURATED: "Curated data",
    GRAPH_INFERRED: "OWL RL closure",
    GRAPH_EDITORIAL: "Editorial statements",
}
_DESCRIPTIONS = {
    GRAPH_CURATED: "Facts taken from sources; each source that states a fact is an owl:Axiom "
    "annotation on it (dcterms:source, iq:locator, iq:quotation).",
    GRAPH_EDITORIAL: "What the iqkg project itself states about the curated resources: types, "
    "labels it coined, translations, descriptions, concept schemes and the records of its "
    "sources. No source document makes these statements; the project is responsible for them.",
}

#: Computes new triples (only those not in the input) from ontology + curated triples.
Reasoner = Callable[[list[Triple]], list[Triple]]


@dataclass(frozen=True)
class SourceFile:
    relative: str
    sha256: str


@dataclass
class LoadReport:
    """What a load did: triples per graph, and whether anything changed."""

    counts: dict[str, int] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)


Term = NamedNode | BlankNode | Literal | Triple


def _rebase_term(term: Term, iris: IriScheme) -> Term:
    if isinstance(term, NamedNode):
        return NamedNode(iris.rebase(term.value))
    return term


def parse_rdf_file(path: Path, iris: IriScheme, *, label: str | None = None) -> list[Triple]:
    """Parse one RDF file into triples, with a located error when it is malformed."""
    syntax = rdf_syntax_for_path(path.name)
    with rdf_errors(syntax.name, source=label or str(path)):
        quads = list(
            parse(
                path=str(path), format=syntax.format, base_iri=iris.base, without_named_graphs=True
            )
        )
    return [rebase_triple(q.triple, iris) for q in quads]


def rebase_triple(triple: Triple, iris: IriScheme) -> Triple:
    """Rewrite IRIs written against the default base to the installation's base."""
    s, p, o = triple.subject, triple.predicate, triple.object
    if iris.base == DEFAULT_BASE:
        return triple
    return Triple(_rebase_term(s, iris), NamedNode(iris.rebase(p.value)), _rebase_term(o, iris))  # type: ignore[arg-type]


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.ttl") if p.is_file())


def _checksum(files: Sequence[SourceFile]) -> str:
    digest = hashlib.sha256()
    for f in files:
        digest.update(f"{f.relative}\0{f.sha256}\n".encode())
    return digest.hexdigest()


def _provenance(
    graph: str,
    title: str,
    files: Sequence[SourceFile],
    checksum: str,
    count: int,
    description: str | None = None,
) -> list[Triple]:
    g = NamedNode(graph)
    now = Literal(datetime.now(UTC).isoformat(), datatype=NamedNode(XSD + "dateTime"))
    described = (
        [Triple(g, NamedNode(DCTERMS + "description"), Literal(description, language="en"))]
        if description
        else []
    )
    triples = [
        Triple(g, NamedNode(RDF + "type"), NamedNode(PROV + "Entity")),
        Triple(g, NamedNode(DCTERMS + "title"), Literal(title, language="en")),
        *described,
        Triple(g, NamedNode(PROV + "generatedAtTime"), now),
        Triple(
            g, NamedNode(VOID + "triples"), Literal(str(count), datatype=NamedNode(XSD + "integer"))
        ),
    ]
    triples += _checksum_triples(g, checksum)
    for f in files:
        node = BlankNode()
        triples += [
            Triple(g, NamedNode(PROV + "wasDerivedFrom"), node),
            Triple(node, NamedNode(RDF + "type"), NamedNode(PROV + "Entity")),
            Triple(node, NamedNode(RDFS + "label"), Literal(f.relative)),
            *_checksum_triples(node, f.sha256),
        ]
    return triples


def _checksum_triples(subject: NamedNode | BlankNode, value: str) -> list[Triple]:
    node = BlankNode()
    return [
        Triple(subject, NamedNode(SPDX + "checksum"), node),
        Triple(node, NamedNode(SPDX + "algorithm"), NamedNode(SPDX + "checksumAlgorithm_sha256")),
        Triple(node, NamedNode(SPDX + "checksumValue"), Literal(value)),
    ]


def stored_checksum(dataset: Dataset, graph: str) -> str | None:
    """The checksum graph/meta records for ``graph``, if any."""
    rows = dataset.select(
        f"SELECT ?v WHERE {{ {iri(graph)} {iri(SPDX + 'checksum')} "
        f"[ {iri(SPDX + 'checksumValue')} ?v ] }}",
        dataset=QueryDataset.of(default=[dataset.iris.graph("meta")]),
    )
    for row in rows:
        if row["v"].kind == "literal":
            return row["v"].value
    return None


def _read_folder(
    folder: Path, root: Path, iris: IriScheme
) -> tuple[list[Triple], list[SourceFile]]:
    triples: list[Triple] = []
    files: list[SourceFile] = []
    for path in _files(folder):
        relative = path.relative_to(root).as_posix()
        files.append(SourceFile(relative, hashlib.sha256(path.read_bytes()).hexdigest()))
        triples += parse_rdf_file(path, iris, label=relative)
    return triples, files


def load_knowledge(
    dataset: Dataset,
    knowledge_dir: Path,
    *,
    reasoner: Reasoner | None = None,
    force: bool = False,
) -> LoadReport:
    """Load ontology/ and data/ (and, with a reasoner, their closure) in one transaction.

    Nothing is written when every file is unchanged since the last load, unless ``force``.
    Malformed files raise :class:`~iqkg.errors.RdfSyntaxError` before anything is written.
    """
    iris = dataset.iris
    parsed = {
        GRAPH_ONTOLOGY: _read_folder(knowledge_dir / "ontology", knowledge_dir, iris),
        GRAPH_CURATED: _read_folder(knowledge_dir / "data", knowledge_dir, iris),
    }
    if (knowledge_dir / "data" / "editorial").is_dir():
        parsed[GRAPH_EDITORIAL] = _read_folder(
            knowledge_dir / "data" / "editorial", knowledge_dir, iris
        )
    titles = _TITLES
    report = LoadReport()
    sums = {name: _checksum(files) for name, (_, files) in parsed.items()}
    unchanged = all(stored_checksum(dataset, iris.graph(n)) == c for n, c in sums.items())
    if reasoner is not None:
        unchanged = unchanged and dataset.has_graph(iris.graph(GRAPH_INFERRED))
    if unchanged and not force:
        for name in (*parsed, GRAPH_INFERRED):
            report.counts[name] = dataset.count(iris.graph(name))
        return report

    changes: list[GraphWrite] = []
    meta: list[Triple] = []
    for name, (triples, files) in parsed.items():
        graph = iris.graph(name)
        changes.append(GraphWrite(graph, triples))
        meta += _provenance(
            graph, titles[name], files, sums[name], len(set(triples)), _DESCRIPTIONS.get(name)
        )
        report.counts[name] = len(set(triples))
        report.changed.append(name)
    if reasoner is not None:
        base_triples = [t for triples, _ in parsed.values() for t in triples]
        inferred = reasoner(base_triples)
        graph = iris.graph(GRAPH_INFERRED)
        changes.append(GraphWrite(graph, inferred))
        files = [f for _, fs in parsed.values() for f in fs]
        meta += _provenance(
            graph, titles[GRAPH_INFERRED], files, _checksum(files), len(set(inferred))
        )
        report.counts[GRAPH_INFERRED] = len(set(inferred))
        report.changed.append(GRAPH_INFERRED)
    dataset.write(changes, meta, replace_meta_about=[c.graph for c in changes])
    return report


def reason_knowledge(dataset: Dataset, reasoner: Reasoner) -> int:
    """Recompute ``graph/inferred`` from the stored graphs, with provenance; return its size.

    What ``iqkg load`` records for the closure, ``iqkg reason`` records too: title, time,
    size, a checksum (here of the checksums of the graphs it was computed from) and
    ``prov:wasDerivedFrom`` those graphs, so ``graph/meta`` never describes a closure
    other than the one stored. Raises LookupError when there is nothing to reason over.
    """
    iris = dataset.iris
    names = [
        name
        for name in (GRAPH_ONTOLOGY, GRAPH_CURATED, GRAPH_EDITORIAL)
        if dataset.has_graph(iris.graph(name))
    ]
    base = [t for name in names for t in dataset.triples(iris.graph(name))]
    if not base:
        raise LookupError("the store holds no ontology or data to reason over")
    inferred = reasoner(base)
    graph = iris.graph(GRAPH_INFERRED)
    sums = hashlib.sha256()
    for name in names:
        sums.update(f"{iris.graph(name)}\0{stored_checksum(dataset, iris.graph(name))}\n".encode())
    count = len(set(inferred))
    meta = _provenance(graph, _TITLES[GRAPH_INFERRED], [], sums.hexdigest(), count)
    meta += [
        Triple(NamedNode(graph), NamedNode(PROV + "wasDerivedFrom"), NamedNode(iris.graph(name)))
        for name in names
    ]
    dataset.write([GraphWrite(graph, inferred)], meta, replace_meta_about=[graph])
    return count
