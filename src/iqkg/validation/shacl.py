"""Validate RDF against the iqkg shapes: a fast SHACL Core engine, pySHACL as reference.

:class:`ShaclValidator` (production) validates with :mod:`iqkg.validation.core` and hands
each targeted shape that engine cannot evaluate to pySHACL, automatically; the shapes it
handed over are in :attr:`ShaclValidator.fallback` and logged once. :class:`PyShaclValidator`
is the reference both are tested against (``tests/validation/test_differential.py``).

Data is validated *together with* the curated data (so references to curated networks,
centres and action fields resolve) and with the ontology mixed in (so ``sh:class`` and
``sh:targetClass`` honour ``rdfs:subClassOf``, as SHACL §3.2 defines SHACL instances).
No RDFS entailment is run: inferring types from domains and ranges would hide the very
omissions the shapes exist to catch, and it costs seconds on large submissions.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox
import pyshacl.shape
from pyshacl import validate as pyshacl_validate
from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
from pyshacl.rdfutil.inoculate import inoculate
from rdflib import Graph
from rdflib.namespace import RDF as RDF_NS
from rdflib.namespace import RDFS as RDFS_NS
from rdflib.namespace import SH as SH_NS

from iqkg.rdf.convert import (
    canonical_triples,
    to_oxigraph_triples,
    to_rdflib_graph,
    to_rdflib_term,
)
from iqkg.rdf.iris import IriScheme
from iqkg.store.loader import parse_rdf_file
from iqkg.validation import core
from iqkg.validation.compiler import compile_shapes
from iqkg.validation.report import (
    ValidationReport,
    ValidationResult,
    read_report,
    sort_results,
    term_text,
)

logger = logging.getLogger(__name__)


def _index_constraint_parameters() -> None:
    """Let pySHACL find constraint parameters by hash instead of by list scan.

    pySHACL (0.40) checks each predicate of a shape against a *list* of ~40 constraint
    parameters on every evaluation of that shape, i.e. once per shape per focus node; with
    rdflib's ``__eq__`` that was 60% of the time of a 10k-triple submission (measured with
    cProfile: 9.8M comparisons). ``pyshacl.shape`` caches the pair (parameters, map) in a
    module attribute the first time it needs it; seeding that cache with a frozenset of the
    same parameters keeps the behaviour and removes the scan (measured: 3.8 s -> 2.7 s for
    10k triples on a loaded machine). Only done when the cache is still empty, so a pySHACL
    that changes this mechanism simply runs unpatched.
    """
    if getattr(pyshacl.shape, "CONSTRAINT_PARAMS", None) is None:
        pyshacl.shape.CONSTRAINT_PARAMS = (  # type: ignore[attr-defined]
            _IndexedParameters(ALL_CONSTRAINT_PARAMETERS),
            CONSTRAINT_PARAMETERS_MAP,
        )


class _IndexedParameters(list[Any]):
    """pySHACL's parameter list with membership by hash.

    Still a list: with SHACL-AF (``advanced=True``) pySHACL copies it and appends to the
    copy; a frozenset there broke every later advanced validation in the process.
    """

    def __init__(self, items: Iterable[Any]) -> None:
        super().__init__(items)
        self._members = frozenset(self)

    def __contains__(self, item: object) -> bool:
        return item in self._members

    def copy(self) -> list[Any]:
        return list(self)


def knowledge_graphs(knowledge_dir: Path, iris: IriScheme) -> tuple[Graph, Graph, Graph]:
    """Shapes, ontology, and the curated data a body is validated with: the curated facts
    and the project's editorial statements (the types, labels and source records).

    The shapes' blank nodes get canonical labels (RDFC-1.0): every checking worker names
    a complex path or an anonymous shape alike in its results, so the reports of workers
    that shared one body join into one graph with one copy of each, and a report names
    them as the one before it did.
    """
    return (
        to_rdflib_graph(canonical_triples(read_folder(knowledge_dir / "shapes", iris))),
        to_rdflib_graph(read_folder(knowledge_dir / "ontology", iris)),
        to_rdflib_graph(
            read_folder(knowledge_dir / "data", iris)
            + read_folder(knowledge_dir / "data" / "editorial", iris)
        ),
    )


def read_folder(folder: Path, iris: IriScheme) -> list[ox.Triple]:
    """All triples of the Turtle files in ``folder`` (rebased onto the installation)."""
    triples: list[ox.Triple] = []
    for path in sorted(folder.glob("*.ttl")):
        triples += parse_rdf_file(path, iris, label=path.name)
    return triples


class PyShaclValidator:
    """The reference: pySHACL on shapes + ontology + curated data, parsed once."""

    def __init__(self, shapes: Graph, ontology: Graph, curated: Graph) -> None:
        _index_constraint_parameters()
        self.shapes = shapes
        self.ontology = ontology
        self.curated = curated

    @classmethod
    def from_folders(cls, knowledge_dir: Path, iris: IriScheme) -> PyShaclValidator:
        return cls(*knowledge_graphs(knowledge_dir, iris))

    def validate(
        self,
        data: Iterable[ox.Triple],
        *,
        with_curated: bool = True,
        leftovers: list[object] | None = None,
        part: core.Part = core.WHOLE,
    ) -> ValidationReport:
        """Validate ``data`` (plus the curated data unless told not to); ``leftovers`` as
        for :meth:`ShaclValidator.validate` (nothing large is left here). pySHACL checks
        whole graphs only: ``part`` must be the whole."""
        if part != core.WHOLE:
            raise ValueError("pySHACL validates the whole graph, not a share of it")
        return read_report(self.report_graph(data, with_curated=with_curated))

    def report_graph(
        self, data: Iterable[ox.Triple], *, with_curated: bool = True, shapes: Graph | None = None
    ) -> Graph:
        """pySHACL's report graph (with ``shapes`` instead of all shapes, if given)."""
        graph = Graph()
        if with_curated:
            graph += self.curated
        to_rdflib_graph(data, graph)
        _, report_graph, _ = pyshacl_validate(
            graph,
            shacl_graph=self.shapes if shapes is None else shapes,
            ont_graph=self.ontology,
            inference="none",
            # The data graph is built fresh above, so pySHACL may mix the ontology into it
            # instead of cloning it first (measured: ~0.3 s less for 10k triples).
            inplace=True,
            allow_warnings=True,
            allow_infos=True,
            abort_on_first=False,
            # The shapes use SHACL Core only; "advanced" (SHACL-AF) would put the
            # parameter list back into a per-evaluation copy.
            advanced=False,
        )
        assert isinstance(report_graph, Graph)
        return report_graph


