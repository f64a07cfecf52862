"""Run one query against a read-only checkpoint and serialise its answer (worker side).

This is what a query worker process does with a :class:`QueryJob`; it is kept apart from
the process plumbing in :mod:`iqkg.query.workers` so it can be read (and tested) alone.

Row limit. pyoxigraph serialises an iterator of solutions without letting Python cut it,
so a ``SELECT`` is first serialised as SPARQL TSV (one line a solution: newlines inside
literals are escaped, SPARQL 1.1 Results CSV/TSV §3) into a sink that stops the
serialiser after ``row_limit`` lines. Unless TSV was asked for, that bounded TSV is parsed
back and serialised in the requested format, all inside pyoxigraph. ``CONSTRUCT``/
``DESCRIBE`` do the same through N-Triples (one line a triple). The answer says whether it
was cut, so the server can say so (never a silent truncation).

Most answers are far below the limit, and for them the detour through TSV is wasted work
(a tenth of a JSON answer's cost). So JSON and XML, which mark every row with bytes
(:data:`_ROW_MARKS`), are written directly into a sink that counts the marks: an answer
whose count stays within the limit is sent as written. One whose count passes it is cut
where the mark of the first row past the limit starts, and closed as the serialiser
closes an answer (:func:`_cut`): so an answer at the limit is evaluated once, whatever
its size. XML's mark cannot stand in text (``<`` is written ``&lt;``); JSON's can stand
inside a literal, so a JSON cut is kept only when every mark before it is shown to stand
between two solutions; otherwise (a literal holding one, or empty solutions) the query is
evaluated again and takes the TSV way, which is always exact.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, replace
from typing import IO, cast

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    parse,
    parse_query_results,
    serialize,
)

from iqkg.rdf.formats import GRAPH_SYNTAXES, RESULTS_SYNTAXES
from iqkg.rdf.iris import IriScheme
from iqkg.rdf.oxigraph_errors import (
    EVALUATION_ERRORS,
    evaluation_failure,
    syntax_error_message,
    syntax_error_position,
)
from iqkg.store.dataset import hidden_graph_prefixes, public_graphs

_RESULTS = {s.name: s.format for s in RESULTS_SYNTAXES}
_GRAPHS = {s.name: s.format for s in GRAPH_SYNTAXES}

#: Prefixes offered to the Turtle serialiser, so CONSTRUCT answers read well.
TURTLE_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
}


@dataclass(frozen=True)
class QueryJob:
    """One query as the worker needs it; plain values only (it is pickled to the worker).

    ``default_graphs``/``named_graphs`` are the protocol's ``default-graph-uri``/
    ``named-graph-uri`` (or, without them, the query's FROM/FROM NAMED as the server read
    them); both None means the endpoint's default dataset: with ``union_default`` the
    store's default graph merged with every public named graph, else the store's default
    graph alone (the standard mode of Fuseki and the Oxigraph server). Either way the worker
    hands Oxigraph an explicit dataset of public graphs only, so what the query text says
    can never reach a hidden graph. ``base_iri`` resolves relative IRIs unless the query
    has its own ``BASE``.
    """

    sparql: str
    syntax: str
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    row_limit: int = 100_000
    checkpoint: str = ""
    base_iri: str | None = None
    union_default: bool = True


#: The row limit of the services' own queries (VoID statistics, a whole graph for the
#: Graph Store): their answers are not cut, the deadline bounds them instead.
NO_ROW_LIMIT = 1 << 62


@dataclass(frozen=True)
class QueryBatch:
    """Several queries answered one after the other on **one** checkpoint.

    The services' statistics (VoID) are several queries whose numbers must describe the
    same dataset version; a batch makes that so, where separate jobs could each meet a
    newer checkpoint. Every job is answered as SPARQL JSON results; the batch's body is
    a JSON array of those documents, in the jobs' order. The first problem ends it.
    """

    jobs: tuple[QueryJob, ...]
    checkpoint: str = ""


@dataclass
class QueryAnswer:
    """The serialised answer; ``truncated`` when the row limit cut it."""

    body: bytes
    truncated: bool = False


@dataclass
class QueryProblem:
    """A query that could not be answered.

    ``kind``: ``syntax`` (does not parse), ``evaluation`` (Oxigraph refused to evaluate
    it, e.g. an unknown function: the query's fault), ``unsupported`` (the answer cannot be
    written in the format asked for) or ``failed`` (a remote SERVICE failed).
    """

    kind: str
    message: str
    line: int | None = None
    column: int | None = None


class _Full(Exception):
    """Raised by the sink to stop pyoxigraph's serialiser at the row limit."""


