"""A set-oriented SHACL Core engine on plain Python indexes of pyoxigraph terms.

Why not pySHACL: it evaluates every shape through rdflib, ~120 µs per data triple (12 s for
a 100k-triple submission). Why not pyrudof: measured here (0.3.35, native mode) at ~80 µs
per triple with the iqkg shapes, barely faster. This engine indexes the data graph once
(subject → predicate → objects, plus the inverse of the few predicates it walks backwards)
and evaluates each compiled shape on its focus nodes with dictionary look-ups.

It implements only the SHACL Core components listed in :data:`SUPPORTED`; a shape that uses
anything else — or that reaches such a shape through ``sh:node``, ``sh:property``,
``sh:not``, ``sh:and``, ``sh:or``, ``sh:xone`` or ``sh:qualifiedValueShape`` — is reported
by :func:`compile_shapes` as unsupported and validated by pySHACL instead (see
:mod:`iqkg.validation.shacl`). ``tests/validation/test_differential.py`` holds both engines
to the same results on the project's shapes and on the W3C SHACL Core test suite.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, cast

import pyoxigraph as ox
from pyshacl.constraints.core.value_constraints import DatatypeConstraintComponent
from rdflib import Literal as RdfLiteral
from rdflib import URIRef

Term = ox.NamedNode | ox.BlankNode | ox.Literal
SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"


def sh(name: str) -> ox.NamedNode:
    return ox.NamedNode(SH + name)


TYPE = ox.NamedNode(RDF + "type")
SUBCLASS = ox.NamedNode(RDFS + "subClassOf")
RDFS_CLASS = ox.NamedNode(RDFS + "Class")
FIRST, REST, NIL = (ox.NamedNode(RDF + n) for n in ("first", "rest", "nil"))
TRUE = ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))
VIOLATION = sh("Violation")

#: Parameters this engine evaluates, and those that never produce results.
SUPPORTED = frozenset(
    SH + n
    for n in [
        "path",
        "class",
        "datatype",
        "nodeKind",
        "minCount",
        "maxCount",
        "minLength",
        "maxLength",
        "pattern",
        "flags",
        "languageIn",
        "uniqueLang",
        "in",
        "hasValue",
        "minInclusive",
        "maxInclusive",
        "minExclusive",
        "maxExclusive",
        "node",
        "property",
        "qualifiedValueShape",
        "qualifiedMinCount",
        "qualifiedMaxCount",
        "closed",
        "ignoredProperties",
        "not",
        "and",
        "or",
        "xone",
        "targetClass",
        "targetNode",
        "targetSubjectsOf",
        "targetObjectsOf",
        "severity",
        "message",
        "deactivated",
        "name",
        "description",
        "order",
        "group",
        "defaultValue",
    ]
)
TARGETS = tuple(sh(n) for n in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"))
_NESTED = ("node", "not", "qualifiedValueShape")
_LISTS = ("and", "or", "xone")


@dataclass(frozen=True)
class Part:
    """Share ``index`` of ``count`` disjoint shares of a check's focus nodes (and of a
    submission's subjects, :func:`iqkg.submissions.ownership.ownership_problems`), so that
    several workers can check one body at once, each parsing and indexing all of it.

    IRIs are shared out by a hash of their text, the same in every process; blank nodes
    and literals all belong to share 0, because two parses of one document give a blank
    node different labels. A focus node's results and a subject's ownership problems so
    land in the same share.
    """

    index: int = 0
    count: int = 1

    def holds(self, term: object) -> bool:
        if self.count == 1:
            return True
        if isinstance(term, ox.NamedNode):
            return zlib.crc32(term.value.encode()) % self.count == self.index
        return self.index == 0


#: The whole check (one share).
WHOLE = Part()


class Unsupported(Exception):
    """A shape (or a shape it reaches) uses something this engine does not evaluate."""


_NOTHING: frozenset[Term] = frozenset()
_NO_FIELDS: dict[ox.NamedNode, set[Term]] = {}


class Graph:
    """Subject → predicate → objects, and the inverse for predicates walked backwards."""

    def __init__(self, triples: Iterable[ox.Triple], inverse: Iterable[ox.NamedNode]) -> None:
        self.out: dict[Term, dict[ox.NamedNode, set[Term]]] = {}
        wanted = set(inverse) | {TYPE, SUBCLASS}
        self.into: dict[ox.NamedNode, dict[Term, set[Term]]] = {p: {} for p in wanted}
        out = self.out
        # Parsers give a subject's triples one after another: look the subject up once per
        # run, and build the inverse index afterwards (measured: ~25% less time).
        previous: Term | None = None
        fields: dict[ox.NamedNode, set[Term]] = {}
        for t in triples:
            # RDF-star triple terms are refused by the parsers that feed this (iqkg.rdf).
            s, p, o = cast(Term, t.subject), t.predicate, cast(Term, t.object)
            if s != previous:
                found = out.get(s)
                fields = out[s] = {} if found is None else found
                previous = s
            objects = fields.get(p)
            if objects is None:
                fields[p] = {o}
            else:
                objects.add(o)
        for p, inverse_p in self.into.items():
            for s, subject_fields in out.items():
                for o in subject_fields.get(p, ()):
                    subjects = inverse_p.get(o)
                    if subjects is None:
                        inverse_p[o] = {s}
                    else:
                        subjects.add(s)
        self._subclasses: dict[Term, set[Term]] = {}
        #: id(shape) → node → results, for shapes reached through sh:node and friends
        #: (shapes live as long as the compiled shapes that outlive this graph).
        self.nested: dict[int, dict[Term, tuple[Result, ...]]] = {}

    def objects(self, s: Term, p: ox.NamedNode) -> AbstractSet[Term]:
        return self.out.get(s, _NO_FIELDS).get(p, _NOTHING)

    def subjects(self, p: ox.NamedNode, o: Term) -> AbstractSet[Term]:
        return self.into[p].get(o, _NOTHING)

    def subclasses(self, cls: Term) -> set[Term]:
        """``cls`` and every class below it by ``rdfs:subClassOf*``."""
        found = self._subclasses.get(cls)
        if found is None:
            found, todo = {cls}, [cls]
            while todo:
                for sub in self.subjects(SUBCLASS, todo.pop()):
                    if sub not in found:
                        found.add(sub)
                        todo.append(sub)
            self._subclasses[cls] = found
        return found

    def instances(self, cls: Term) -> set[Term]:
        """SHACL instances (SHACL §3.2): typed with ``cls`` or a subclass of it."""
        return {s for c in self.subclasses(cls) for s in self.subjects(TYPE, c)}

    def is_instance(self, node: Term, cls: Term) -> bool:
        types = self.objects(node, TYPE)
        return bool(types) and not types.isdisjoint(self.subclasses(cls))


# --- paths -----------------------------------------------------------------------------

PathFn = Callable[[Graph, Term], AbstractSet[Term]]


@dataclass(frozen=True)
class Path:
    """A compiled ``sh:path``: the node in the shapes graph and how to walk it."""

    node: Term
    walk: PathFn
    predicate: ox.NamedNode | None  # set for a plain IRI path (sh:closed allows it)
    inverse: frozenset[ox.NamedNode]


def read_list(shapes: Graph, head: Term) -> list[Term]:
    items: list[Term] = []
    seen: set[Term] = set()
    while head != NIL:
        if head in seen:
            raise Unsupported("cyclic RDF list")
        seen.add(head)
        first, rest = shapes.objects(head, FIRST), shapes.objects(head, REST)
        if len(first) != 1 or len(rest) != 1:
            raise Unsupported("malformed RDF list")
        items.append(next(iter(first)))
        head = next(iter(rest))
    return items


def compile_path(shapes: Graph, node: Term) -> Path:
    """Predicate, inverse-of-predicate and alternative paths (SHACL §2.3.1)."""
    if isinstance(node, ox.NamedNode):
        p = node
        return Path(node, lambda g, f: g.out.get(f, _NO_FIELDS).get(p, _NOTHING), p, frozenset())
    if isinstance(node, ox.BlankNode):
        fields = shapes.out.get(node, {})
        if set(fields) == {sh("inversePath")} and len(fields[sh("inversePath")]) == 1:
            inner = next(iter(fields[sh("inversePath")]))
            if isinstance(inner, ox.NamedNode):
                return Path(node, lambda g, f: g.subjects(inner, f), None, frozenset({inner}))
        if set(fields) == {sh("alternativePath")} and len(fields[sh("alternativePath")]) == 1:
            options = [
                compile_path(shapes, n) for n in read_list(shapes, *fields[sh("alternativePath")])
            ]
            if len(options) >= 2:
                return Path(
                    node,
                    lambda g, f: set().union(*(o.walk(g, f) for o in options)),
                    None,
                    frozenset().union(*(o.inverse for o in options)),
                )
    kind = ", ".join(sorted(p.value.rsplit("#", 1)[-1] for p in shapes.out.get(node, {})))
    raise Unsupported(f"path ({kind or 'not a path'})")


# --- shapes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    focus: Term
    path: Path | None
    value: Term | None
    shape: Term
    component: ox.NamedNode
    severity: ox.NamedNode
    messages: tuple[ox.Literal, ...]
    details: tuple[Result, ...] = ()


#: A check gets (data, focus, value nodes) and returns, per result, the value (or None),
#: the path if not the shape's (or None), and nested results (sh:detail). A sequence, not
#: a generator: most checks find nothing, and an empty one is skipped without a loop.
Check = Callable[
    [Graph, Term, AbstractSet[Term]],
    Sequence[tuple[Term | None, ox.NamedNode | None, tuple["Result", ...]]],
]


@dataclass
class Shape:
    node: Term
    path: Path | None
    severity: ox.NamedNode
    messages: tuple[ox.Literal, ...]
    deactivated: bool
    checks: list[tuple[ox.NamedNode, Check]] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    #: The checks that can find something for a focus node without value nodes (set by
    #: :meth:`set_checks`): a third of the checks of a typical submission meet an
    #: optional property that is absent, and the others judge values one by one.
    checks_without_values: list[tuple[ox.NamedNode, Check]] = field(default_factory=list)
    #: For a node shape whose checks each judge the node alone (no property shapes), the
    #: tests whose passing is conformance: the qualified label shapes ask this of every
    #: label (~20% of the evaluation of a typical submission went to their results).
    value_tests: tuple[Callable[[Graph, Term], bool], ...] | None = None

    def set_checks(
        self, checks: list[tuple[ox.NamedNode, Check]], nothing_without_values: AbstractSet[Term]
    ) -> None:
        """Set the checks; those of components in ``nothing_without_values`` are skipped
        where the shape's path reaches no value."""
        self.checks = checks
        self.checks_without_values = [
            (component, check)
            for component, check in checks
            if component not in nothing_without_values
        ]

    def validate(self, g: Graph, focus: Term, found: list[Result]) -> None:
        """Append the results of ``focus`` against this shape to ``found``."""
        if self.deactivated:
            return
        # The hot loop (~25 calls per focus node): a plain predicate path is looked up
        # here rather than through its walk function, and a check without results costs
        # one call.
        path = self.path
        if path is None:
            values: AbstractSet[Term] = {focus}
        elif path.predicate is not None:
            values = g.out.get(focus, _NO_FIELDS).get(path.predicate, _NOTHING)
        else:
            values = path.walk(g, focus)
        for component, check in self.checks if values else self.checks_without_values:
            hits = check(g, focus, values)
            if not hits:
                continue
            for value, other, details in hits:
                result_path = path if other is None else Path(other, _never, other, frozenset())
                found.append(
                    Result(
                        focus,
                        result_path,
                        value,
                        self.node,
                        component,
                        self.severity,
                        self.messages,
                        details,
                    )
                )
        for prop in self.properties:
            for value in values:
                prop.validate(g, value, found)

    def conforms(self, g: Graph, node: Term) -> bool:
        """Whether ``node`` conforms (no result of any severity: SHACL §3.5)."""
        tests = self.value_tests
        if tests is not None:
            return all(ok(g, node) for ok in tests)
        return not self.results(g, node)

    def results(self, g: Graph, node: Term) -> tuple[Result, ...]:
        """All results of ``node`` against this shape, computed once per graph."""
        memo = g.nested.get(id(self))  # by identity: hashing a term is a call into Rust
        if memo is None:
            memo = g.nested[id(self)] = {}
        known = memo.get(node)
        if known is None:
            found: list[Result] = []
            self.validate(g, node, found)
            known = memo[node] = tuple(found)
        return known


def _never(g: Graph, f: Term) -> set[Term]:
    raise AssertionError("result paths are not walked")


@lru_cache(maxsize=65536)
def datatype_matches(lexical: str, datatype: str) -> bool:
    """pySHACL's own test of a literal with the required datatype (ill-typed ones fail)."""
    literal = RdfLiteral(lexical, datatype=URIRef(datatype))
    if getattr(literal, "ill_typed", None) is True:
        return False
    component: Any = DatatypeConstraintComponent
    return bool(component._assert_actual_datatype(None, literal, URIRef(datatype)))