class ShaclValidator:
    """The production validator: the fast engine, pySHACL for the shapes it cannot do.

    Same inputs and outputs as :class:`PyShaclValidator`; the data graph is the same too:
    the input, the curated data, and what pySHACL's ``ont_graph`` mixes in (its
    ``inoculate``: the RDFS/OWL axioms of the ontology, run once here on an empty graph).
    """

    def __init__(self, shapes: Graph, ontology: Graph, curated: Graph) -> None:
        self.shapes = shapes
        self.ontology = ontology
        self.curated = curated
        self.reference = PyShaclValidator(shapes, ontology, curated)
        self.engine = compile_shapes(to_oxigraph_triples(shapes))
        self._curated = to_oxigraph_triples(curated)
        mixed: Any = inoculate(cast(Any, Graph()), ontology)
        self._ontology = to_oxigraph_triples(mixed)
        #: Targeted shapes validated by pySHACL instead, with the reason.
        self.fallback: dict[str, str] = {
            term_text(node): reason for node, reason in self.engine.unsupported.items()
        }
        self._fallback_shapes = self._shapes_for_fallback() if self.fallback else None
        if self.fallback:
            logger.warning(
                "SHACL: %d shape(s) validated by pySHACL (not supported by the fast engine): %s",
                len(self.fallback),
                "; ".join(f"{shape} ({why})" for shape, why in sorted(self.fallback.items())),
            )

    @classmethod
    def from_folders(cls, knowledge_dir: Path, iris: IriScheme) -> ShaclValidator:
        return cls(*knowledge_graphs(knowledge_dir, iris))

    def validate(
        self,
        data: Iterable[ox.Triple],
        *,
        with_curated: bool = True,
        leftovers: list[object] | None = None,
        part: core.Part = core.WHOLE,
    ) -> ValidationReport:
        """Validate ``data`` (plus the curated data unless told not to); with a ``part``,
        only its share of the focus nodes (the shapes left to pySHACL: in share 0).

        With ``leftovers`` the indexed graph is appended to it instead of being freed on
        return: freeing 100k triples' index takes ~50 ms, which a checking worker spends
        after it has answered (:func:`iqkg.query.workers.serve_jobs`'s ``after``).
        """
        data = list(data)
        triples = data + self._ontology + (self._curated if with_curated else [])
        with collector_paused():
            graph = core.Graph(triples, self.engine.inverse)
            results = self.engine.validate(graph, part)
            report = _report(results, self.engine.shapes)
        if leftovers is not None:
            leftovers += (graph, triples)
        if self._fallback_shapes is None or part.index != 0:
            return report
        other = read_report(
            self.reference.report_graph(
                data, with_curated=with_curated, shapes=self._fallback_shapes
            )
        )
        return merge_reports(report, other)

    def report_graph(self, data: Iterable[ox.Triple], *, with_curated: bool = True) -> Graph:
        """The report as an rdflib graph, for callers that add results before reading it."""
        return to_rdflib_graph(self.validate(data, with_curated=with_curated).triples)

    def _shapes_for_fallback(self) -> Graph:
        """The shapes graph with targets only on the shapes pySHACL is to validate."""
        graph = Graph()
        for triple in self.shapes:
            graph.add(triple)
        for shape in self.engine.roots:
            subject = to_rdflib_term(shape.node)
            for target in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"):
                graph.remove((subject, SH_NS[target], None))
            graph.remove((subject, RDF_NS.type, RDFS_NS.Class))
        return graph


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while the engine builds its (acyclic) indexes.

    Building them allocates hundreds of thousands of dicts and sets, and each 700
    allocations start a collection that walks the young ones: measured ~35% of the time of
    a 100k-triple validation in a checking worker. Collection resumes afterwards (nested
    pauses resume only at the outermost). The checking worker pauses for a whole check,
    parse and ownership rules included (another ~8% at 100k).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_SH = "http://www.w3.org/ns/shacl#"