class _MayOverflow(Exception):
    """Raised by :class:`_RowMarkSink` when the answer may have more rows than the limit."""


#: What pyoxigraph writes once per row of a results syntax, and the rows an answer may have
#: beyond the count of it. JSON: ``},{`` stands between two solutions (``[{},{"s":…}]``),
#: never between the terms of one (``},"``); inside a literal it can stand too, which only
#: raises the count, never lowers it. XML: ``<result>`` opens every solution, and text
#: cannot hide one (``<`` is written ``&lt;``).
_ROW_MARKS: dict[QueryResultsFormat, tuple[bytes, int]] = {
    QueryResultsFormat.JSON: (b"},{", 1),
    QueryResultsFormat.XML: (b"<result>", 0),
}


@dataclass
class _RowMarkSink:
    """A binary sink that stops the serialiser once ``mark`` was written ``max_marks`` + 1
    times: an answer that stayed within it has at most that many marks (a mark split
    between two writes is counted once). When it stops, the write that passed the bound is
    kept and ``cut`` is where that ``max_marks`` + 1st mark starts in :meth:`value`."""

    mark: bytes
    max_marks: int
    parts: list[bytes] = field(default_factory=list)
    marks: int = 0
    tail: bytes = b""
    size: int = 0
    cut: int | None = None

    def write(self, data: bytes) -> int:
        written = bytes(data)
        seen = self.tail + written  # the tail is too short to hold a whole mark
        found = seen.count(self.mark)
        self.parts.append(written)
        if self.marks + found > self.max_marks:
            at = -1
            for _ in range(self.max_marks + 1 - self.marks):
                at = seen.index(self.mark, at + 1)
            self.cut = self.size - len(self.tail) + at
            raise _MayOverflow
        self.marks += found
        self.size += len(written)
        self.tail = seen[len(seen) - len(self.mark) + 1 :]
        return len(written)

    def flush(self) -> None:
        pass

    def value(self) -> bytes:
        return b"".join(self.parts)


@dataclass
class _LineCappedSink:
    """A binary sink keeping at most ``max_lines`` whole lines."""

    max_lines: int
    parts: list[bytes] = field(default_factory=list)
    lines: int = 0
    truncated: bool = False

    def write(self, data: bytes) -> int:
        if not data:  # no row: an empty write at the limit does not cut the answer
            return 0
        if self.lines >= self.max_lines:
            self.truncated = True
            raise _Full
        count = data.count(b"\n")
        if self.lines + count < self.max_lines or (
            self.lines + count == self.max_lines and data.endswith(b"\n")
        ):
            self.parts.append(bytes(data))
            self.lines += count
            return len(data)
        cut = -1
        for _ in range(self.max_lines - self.lines):
            cut = data.find(b"\n", cut + 1)
        self.parts.append(bytes(data[: cut + 1]))
        self.lines = self.max_lines
        self.truncated = True
        raise _Full

    def flush(self) -> None:
        pass

    def value(self) -> bytes:
        return b"".join(self.parts)


