"""What a query worker does with a :class:`DumpJob`: write the public dataset of its
checkpoint to files (worker side).

A dump is every public graph, so its cost grows with the store; it runs where queries
run, in a killable worker with a deadline (:mod:`iqkg.query.workers`), and the worker
streams the quads from its read-only checkpoint straight into the files: nothing of the
size of the dataset crosses the socket or sits in the server's memory. All files of one
job come from one checkpoint, and the answer is the dataset version they hold, so the
server can file them under that version. The folder, its naming and its replacement are
the caller's (:mod:`iqkg.publish.dumps`); a worker killed halfway leaves a partial folder
that the caller discards.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import DefaultGraph, NamedNode, Store, Triple, serialize

from iqkg.rdf.formats import ALL_RDF_SYNTAXES, TRIG, TURTLE, rdf_syntax_for_name
from iqkg.rdf.iris import IriScheme, prefixes
from iqkg.store.dataset import public_graphs, read_version


@dataclass(frozen=True)
class DumpFileJob:
    """One file of a dump: its name in the folder, the syntax (an
    :class:`~iqkg.rdf.formats.RdfSyntax` name), gzipped or not, and whether it holds the
    union of the public graphs as triples (else every public graph's quads)."""

    name: str
    syntax: str
    gzipped: bool
    union: bool


@dataclass(frozen=True)
class DumpJob:
    """Write ``files`` into the existing folder ``folder``; plain values only (pickled)."""

    folder: str
    files: tuple[DumpFileJob, ...]
    checkpoint: str = ""


def write_dump(store: Store, iris: IriScheme, job: DumpJob) -> str:
    """Write every file of ``job`` from ``store``; the dataset version they hold.

    The store's default graph is public too (queries see it, alone or in the union, by
    ``IQKG_DEFAULT_GRAPH``): it comes first, as default-graph quads, then each public
    named graph.
    """
    graphs: list[NamedNode | DefaultGraph] = [DefaultGraph(), *public_graphs(store, iris)]
    names = prefixes(iris)
    for file in job.files:
        syntax = rdf_syntax_for_name(file.syntax, ALL_RDF_SYNTAXES)
        path = Path(job.folder) / file.name
        items: Iterator[object]
        if file.union:
            items = _union(store, graphs)
        else:
            items = (q for g in graphs for q in store.quads_for_pattern(None, None, None, g))
        options = {"prefixes": names} if syntax in (TURTLE, TRIG) else {}
        with gzip.open(path, "wb") if file.gzipped else path.open("wb") as out:
            serialize(items, out, format=syntax.format, **options)  # type: ignore[arg-type]
    return read_version(store, iris)


def _union(store: Store, graphs: list[NamedNode | DefaultGraph]) -> Iterator[Triple]:
    """The distinct triples of the public graphs, graph by graph.

    A triple is left out where an earlier graph already states it, which the store answers
    (one index lookup per earlier graph): memory stays bounded at any size, where a
    ``DISTINCT`` over the union would hold every triple of the dataset at once.
    """
    for index, graph in enumerate(graphs):
        earlier = graphs[:index]
        for quad in store.quads_for_pattern(None, None, None, graph):
            if not any(
                next(store.quads_for_pattern(quad.subject, quad.predicate, quad.object, g), None)
                for g in earlier
            ):
                yield quad.triple