_RESULT = ox.NamedNode(_SH + "result")
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")


def _report(results: list[core.Result], shapes: core.Graph) -> ValidationReport:
    """Results and report graph, as pySHACL writes them (SHACL §3.6)."""
    rows: list[ValidationResult] = []
    report = ox.BlankNode()
    triples = [ox.Triple(report, _TYPE, ox.NamedNode(_SH + "ValidationReport"))]
    copied: set[core.Term] = set()
    same: dict[Any, Any] = {}
    for r in results:
        node = ox.BlankNode()
        triples.append(ox.Triple(report, _RESULT, node))
        _write_result(r, node, triples, rows, shapes, copied, same)
    conforms = _conforms(rows)
    triples.append(
        ox.Triple(
            report,
            ox.NamedNode(_SH + "conforms"),
            ox.Literal(str(conforms).lower(), datatype=_BOOLEAN),
        )
    )
    return ValidationReport(results=sort_results(rows), triples=triples)


def _conforms(results: list[ValidationResult]) -> bool:
    """sh:conforms as pySHACL writes it with allow_warnings and allow_infos: any other
    severity (sh:Violation or one of the shapes' own) makes the data not conform."""
    return all(r.severity in ("Warning", "Info") for r in results)


def _write_result(
    r: core.Result,
    node: ox.BlankNode,
    triples: list[ox.Triple],
    rows: list[ValidationResult],
    shapes: core.Graph,
    copied: set[core.Term],
    same: dict[Any, Any],
) -> None:
    """One sh:ValidationResult, and its sh:detail results (each a row, as in pySHACL's graph).

    Equal texts and message maps of the rows are one object each (``same``): a checking
    worker pickles its rows, and pickle writes an object it has seen as a reference — the
    14,000 rows of a 2,000-subject body pickled to 4.9 MB with a copy of each shape's IRI
    and messages per row, 1.0 MB without.
    """
    triples += [
        ox.Triple(node, _TYPE, ox.NamedNode(_SH + "ValidationResult")),
        ox.Triple(node, ox.NamedNode(_SH + "focusNode"), r.focus),
        ox.Triple(node, ox.NamedNode(_SH + "sourceShape"), r.shape),
        ox.Triple(node, ox.NamedNode(_SH + "sourceConstraintComponent"), r.component),
        ox.Triple(node, ox.NamedNode(_SH + "resultSeverity"), r.severity),
    ]
    triples += [ox.Triple(node, ox.NamedNode(_SH + "resultMessage"), m) for m in r.messages]
    if r.value is not None:
        triples.append(ox.Triple(node, ox.NamedNode(_SH + "value"), r.value))
    if r.path is not None:
        triples.append(ox.Triple(node, ox.NamedNode(_SH + "resultPath"), r.path.node))
        if isinstance(r.path.node, ox.BlankNode) and r.path.node not in copied:
            triples += _blank_closure(shapes, r.path.node, copied)
    messages: dict[str, str] | None = same.get(r.messages)
    if messages is None:
        messages = same[r.messages] = {}
        for m in r.messages:
            messages.setdefault(m.language or "", m.value)
    path = term_text(r.path.node) if r.path else None
    rows.append(
        ValidationResult(
            focus=term_text(r.focus),
            path=same.setdefault(path, path),
            value=term_text(r.value) if r.value is not None else None,
            shape=same.setdefault(shape := term_text(r.shape), shape),
            constraint=same.setdefault(constraint := r.component.value, constraint),
            severity=same.setdefault(severity := r.severity.value.rsplit("#", 1)[-1], severity),
            messages=messages,
        )
    )
    for detail in r.details:
        child = ox.BlankNode()
        triples.append(ox.Triple(node, ox.NamedNode(_SH + "detail"), child))
        _write_result(detail, child, triples, rows, shapes, copied, same)