class OpenCheckpoint:
    """A read-only checkpoint and the default dataset worked out once for it."""

    def __init__(self, path: str, iris: IriScheme) -> None:
        self.path = path
        self.store = Store.read_only(path)
        self.hidden_prefixes = hidden_graph_prefixes(iris)
        hidden = any(
            g.value.startswith(self.hidden_prefixes)
            for g in self.store.named_graphs()
            if isinstance(g, NamedNode)
        )
        default_empty = next(self.store.quads_for_pattern(None, None, None, DefaultGraph()), None)
        # Without hidden graphs, Oxigraph's own union default graph is the public union
        # (and cheaper than listing the graphs on every query).
        self.union_is_public = not hidden and default_empty is None
        self.public: list[NamedNode | BlankNode] = list(public_graphs(self.store, iris))

    def _visible(self, graphs: tuple[str, ...]) -> list[NamedNode]:
        """The named graphs among ``graphs`` a query may read (hidden ones are dropped)."""
        visible = []
        for graph in graphs:
            if graph.startswith(self.hidden_prefixes):
                continue
            with contextlib.suppress(ValueError):  # not an IRI: names no graph
                visible.append(NamedNode(graph))
        return visible

    def evaluate(self, job: QueryJob) -> QuerySolutions | QueryBoolean | QueryTriples:
        base = job.base_iri
        if job.default_graphs is not None or job.named_graphs is not None:
            # SPARQL 1.1 Query §13.2 and Protocol §2.1.4: a dataset that names only named
            # graphs has an empty default graph; a hidden name names no graph.
            default: list[NamedNode | BlankNode | DefaultGraph] = [
                *self._visible(job.default_graphs or ())
            ]
            named: list[NamedNode | BlankNode] = [*self._visible(job.named_graphs or ())]
            return self.store.query(
                job.sparql, base_iri=base, default_graph=default, named_graphs=named
            )
        if not job.union_default:
            return self.store.query(
                job.sparql, base_iri=base, default_graph=[DefaultGraph()], named_graphs=self.public
            )
        if self.union_is_public:
            # Nothing hidden exists and the stored default graph is empty, so Oxigraph's
            # own union of the named graphs is the public union (even a dataset clause
            # the server misread is safe).
            return self.store.query(job.sparql, base_iri=base, use_default_graph_as_union=True)
        # The stored default graph is public: what a client INSERTs without naming a
        # graph is read back by the same client.
        public_default: list[NamedNode | BlankNode | DefaultGraph] = [*self.public, DefaultGraph()]
        return self.store.query(
            job.sparql, base_iri=base, default_graph=public_default, named_graphs=self.public
        )


def answer(checkpoint: OpenCheckpoint, job: QueryJob) -> QueryAnswer | QueryProblem:
    """Evaluate and serialise; syntax and evaluation errors come back as a problem."""
    try:
        result = checkpoint.evaluate(job)
        if isinstance(result, QueryBoolean):
            return QueryAnswer(result.serialize(format=_RESULTS[job.syntax]) or b"")
        if isinstance(result, QuerySolutions):
            direct = _direct_solutions(result, job)
            if direct is not None:
                return direct
            result = checkpoint.evaluate(job)
            assert isinstance(result, QuerySolutions)
            return _solutions(result, job)
        return _triples(result, job)
    except SyntaxError as error:  # a value for the server, not an exception: see workers
        line, column = syntax_error_position(error)
        return QueryProblem("syntax", syntax_error_message(error), line, column)
    except EVALUATION_ERRORS as error:
        kind = evaluation_failure(error)
        if kind == "service":
            return QueryProblem("failed", f"{type(error).__name__}: {error}")
        return QueryProblem(kind, str(error))


def answer_batch(checkpoint: OpenCheckpoint, batch: QueryBatch) -> QueryAnswer | QueryProblem:
    """Answer every job of ``batch`` on ``checkpoint``: a JSON array of their results."""
    bodies: list[bytes] = []
    truncated = False
    for job in batch.jobs:
        result = answer(checkpoint, replace(job, syntax="json"))
        if isinstance(result, QueryProblem):
            return result
        bodies.append(result.body)
        truncated = truncated or result.truncated
    return QueryAnswer(b"[" + b",".join(bodies) + b"]", truncated)


