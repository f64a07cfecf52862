"""The iqkg dataset: named graphs in an embedded Oxigraph (RocksDB) store.

:class:`Dataset` is the embedded implementation of the store interface
(:class:`iqkg.store.interface.SparqlStore`). Every write goes through
:meth:`Dataset.write_graphs` (or the operator's :meth:`Dataset.apply_update`), one SPARQL
Update request that Oxigraph applies in a single transaction, so a graph and its
provenance in ``graph/meta`` appear together or not at all, and the dataset version (for
ETags and worker checkpoints) changes in the same transaction.

Graphs under ``{base}graph/archive/`` (superseded or withdrawn submission versions) and
``{base}graph/private/`` are kept but are not *public*: queries that do not name graphs
see the union of the public graphs only (:meth:`Dataset.public_graphs`).
"""

from __future__ import annotations

import logging
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    Store,
    Triple,
)

from iqkg.errors import Forbidden, InputError
from iqkg.faults import NO_CRASHES, CrashPoints
from iqkg.rdf.convert import to_ntriples
from iqkg.rdf.iris import GRAPH_INFERRED, OWL, PROV, XSD, IriScheme
from iqkg.rdf.oxigraph_errors import rdf_errors, update_errors, write_errors
from iqkg.rdf.sparql_terms import Term, iri, literal
from iqkg.rdf.stack import run_deep
from iqkg.store import evaluation
from iqkg.store.changes import (
    GRAPH_CHANGE,
    change_operations,
    stale_operations,
    version_operations,
)
from iqkg.store.evaluation import QueryResult as QueryResult
from iqkg.store.evaluation import evaluate
from iqkg.store.interface import PUBLIC, GraphChange, QueryDataset, StoreHealth

log = logging.getLogger("iqkg.store")


def dataset_iri(iris: IriScheme) -> str:
    """The IRI describing the dataset as a whole (its version lives in graph/meta)."""
    return f"{iris.base}id/dataset/iqkg"


def hidden_graph_prefixes(iris: IriScheme) -> tuple[str, str]:
    """Graphs under these prefixes are kept but never readable through SPARQL."""
    return (iris.graph("archive/"), iris.graph("private/"))


def staging_graph(iris: IriScheme) -> str:
    """Where a write lists the graphs it bulk-loaded before its transaction (hidden).

    A graph named here is not public yet: its transaction has not committed, and it drops
    this graph when it does. What a crash left listed is removed at the next open.
    """
    return iris.graph("private/staging")


def staged_graphs(store: Store, iris: IriScheme) -> set[str]:
    """The graphs a write staged and has not committed (see :func:`staging_graph`)."""
    return {
        quad.subject.value
        for quad in store.quads_for_pattern(None, None, None, NamedNode(staging_graph(iris)))
        if isinstance(quad.subject, NamedNode)
    }


def public_graphs(store: Store, iris: IriScheme) -> list[NamedNode]:
    """Named graphs that make up the queried union: all but archive/ and private/, and
    but those a write has staged and not yet committed."""
    hidden = hidden_graph_prefixes(iris)
    staged = staged_graphs(store, iris)
    return sorted(
        (
            g
            for g in store.named_graphs()
            if isinstance(g, NamedNode) and not g.value.startswith(hidden) and g.value not in staged
        ),
        key=lambda g: g.value,
    )


def version_query(iris: IriScheme) -> str:
    """SPARQL reading what :func:`read_version` reads (no row: ``"0"``), for a query
    worker that must say which version its other answers describe."""
    return (
        f"SELECT ?v WHERE {{ GRAPH <{iris.graph('meta')}> "
        f"{{ <{dataset_iri(iris)}> <{OWL}versionInfo> ?v }} }}"
    )


def read_version(store: Store, iris: IriScheme) -> str:
    """The dataset version token; ``"0"`` for an empty store."""
    version = next(
        store.quads_for_pattern(
            NamedNode(dataset_iri(iris)),
            NamedNode(OWL + "versionInfo"),
            None,
            NamedNode(iris.graph("meta")),
        ),
        None,
    )
    if version is None or not isinstance(version.object, Literal):
        return "0"
    return version.object.value