def _blank_closure(
    shapes: core.Graph, node: ox.BlankNode, copied: set[core.Term]
) -> list[ox.Triple]:
    """The triples of a blank-node path (and the lists inside it), copied into the report."""
    triples: list[ox.Triple] = []
    todo: list[core.Term] = [node]
    while todo:
        subject = todo.pop()
        if subject in copied:
            continue
        copied.add(subject)
        for p, objects in shapes.out.get(subject, {}).items():
            for o in objects:
                triples.append(ox.Triple(cast(ox.BlankNode, subject), p, o))
                if isinstance(o, ox.BlankNode):
                    todo.append(o)
    return triples


def merge_reports(fast: ValidationReport, other: ValidationReport) -> ValidationReport:
    """One report: the results of ``other`` (pySHACL's for the shapes that fell back, or the
    ownership checks') join those of ``fast`` under its sh:ValidationReport."""
    report = cast(ox.BlankNode, next(t.subject for t in fast.triples if t.predicate == _TYPE))
    conforms = ox.NamedNode(_SH + "conforms")
    theirs = {
        t.subject
        for t in other.triples
        if t.predicate == _TYPE and t.object == ox.NamedNode(_SH + "ValidationReport")
    }
    triples = [t for t in fast.triples if t.predicate != conforms]
    for t in other.triples:
        if t.subject in theirs:
            if t.predicate == _RESULT:
                triples.append(ox.Triple(report, _RESULT, t.object))
        else:
            triples.append(t)
    results = sort_results(fast.results + other.results)
    ok = _conforms(results)
    triples.append(ox.Triple(report, conforms, ox.Literal(str(ok).lower(), datatype=_BOOLEAN)))
    return ValidationReport(results=results, triples=triples)
