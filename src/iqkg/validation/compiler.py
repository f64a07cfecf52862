"""Compile a shapes graph into :class:`~iqkg.validation.core.Shape` objects.

Separate from :mod:`iqkg.validation.core` (the data index, paths, shapes and results) so
that the constraint components (:mod:`iqkg.validation.components`) can build on the core
while the compiler picks them by name: core <- components <- compiler, no cycle.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from iqkg.validation import components as c
from iqkg.validation.core import (
    _LISTS,
    _NESTED,
    RDFS_CLASS,
    SH,
    SUPPORTED,
    TARGETS,
    TRUE,
    TYPE,
    VIOLATION,
    WHOLE,
    XSD,
    Check,
    Graph,
    Part,
    Result,
    Shape,
    Term,
    Unsupported,
    compile_path,
    read_list,
    sh,
)


@dataclass
class CompiledShapes:
    """The targeted shapes this engine validates, and those it left to pySHACL (with why)."""

    shapes: Graph
    roots: list[Shape]
    unsupported: dict[Term, str]
    inverse: frozenset[ox.NamedNode]

    def focus_nodes(self, g: Graph, shape: Shape) -> set[Term]:
        found: set[Term] = set()
        for kind in TARGETS:
            for value in self.shapes.objects(shape.node, kind):
                found |= _targets(g, kind, value)
        if RDFS_CLASS in self.shapes.objects(shape.node, TYPE):
            found |= g.instances(shape.node)
        return found

    def validate(self, g: Graph, part: Part = WHOLE) -> list[Result]:
        """The results of the focus nodes in ``part`` (all of them by default)."""
        results: list[Result] = []
        for shape in self.roots:
            for focus in self.focus_nodes(g, shape):
                if part.holds(focus):
                    shape.validate(g, focus, results)
        return results


def _targets(g: Graph, kind: Term, value: Term) -> set[Term]:
    if kind == sh("targetNode"):
        return {value}
    if kind == sh("targetClass"):
        return g.instances(value)
    if kind == sh("targetSubjectsOf"):
        return {s for s, fields in g.out.items() if value in fields}
    return {o for fields in g.out.values() for o in fields.get(value, ())}  # type: ignore[arg-type]


def target_roots(shapes: ShapesGraph) -> list[Term]:
    """Shapes with a target (SHACL §2.1.3), implicit class targets included."""
    roots = {s for kind in TARGETS for s in shapes.into_subjects(kind)}
    shape_types = {sh("NodeShape"), sh("PropertyShape")}
    for s in shapes.subjects(TYPE, RDFS_CLASS):
        if not shapes.objects(s, TYPE).isdisjoint(shape_types):
            roots.add(s)
    return sorted(roots, key=str)


def compile_shapes(triples: Iterable[ox.Triple]) -> CompiledShapes:
    """Compile every targeted shape; those that cannot be compiled are listed with a reason."""
    shapes = ShapesGraph(triples)
    roots: list[Shape] = []
    unsupported: dict[Term, str] = {}
    inverse: set[ox.NamedNode] = set()
    for root in target_roots(shapes):
        compiler = Compiler(shapes)
        try:
            shape = compiler.shape(root)
        except Unsupported as reason:
            unsupported[root] = str(reason)
            continue
        roots.append(shape)
        inverse |= compiler.inverse
    return CompiledShapes(shapes, roots, unsupported, frozenset(inverse))


class ShapesGraph(Graph):
    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        super().__init__(triples, TARGETS)

    def into_subjects(self, p: ox.NamedNode) -> set[Term]:
        return {s for subjects in self.into[p].values() for s in subjects}


class Compiler:
    def __init__(self, shapes: ShapesGraph) -> None:
        self.g = shapes
        self.done: dict[Term, Shape] = {}
        self.active: set[Term] = set()
        self.inverse: set[ox.NamedNode] = set()

    def one(self, node: Term, name: str) -> Term | None:
        values = self.g.objects(node, sh(name))
        if len(values) > 1:
            raise Unsupported(f"several sh:{name} on {node}")
        return next(iter(values), None)

    def shape(self, node: Term) -> Shape:
        if node in self.done:
            return self.done[node]
        if node in self.active:
            raise Unsupported(f"recursive shape {node}")
        self.active.add(node)
        fields = self.g.out.get(node, {})
        for p in fields:
            if p.value.startswith(SH) and p.value not in SUPPORTED:
                raise Unsupported(f"{p.value.removeprefix(SH)} on {node}")
        path_node = self.one(node, "path")
        path = compile_path(self.g, path_node) if path_node is not None else None
        if path:
            self.inverse |= path.inverse
        severity = self.one(node, "severity") or VIOLATION
        deactivated = self.one(node, "deactivated")
        messages = tuple(m for m in fields.get(sh("message"), ()) if isinstance(m, ox.Literal))
        if not isinstance(severity, ox.NamedNode) or len(messages) != len(
            fields.get(sh("message"), ())
        ):
            raise Unsupported(f"severity or message of {node}")
        shape = Shape(node, path, severity, messages, deactivated == TRUE)
        shape.set_checks(list(self.checks(node, shape)), c.NOTHING_WITHOUT_VALUES)
        shape.properties = [self.shape(p) for p in sorted(fields.get(sh("property"), ()), key=str)]
        if any(p.path is None for p in shape.properties):
            raise Unsupported(f"sh:property without sh:path on {node}")
        if path is None and not shape.properties and not shape.deactivated:
            tests = [c.VALUE_TESTS.get(check) for _, check in shape.checks]
            if all(test is not None for test in tests):
                shape.value_tests = tuple(test for test in tests if test is not None)
        self.active.discard(node)
        self.done[node] = shape
        return shape

    def checks(self, node: Term, shape: Shape) -> Iterator[tuple[ox.NamedNode, Check]]:
        g, one = self.g, self.one
        for name, factory in c.SIMPLE.items():
            for value in sorted(g.objects(node, sh(name)), key=str):
                yield sh(factory.component), factory.build(value, node, self)
        for name in _NESTED[:2]:
            for nested in self.g.objects(node, sh(name)):
                yield c.nested(name, self.shape(nested))
        for name in _LISTS:
            for head in self.g.objects(node, sh(name)):
                members = [self.shape(m) for m in read_list(g, head)]
                yield c.combination(name, members)
        qualified = one(node, "qualifiedValueShape")
        if qualified is not None:
            yield from c.qualified(
                self.shape(qualified),
                self.count(node, "qualifiedMinCount"),
                self.count(node, "qualifiedMaxCount"),
            )
        elif one(node, "qualifiedMinCount") or one(node, "qualifiedMaxCount"):
            raise Unsupported("qualified count without shape")
        if one(node, "closed") == TRUE:
            if shape.path is not None:
                raise Unsupported("sh:closed on a property shape")
            allowed = {
                p.predicate
                for prop in self.g.objects(node, sh("property"))
                if (p := self.shape(prop).path) is not None and p.predicate is not None
            }
            ignored = one(node, "ignoredProperties")
            if ignored is not None:
                allowed |= {i for i in read_list(g, ignored) if isinstance(i, ox.NamedNode)}
            yield sh("ClosedConstraintComponent"), c.closed(allowed)

    def count(self, node: Term, name: str) -> int | None:
        value = self.one(node, name)
        if value is None:
            return None
        if not isinstance(value, ox.Literal) or value.datatype.value != XSD + "integer":
            raise Unsupported(f"sh:{name} {value} is not an xsd:integer")
        return int(value.value)