def _direct_solutions(result: QuerySolutions, job: QueryJob) -> QueryAnswer | None:
    """The answer written once in the syntax asked for (cut at the row limit), or None
    (the result is then used up) when the syntax has no row mark or the cut is not shown
    to be exact."""
    target = _RESULTS[job.syntax]
    if target not in _ROW_MARKS or job.row_limit < 1:
        return None
    mark, beyond = _ROW_MARKS[target]
    sink = _RowMarkSink(mark, job.row_limit - beyond)
    try:
        result.serialize(cast(IO[bytes], sink), format=target)
    except _MayOverflow:
        assert sink.cut is not None
        body = _cut(sink.value(), sink.cut, target, job.row_limit)
        return None if body is None else QueryAnswer(body, truncated=True)
    return QueryAnswer(sink.value())


#: What pyoxigraph writes after the last solution.
_CLOSINGS = {QueryResultsFormat.JSON: b"]}}", QueryResultsFormat.XML: b"</results></sparql>"}


def _cut(written: bytes, at: int, target: QueryResultsFormat, limit: int) -> bytes | None:
    """The first ``limit`` rows of an answer whose row mark past them starts at ``at``,
    closed; None when that is not shown to be exact.

    XML: ``<result>`` opens the row past the limit. JSON: ``},{`` closes row ``limit``
    (its ``}`` is kept). In JSON a mark stands between two solutions as ``}},{"`` and a
    variable name; inside a literal it is either not in that form (a ``"`` in a literal is
    written ``\\"``) or ends the literal, when ``,`` or ``}`` follows its closing quote,
    never a name. So the cut is exact when each of the ``limit`` marks up to ``at`` has the
    form and none is such a literal's end; an empty solution (``{}``) fails it too.
    """
    if target == QueryResultsFormat.XML:
        return written[:at] + _CLOSINGS[target]
    upto = written[: at + 5]  # through the mark at ``at``, its quote and one name byte
    if len(upto) < at + 5:
        return None
    separators = upto.count(b'}},{"') - upto.count(b'}},{",') - upto.count(b'}},{"}')
    if upto.count(b"},{") != limit or separators != limit:
        return None
    return written[: at + 1] + _CLOSINGS[target]


def _solutions(result: QuerySolutions, job: QueryJob) -> QueryAnswer:
    sink = _LineCappedSink(job.row_limit + 1)  # the header line, then one line a row
    with contextlib.suppress(_Full):
        result.serialize(cast(IO[bytes], sink), format=QueryResultsFormat.TSV)
    tsv = sink.value()
    target = _RESULTS[job.syntax]
    if target == QueryResultsFormat.TSV:
        return QueryAnswer(tsv, sink.truncated)
    parsed = parse_query_results(tsv, format=QueryResultsFormat.TSV)
    assert isinstance(parsed, QuerySolutions)
    return QueryAnswer(parsed.serialize(format=target) or b"", sink.truncated)


def _triples(result: QueryTriples, job: QueryJob) -> QueryAnswer:
    sink = _LineCappedSink(job.row_limit)
    with contextlib.suppress(_Full):
        result.serialize(cast(IO[bytes], sink), format=RdfFormat.N_TRIPLES)
    ntriples = sink.value()
    target = _GRAPHS[job.syntax]
    if target == RdfFormat.N_TRIPLES:
        return QueryAnswer(ntriples, sink.truncated)
    triples = (quad.triple for quad in parse(ntriples, format=RdfFormat.N_TRIPLES))
    prefixes = TURTLE_PREFIXES if target == RdfFormat.TURTLE else None
    body = serialize(triples, format=target, prefixes=prefixes) or b""
    return QueryAnswer(body, sink.truncated)
