"""The SHACL shapes published at ``{base}shapes``, read from ``shapes/`` and documented by
their ``sh:name``/``sh:description`` (falling back to ``rdfs:label``/``rdfs:comment``).

Shapes are not part of the queried dataset, so they are read from the files; the parsed
result is kept until a file changes (mtime and size).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup
from pyoxigraph import Triple
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from iqkg.publish.labels import compact
from iqkg.publish.pages import Linker
from iqkg.rdf.convert import to_rdflib_graph
from iqkg.rdf.iris import IriScheme
from iqkg.store.loader import parse_rdf_file

_lock = threading.Lock()
_cache: dict[tuple[str, str], tuple[object, list[Triple]]] = {}


def shapes_files(shapes_dir: Path) -> list[Path]:
    return sorted(p for p in shapes_dir.glob("*.ttl") if p.is_file()) if shapes_dir.is_dir() else []


def shapes_triples(shapes_dir: Path, iris: IriScheme) -> list[Triple]:
    """Every triple of shapes/*.ttl, rebased onto the installation's base."""
    files = shapes_files(shapes_dir)
    stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    key = (str(shapes_dir), iris.base)
    with _lock:
        cached = _cache.get(key)
        if cached and cached[0] == stamp:
            return cached[1]
        triples = [t for p in files for t in parse_rdf_file(p, iris, label=p.name)]
        _cache[key] = (stamp, triples)
        return triples


@dataclass
class PropertyDoc:
    path: Markup
    names: dict[str, str]
    descriptions: dict[str, str]
    constraints: list[tuple[str, Markup]]


@dataclass
class ShapeDoc:
    iri: str | None
    anchor: str
    curie: str
    names: dict[str, str]
    descriptions: dict[str, str]
    targets: list[Markup]
    properties: list[PropertyDoc] = field(default_factory=list)


def _texts(graph: Graph, node: object, *predicates: URIRef) -> dict[str, str]:
    for predicate in predicates:
        found = {
            (o.language or ""): str(o)
            for o in graph.objects(node, predicate)  # type: ignore[arg-type]
            if isinstance(o, Literal)
        }
        if found:
            return found
    return {}


CONSTRAINTS = (
    SH.minCount,
    SH.maxCount,
    SH.datatype,
    SH["class"],
    SH.nodeKind,
    SH.pattern,
    SH.minLength,
    SH.maxLength,
    SH.hasValue,
    SH.node,
    SH.languageIn,
    SH.uniqueLang,
)


def shapes_doc(triples: list[Triple], iris: IriScheme) -> list[ShapeDoc]:
    graph = to_rdflib_graph(triples)
    linker = Linker(iris)

    def show(node: object) -> Markup:
        if isinstance(node, URIRef):
            href = linker.href(str(node))
            curie = compact(str(node), iris)
            if href:
                return Markup('<a href="{}"><code>{}</code></a>').format(href, curie)
            return Markup("<code>{}</code>").format(curie)
        if isinstance(node, Literal):
            return Markup("<code>{}</code>").format(str(node))
        has_list = isinstance(node, BNode) and (node, RDF.first, None) in graph
        items = list(graph.items(node)) if isinstance(node, BNode) and has_list else []
        if items:
            return Markup(", ").join(show(i) for i in items)
        return Markup("<em>[…]</em>")

    docs: list[ShapeDoc] = []
    shapes = set(graph.subjects(RDF.type, SH.NodeShape)) | set(graph.subjects(SH.targetClass, None))
    for position, shape in enumerate(sorted(shapes, key=str)):
        iri = str(shape) if isinstance(shape, URIRef) else None
        anchor = iri.rsplit("#", 1)[-1] if iri and "#" in iri else f"shape-{position}"
        targets = [
            show(o)
            for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
            for o in graph.objects(shape, p)
        ]
        doc = ShapeDoc(
            iri=iri,
            anchor=anchor,
            curie=compact(iri, iris) if iri else anchor,
            names=_texts(graph, shape, SH.name, RDFS.label),
            descriptions=_texts(graph, shape, SH.description, RDFS.comment),
            targets=targets,
        )
        for prop in sorted(graph.objects(shape, SH.property), key=str):
            constraints = [
                (compact(str(c), iris), show(o))
                for c in CONSTRAINTS
                for o in graph.objects(prop, c)
            ]
            doc.properties.append(
                PropertyDoc(
                    path=show(graph.value(prop, SH.path)),
                    names=_texts(graph, prop, SH.name, RDFS.label),
                    descriptions=_texts(graph, prop, SH.description, SH.message, RDFS.comment),
                    constraints=constraints,
                )
            )
        docs.append(doc)
    return docs
