"""The one interface of an iqkg store, whatever engine keeps the data.

Everything above the store layer that reads or writes the dataset through SPARQL does it
with these calls, so a second implementation — a remote SPARQL 1.1 Protocol + Update
store (Fuseki, ``oxigraph serve``, Virtuoso; issue 14) — can stand in for the embedded
Oxigraph one (:class:`iqkg.store.dataset.Dataset`). The calls are engine-neutral on
purpose: SPARQL text in, plain Python values or N-Triples bytes out, no engine's types.

What every implementation guarantees (``tests/store/test_interface.py`` checks it):

- **Queries name their dataset** (:class:`QueryDataset`): the public union, the whole
  store (the services' own bookkeeping reads, hidden graphs included), or exactly the
  graphs given, as the SPARQL 1.1 Protocol's ``default-graph-uri``/``named-graph-uri``
  (§2.1.4). A query sees hidden graphs only when it asks for the whole store or
  names them (refusing that to the public is the query policy's job, above).
- **A deadline** (a :func:`time.monotonic` instant) bounds a query: past it the caller
  gets :class:`~iqkg.errors.QueryTimeout`, not an answer, and the engine stops working
  on it (embedded: at the next solution; remote: the engine's own timeout).
- **An update** runs with a base IRI for its relative IRIs and bumps the version.
- **A write** of several graphs (:class:`GraphChange`) and the version bump are one
  transaction: all of it or nothing, and the version is unchanged when nothing.
- **The version** is a token that changes with every committed write, the same for
  every reader of one state (ETags, caches, checkpoints key on it).
- **Health** says whether the store can answer now, and if not why.

Values written into query text are rendered with :mod:`iqkg.rdf.sparql_terms`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from iqkg.rdf.sparql_terms import Term

#: One solution of a ``SELECT``: the bound variables (unbound ones are absent).
Row = Mapping[str, Term]


@dataclass(frozen=True)
class QueryDataset:
    """The RDF dataset a query runs against.

    ``scope`` ``public``: the default graph is the union of the store's default graph and
    every public named graph, the named graphs are the public ones. ``store``: the
    store's default graph and every named graph, hidden ones included (only the services
    use this, for their records). ``explicit``: exactly ``default_graphs`` (none: the
    store's default graph) and ``named_graphs``.
    """

    scope: Literal["public", "store", "explicit"] = "public"
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()

    @classmethod
    def of(cls, default: Sequence[str] = (), named: Sequence[str] = ()) -> QueryDataset:
        """Exactly these graphs (SPARQL 1.1 Protocol §2.1.4)."""
        return cls("explicit", tuple(default), tuple(named))


PUBLIC = QueryDataset("public")
WHOLE_STORE = QueryDataset("store")


@dataclass(frozen=True)
class GraphChange:
    """One change to one named graph, inside an atomic :meth:`SparqlStore.write_graphs`.

    ``action``:

    - ``replace``: the graph holds exactly ``ntriples`` afterwards (created if missing);
    - ``insert``: ``ntriples`` are added (the graph is created if missing);
    - ``delete``: ``ntriples`` (ground: no blank nodes) are removed;
    - ``drop``: the graph is removed;
    - ``forget``: every statement in the graph whose subject is one of ``subjects``, and
      the statements of blank nodes they point to, is removed (restating a record).

    A ``replace`` or ``drop`` also ends a staleness mark (``prov:invalidatedAtTime`` in
    ``graph/meta``) on the graph: it was just written afresh. Changes apply in order.
    """

    graph: str
    action: Literal["replace", "insert", "delete", "drop", "forget"]
    ntriples: bytes = b""
    subjects: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoreHealth:
    """Whether the store answers; ``problems`` say what is wrong when it does not."""

    ok: bool
    problems: tuple[str, ...] = ()


@runtime_checkable
class SparqlStore(Protocol):
    """A dataset reachable by SPARQL: the embedded store, or a remote one (issue 14)."""

    def select(
        self, query: str, *, dataset: QueryDataset = PUBLIC, deadline: float | None = None
    ) -> list[dict[str, Term]]:
        """The solutions of a ``SELECT`` query, in the engine's order."""
        ...

    def ask(
        self, query: str, *, dataset: QueryDataset = PUBLIC, deadline: float | None = None
    ) -> bool:
        """The answer of an ``ASK`` query."""
        ...

    def construct(
        self, query: str, *, dataset: QueryDataset = PUBLIC, deadline: float | None = None
    ) -> bytes:
        """The triples of a ``CONSTRUCT``/``DESCRIBE`` query, as N-Triples."""
        ...

    def update(self, update: str, *, base_iri: str | None = None) -> str:
        """Apply a SPARQL 1.1 Update with the version bump, atomically; the new version."""
        ...

    def write_graphs(self, changes: Sequence[GraphChange]) -> str:
        """Apply ``changes`` and bump the version in one transaction; the new version."""
        ...

    @property
    def version(self) -> str:
        """The dataset version token (``"0"`` for a store never written by iqkg)."""
        ...

    def health(self) -> StoreHealth:
        """Whether the store can answer a query now."""
        ...