@dataclass(frozen=True)
class GraphWrite:
    """One change to apply: replace (or, with ``triples=None``, drop) a named graph."""

    graph: str
    triples: Iterable[Triple] | None


class Dataset:
    """The dataset of one installation, owned by the single writer process."""

    def __init__(
        self,
        store: Store,
        iris: IriScheme,
        path: Path | None = None,
        *,
        crashes: CrashPoints = NO_CRASHES,
    ) -> None:
        self.store = store
        self.iris = iris
        self.path = path
        #: Named crash points (tests only); the submission service reaches its own here too.
        self.crashes = crashes
        #: Called with the new version after every committed write (e.g. to publish a
        #: read-only checkpoint for query workers).
        self.on_write: list[Callable[[str], None]] = []
        self._write_lock = threading.Lock()

    @classmethod
    def open(cls, path: Path | None, iris: IriScheme, crashes: CrashPoints = NO_CRASHES) -> Dataset:
        """Open (creating if needed) the on-disk store at ``path``; in memory when None."""
        if path is None:
            return cls(Store(), iris, crashes=crashes)
        path.mkdir(parents=True, exist_ok=True)
        dataset = cls(Store(str(path)), iris, path, crashes=crashes)
        dataset.drop_uncommitted()
        dataset.drop_unrecorded_archives()
        return dataset

    def drop_uncommitted(self) -> list[str]:
        """Remove the graphs a write staged and never committed (it crashed in between).

        The graphs go first and their list last, so a crash in here is finished next time.
        """
        dropped = sorted(staged_graphs(self.store, self.iris))
        for graph in dropped:
            self.store.remove_graph(NamedNode(graph))
        staging = NamedNode(staging_graph(self.iris))
        if self.store.contains_named_graph(staging):
            self.store.remove_graph(staging)
            self.store.flush()
        if dropped:
            log.warning("removed %d graphs of a write that never committed", len(dropped))
        return dropped

    def drop_unrecorded_archives(self) -> list[str]:
        """Remove archive graphs no statement describes: a write staged them, then died.

        Every archived version is the subject of its record (in ``graph/meta``, or in the
        private graph of a withdrawn submission), written by the same transaction that
        makes it count; one without a record was staged by a write that never committed.
        Writes now list what they stage (:meth:`drop_uncommitted`); this sweep is for
        stores written before they did. Returns the graphs removed.
        """
        archive = self.iris.graph("archive/")
        dropped = []
        for graph in list(self.store.named_graphs()):
            if not isinstance(graph, NamedNode) or not graph.value.startswith(archive):
                continue
            if next(self.store.quads_for_pattern(graph, None, None, None), None) is None:
                self.store.remove_graph(graph)
                dropped.append(graph.value)
        if dropped:
            log.warning("removed %d archive graphs of writes that never committed", len(dropped))
        return dropped

    # --- reading -------------------------------------------------------------

    def public_graphs(self) -> list[NamedNode]:
        return public_graphs(self.store, self.iris)

    @property
    def version(self) -> str:
        return read_version(self.store, self.iris)

    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryResult:
        """Evaluate a query; without graph names the default graph is the public union
        (the store's default graph merged with every public named graph).

        ``default_graphs``/``named_graphs`` follow the SPARQL 1.1 Protocol's
        ``default-graph-uri``/``named-graph-uri`` (§2.1.4): when either is given, the
        dataset is exactly what they name.
        """
        if default_graphs is None and named_graphs is None:
            public: list[NamedNode | BlankNode] = list(self.public_graphs())
            default: list[NamedNode | BlankNode | DefaultGraph] = [*public, DefaultGraph()]
            return self.store.query(sparql, default_graph=default, named_graphs=public)
        default = [NamedNode(g) for g in default_graphs or []] or [DefaultGraph()]
        named: list[NamedNode | BlankNode] = [NamedNode(g) for g in named_graphs or []]
        return self.store.query(sparql, default_graph=default, named_graphs=named)

    # --- the store interface (iqkg.store.interface.SparqlStore) -----------------

    def select(
        self, query: str, *, dataset: QueryDataset = PUBLIC, deadline: float | None = None
    ) -> list[dict[str, Term]]:
        return evaluate(lambda: self._query_in(query, dataset), deadline, evaluation.rows)

    def ask(
        self, query: str, *, dataset: QueryDataset = PUBLIC, deadline: float | None = None
    ) -> bool:
        return evaluate(lambda: self._query_in(query, dataset), deadline, evaluation.boolean)

    def construct(
        self, query: str, *, dataset: QueryDataset = PUBLIC, deadline: float | None = None
    ) -> bytes:
        return evaluate(lambda: self._query_in(query, dataset), deadline, evaluation.ntriples)

    def update(self, update: str, *, base_iri: str | None = None) -> str:
        """An operator's update (see :meth:`apply_update`), relative IRIs against ``base_iri``."""
        return self.apply_update(update, base_iri=base_iri)

    def health(self) -> StoreHealth:
        try:
            self.store.query("ASK {}")
            read_version(self.store, self.iris)
        except Exception as error:  # any failure to answer is what health reports
            return StoreHealth(False, (f"the store does not answer a query: {error}",))
        return StoreHealth(True)

    def _query_in(self, query: str, dataset: QueryDataset) -> QueryResult:
        if dataset.scope == "public":
            return self.query(query)
        if dataset.scope == "store":
            return self.store.query(query)
        return self.query(
            query,
            default_graphs=list(dataset.default_graphs),
            named_graphs=list(dataset.named_graphs),
        )

    # --- reading, embedded only ------------------------------------------------

    def triples(self, graph: str) -> Iterator[Triple]:
        for quad in self.store.quads_for_pattern(None, None, None, NamedNode(graph)):
            yield quad.triple

    def count(self, graph: str | None = None) -> int:
        """Triples in one graph, or quads in the whole store."""
        pattern = NamedNode(graph) if graph else None
        return sum(1 for _ in self.store.quads_for_pattern(None, None, None, pattern))

    def has_graph(self, graph: str) -> bool:
        """Whether ``graph`` exists (one a write has staged but not committed does not)."""
        return self.store.contains_named_graph(NamedNode(graph)) and graph not in staged_graphs(
            self.store, self.iris
        )

    # --- writing -------------------------------------------------------------

    def write(
        self,
        changes: Iterable[GraphWrite],
        meta_triples: Iterable[Triple] = (),
        *,
        replace_meta_about: Iterable[str] = (),
    ) -> str:
        """Apply graph changes and provenance in one transaction; return the new version.

        ``replace_meta_about`` names subjects whose statements in ``graph/meta`` (and the
        blank nodes hanging off them) are dropped first, so a graph's provenance can be
        restated without leaving the old record behind. The same as :meth:`write_graphs`
        with the changes spelt as :class:`~iqkg.store.interface.GraphChange`.
        """
        meta = self.iris.graph("meta")
        steps: list[GraphChange] = []
        bodies: dict[int, bytes] = {}  # id of a triples object -> its N-Triples
        for change in changes:
            if change.triples is None:
                steps.append(GraphChange(change.graph, "drop"))
                continue
            key = id(change.triples)
            if key not in bodies:
                bodies[key] = to_ntriples(change.triples)
            steps.append(GraphChange(change.graph, "replace", bodies[key]))
        steps.append(GraphChange(meta, "forget", subjects=tuple(replace_meta_about)))
        steps.append(GraphChange(meta, "insert", to_ntriples(meta_triples)))
        return self.write_graphs(steps)

    def write_graphs(self, changes: Sequence[GraphChange]) -> str:
        """Apply ``changes`` and the version bump in one transaction; the new version.

        One SPARQL Update request, which Oxigraph applies atomically: a failure or a crash
        leaves the old state and the old version. Values reach the update text only as
        checked terms (:mod:`iqkg.rdf.sparql_terms`) and re-serialised N-Triples.

        A *new* graph (one that does not exist yet: a new submission's live graph, every
        archived version) is *staged* first: bulk-loaded outside the transaction, which
        then holds only the rest, and a graph that gets the same bytes but exists already
        (the live graph of a replaced submission) is merged from the staged one inside
        it (:func:`~iqkg.store.changes.merge`: only the difference is written), so
        Oxigraph never parses the data as update text. Measured at 100k triples beside
        100k others: live graph and copy through the transaction (the copy staged, the
        live graph an ``ADD`` of it) 5.7–5.9 s; both staged 1.7–2.2 s; 12 s with both in
        the update text.

        Staging is safe because a staged graph is listed in :func:`staging_graph` (made
        durable before its data) until the transaction drops that list: nothing counts
        it meanwhile (:func:`public_graphs`, :meth:`has_graph`; query workers read
        checkpoints, which are only made under the write lock); a failed transaction
        removes it again, and one a crash left behind is removed at the next open
        (:meth:`drop_uncommitted`). Each bulk load makes its blank nodes fresh: no two
        submissions share a node because both wrote ``_:b0``.
        """
        version = uuid.uuid4().hex
        with self._write_lock:
            staged = self._stageable(changes)
            rest = [change for change in changes if all(change is not s for s in staged)]
            held = {change.ntriples: change.graph for change in staged}
            parts = [
                *change_operations(rest, self.iris.graph("meta"), held=held),
                *version_operations(self.iris.graph("meta"), dataset_iri(self.iris), version),
            ]
            if staged:
                parts.append(f"DROP SILENT GRAPH {iri(staging_graph(self.iris))}")
            try:
                self._stage(staged)
                self.crashes.reach("write.staged")
                with write_errors():
                    self._commit_locked(" ;\n".join(parts), version)
            except BaseException:
                self._unstage(staged)
                raise
        return version

    def _stageable(self, changes: Sequence[GraphChange]) -> list[GraphChange]:
        """Replacements of named graphs that do not exist yet, each named once."""
        named = [change.graph for change in changes]
        meta = self.iris.graph("meta")
        return [
            change
            for change in changes
            if change.action == "replace"
            and change.graph != meta
            and named.count(change.graph) == 1
            and change.ntriples.strip()
            and not self.store.contains_named_graph(NamedNode(change.graph))
        ]

    def _stage(self, staged: Sequence[GraphChange]) -> None:
        """List the staged graphs (durably), then bulk-load them; on a bad body the
        caller unstages what was read."""
        if not staged:
            return
        listed = NamedNode(staging_graph(self.iris))
        now = Literal(datetime.now(UTC).isoformat(), datatype=NamedNode(XSD + "dateTime"))
        when = NamedNode(PROV + "generatedAtTime")
        self.store.extend(Quad(NamedNode(c.graph), when, now, listed) for c in staged)
        self.store.flush()  # on disk before any of the data it names
        for change in staged:
            with rdf_errors("N-Triples", source=GRAPH_CHANGE):
                self.store.bulk_load(
                    change.ntriples, RdfFormat.N_TRIPLES, to_graph=NamedNode(change.graph)
                )

    def _unstage(self, staged: Sequence[GraphChange]) -> None:
        """Remove what :meth:`_stage` wrote, its list last (best effort: the next open
        sweeps too)."""
        if not staged:
            return
        try:
            for change in staged:
                self.store.remove_graph(NamedNode(change.graph))
            self.store.remove_graph(NamedNode(staging_graph(self.iris)))
        except Exception:
            log.exception("could not remove the graphs staged for a failed write")

    def _commit(self, update: str, version: str) -> str:
        """Run one update as the only writer, then tell the listeners.

        Writes are serialised: concurrent ``update``/``flush`` calls on one RocksDB store
        were seen to hang in ``WaitForFlushMemTables``, and listeners must see versions in
        commit order. A listener that fails (say, a full disk while publishing a
        checkpoint) is logged: the write has committed and must be reported as done.
        """
        with self._write_lock:
            self._commit_locked(update, version)
        return version

    def _commit_locked(self, update: str, version: str, base_iri: str | None = None) -> None:
        """Commit ``update`` as the single writer (the caller holds the write lock)."""
        # On a deep stack: Oxigraph parses the update recursively, and an operator's
        # update nested 15,000 groups deep overflowed a default thread (SIGSEGV).
        if self.crashes.armed("write.transaction"):
            run_deep(lambda: self._update_crashing_inside(update, base_iri), "iqkg-writer")
        else:
            run_deep(lambda: self.store.update(update, base_iri=base_iri), "iqkg-writer")
        self.store.flush()
        for listener in self.on_write:
            try:
                listener(version)
            except Exception:
                log.exception("after-write listener %r failed for version %s", listener, version)
        self.crashes.reach("write.committed")

    def _update_crashing_inside(self, update: str, base_iri: str | None) -> None:
        """Run ``update`` with the crash point ``write.transaction`` as its last step.

        Oxigraph offers no hook inside its transaction but custom SPARQL functions: an
        extra operation calls one after every change is made and before the commit.
        """
        crash = NamedNode("urn:iqkg:crash-point")

        def reach() -> None:
            self.crashes.reach("write.transaction")

        self.store.update(
            f"{update} ;\nINSERT {{ ?c ?c ?c }} WHERE {{ BIND({iri(crash.value)}() AS ?c) }}",
            custom_functions={crash: reach},
            base_iri=base_iri,
        )

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Act as the single writer: no commit runs meanwhile (e.g. to republish)."""
        with self._write_lock:
            yield

    def apply_update(
        self,
        sparql: str | Callable[[list[str]], str],
        *,
        base_iri: str | None = None,
        guarded: bool = False,
        union_default: bool = True,
    ) -> str:
        """Run an operator's SPARQL 1.1 Update with the version bump, in one transaction.

        ``sparql`` is the update, or a function of the IRIs of the writable named graphs
        that returns it (called under the write lock, so ``CLEAR ALL`` can be spelt out
        as the graphs that exist at that moment). The caller has already refused what
        policy forbids (LOAD, SERVICE, protected graphs named in the text). ``guarded``
        (for updates that reach graphs through variables) first runs the update on a
        throw-away copy and refuses it if a protected graph changed there; see
        :meth:`_operator_commit`. A malformed update raises
        :class:`~iqkg.errors.QuerySyntaxError` with Oxigraph's position, which is the
        position in the update (it comes first).
        """
        return self._operator_commit(
            sparql, base_iri=base_iri, guarded=guarded, union_default=union_default
        )

    def write_graph(
        self,
        graph: str | None,
        triples: Iterable[Triple] | None,
        *,
        replace: bool,
        union_default: bool = True,
        precondition: Callable[[], None] | None = None,
    ) -> str:
        """Graph Store Protocol writes: replace, add to (``replace=False``) or drop a graph.

        ``graph`` None is the store's default graph; ``triples`` None drops the graph.
        The triples have been parsed and checked before this is called, so a bad body
        never clears a graph; the change, the version bump and the staleness mark of
        ``graph/inferred`` are one transaction.

        ``precondition`` is called as the single writer, before anything is written: what
        it reads (the version, whether the graph exists) is what the write will change,
        with no other write in between. It refuses the write by raising (e.g. 412 for an
        ``If-Match`` that no longer holds); then nothing is changed.
        """
        target = f"GRAPH {iri(graph)}" if graph else "DEFAULT"
        parts: list[str] = []
        if replace or triples is None:
            parts.append(f"DROP SILENT {target}")
        if graph and triples is not None:
            parts.append(f"CREATE SILENT GRAPH {iri(graph)}")
        body = to_ntriples(triples).decode("utf-8") if triples is not None else ""
        if body.strip():
            inner = f"GRAPH {iri(graph)} {{\n{body}}}" if graph else body
            parts.append(f"INSERT DATA {{ {inner} }}")
        operations = " ;\n".join(parts)
        return self._operator_commit(
            operations, union_default=union_default, precondition=precondition
        )

    def protected_graphs(self) -> list[str]:
        """Graphs no operator write may change: ``graph/meta``, archived and private graphs."""
        hidden = hidden_graph_prefixes(self.iris)
        hidden_graphs = sorted(
            g.value
            for g in self.store.named_graphs()
            if isinstance(g, NamedNode) and g.value.startswith(hidden)
        )
        return [self.iris.graph("meta"), *hidden_graphs]

    def _operator_commit(
        self,
        sparql: str | Callable[[list[str]], str],
        *,
        base_iri: str | None = None,
        guarded: bool = False,
        union_default: bool = True,
        precondition: Callable[[], None] | None = None,
    ) -> str:
        """Operator write: the operations, then the bookkeeping, in one Update request.

        ``precondition`` (see :meth:`write_graph`) runs first, under the write lock.

        A ``guarded`` update is first run on a throw-away copy and refused if it changed a
        protected graph there. After the operations come, in the same transaction: in
        union mode, triples of the stored
        default graph that a public named graph already holds are dropped from it, so the
        union stays a set (pyoxigraph 0.5.13 counts a triple in two merged graphs twice,
        oxigraph#1919); ``graph/inferred`` is marked stale in ``graph/meta``
        (``prov:invalidatedAtTime``) until the closure is recomputed; the version bump.
        """
        version = uuid.uuid4().hex
        public = " && ".join(
            f"!STRSTARTS(STR(?g), {literal(prefix)})" for prefix in hidden_graph_prefixes(self.iris)
        )
        with self._write_lock:
            if precondition is not None:
                precondition()
            if callable(sparql):
                protected = set(self.protected_graphs())
                writable = [
                    g.value
                    for g in self.store.named_graphs()
                    if isinstance(g, NamedNode) and g.value not in protected
                ]
                operations = sparql(sorted(writable))
            else:
                operations = sparql
            if not operations.strip():
                return self.version  # nothing to do (e.g. only a prologue): no new version
            if guarded and self._changes_protected(operations, base_iri):
                raise Forbidden(
                    "the update would change graph/meta or an archived or private graph, "
                    "which no operator write may touch; nothing was changed. Restrict "
                    "GRAPH ?g with a FILTER to the graphs you mean."
                )
            after = [
                *(
                    [
                        "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER EXISTS { GRAPH ?g "
                        f"{{ ?s ?p ?o }} FILTER({public}) }} }}"
                    ]
                    if union_default
                    else []
                ),
                *stale_operations(self.iris.graph("meta"), self.iris.graph(GRAPH_INFERRED)),
                *version_operations(self.iris.graph("meta"), dataset_iri(self.iris), version),
            ]
            # A trailing ";" would leave an empty operation before ours.
            text = f"{operations.rstrip().removesuffix(';')}\n;\n" + " ;\n".join(after)
            with update_errors():
                self._commit_locked(text, version, base_iri)
        return version

    def _changes_protected(self, operations: str, base_iri: str | None) -> bool:
        """Run the update on a throw-away copy: does it change a protected graph?

        Called under the write lock, so the copy is the state the real run will see. The
        copy of an on-disk store is a hard-linked backup (cheap); an update that fails on
        the copy is left to fail again, with its message, on the real store.
        """
        with tempfile.TemporaryDirectory(
            dir=self.path.parent if self.path else None, ignore_cleanup_errors=True
        ) as tmp:
            if self.path is None:
                scratch = Store()
                scratch.bulk_extend(self.store.quads_for_pattern(None, None, None, None))
            else:
                self.store.backup(str(Path(tmp) / "copy"))
                scratch = Store(str(Path(tmp) / "copy"))
            try:
                return self._protected_differ(scratch, operations, base_iri)
            finally:
                del scratch  # closes the copy before its folder is removed

    def _protected_differ(self, scratch: Store, operations: str, base_iri: str | None) -> bool:
        protected = self.protected_graphs()
        try:
            with update_errors():
                run_deep(lambda: scratch.update(operations, base_iri=base_iri), "iqkg-writer")
        except InputError:
            return False
        hidden = hidden_graph_prefixes(self.iris)
        after = sorted(
            g.value
            for g in scratch.named_graphs()
            if isinstance(g, NamedNode) and g.value.startswith(hidden)
        )
        if after != protected[1:]:
            return True
        return any(
            set(self.store.quads_for_pattern(None, None, None, NamedNode(graph)))
            != set(scratch.quads_for_pattern(None, None, None, NamedNode(graph)))
            for graph in protected
        )

    def add_quads(self, quads: Iterable[Quad]) -> None:
        """Bulk-add quads without a transaction; only for building throw-away stores."""
        self.store.bulk_extend(quads)

    def dump(self, syntax: RdfFormat, graph: str | None = None) -> bytes:
        if graph is None:
            return self.store.dump(format=syntax) or b""
        return self.store.dump(format=syntax, from_graph=NamedNode(graph)) or b""

    def close(self) -> None:
        self.store.flush()
