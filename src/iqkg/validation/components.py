"""The SHACL Core constraint components of :mod:`iqkg.validation.core` (SHACL §4).

Each builder turns the parameter value(s) of one shape into a check: given the data graph,
the focus node and its value nodes, a check returns one ``(value, path)`` pair per validation
result (``None`` where the specification gives the result no ``sh:value`` or keeps the
shape's path). Where pySHACL and the specification could differ, the behaviour follows
pySHACL (the reference) and the differential test says so.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

import pyoxigraph as ox

from iqkg.validation.core import (
    RDF,
    RDFS,
    SH,
    TRUE,
    XSD,
    Check,
    Graph,
    Term,
    Unsupported,
    datatype_matches,
    read_list,
    sh,
)

if TYPE_CHECKING:
    from iqkg.validation.compiler import Compiler
    from iqkg.validation.core import Result, Shape

Found = Sequence[tuple[Term | None, ox.NamedNode | None, tuple["Result", ...]]]
#: One result with neither value nor path of its own (a count, sh:hasValue, …), or none.
_ONE: Found = ((None, None, ()),)
_NONE: Found = ()
_XSD_STRING = XSD + "string"
_LANG_STRING = RDF + "langString"


@dataclass(frozen=True)
class Component:
    component: str
    build: Callable[[Term, Term, Compiler], Check]


#: The test of each check made by :func:`_each_failing` (the check judges each value node
#: alone): a shape made of such checks only conforms where each test passes, which is
#: asked without making results or remembering them (``Shape.conforms``).
VALUE_TESTS: weakref.WeakKeyDictionary[Check, Callable[[Graph, Term], bool]] = (
    weakref.WeakKeyDictionary()
)


def _each_failing(ok: Callable[[Graph, Term], bool]) -> Check:
    def check(g: Graph, focus: Term, values: AbstractSet[Term]) -> Found:
        return [(v, None, ()) for v in values if not ok(g, v)]

    VALUE_TESTS[check] = ok
    return check


def _class(cls: Term, node: Term, c: Compiler) -> Check:
    return _each_failing(lambda g, v: not isinstance(v, ox.Literal) and g.is_instance(v, cls))


def _datatype(dt: Term, node: Term, c: Compiler) -> Check:
    if not isinstance(dt, ox.NamedNode):
        raise Unsupported("sh:datatype is not an IRI")
    rule = dt.value

    def ok(g: Graph, v: Term) -> bool:
        # pySHACL on rdflib literals: xsd:string and rdf:langString have no datatype there.
        if not isinstance(v, ox.Literal):
            return False
        lang = v.language
        datatype = None if lang or v.datatype.value == _XSD_STRING else v.datatype.value
        if datatype == rule:
            return datatype_matches(v.value, rule)
        if rule == RDFS + "Literal":
            return True
        if rule == RDFS + "Datatype" and datatype:
            return True
        if datatype is None and not lang and rule == _XSD_STRING:
            return True
        return rule == _LANG_STRING and bool(lang)

    return _each_failing(ok)


_KINDS: dict[str, tuple[type, ...]] = {
    "IRI": (ox.NamedNode,),
    "BlankNode": (ox.BlankNode,),
    "Literal": (ox.Literal,),
    "BlankNodeOrIRI": (ox.BlankNode, ox.NamedNode),
    "BlankNodeOrLiteral": (ox.BlankNode, ox.Literal),
    "IRIOrLiteral": (ox.NamedNode, ox.Literal),
}


def _node_kind(kind: Term, node: Term, c: Compiler) -> Check:
    kinds = _KINDS.get(kind.value.removeprefix(SH)) if kind.value.startswith(SH) else None
    if kinds is None:
        raise Unsupported(f"sh:nodeKind {kind}")
    return _each_failing(lambda g, v: isinstance(v, kinds))


def _count(name: str, too_few: bool) -> Callable[[Term, Term, Compiler], Check]:
    def build(value: Term, node: Term, c: Compiler) -> Check:
        limit = c.count(node, name)
        assert limit is not None

        def fewer(g: Graph, focus: Term, values: AbstractSet[Term]) -> Found:
            return _ONE if len(values) < limit else _NONE

        def more(g: Graph, focus: Term, values: AbstractSet[Term]) -> Found:
            return _ONE if len(values) > limit else _NONE

        return fewer if too_few else more

    return build


def _length(name: str, too_short: bool) -> Callable[[Term, Term, Compiler], Check]:
    def build(value: Term, node: Term, c: Compiler) -> Check:
        limit = c.count(node, name)
        assert limit is not None

        def ok(g: Graph, v: Term) -> bool:
            if isinstance(v, ox.BlankNode):
                return False
            size = len(v.value)
            return size >= limit if too_short else size <= limit

        return _each_failing(ok)

    return build


_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}


def _pattern(pattern: Term, node: Term, c: Compiler) -> Check:
    flags = c.one(node, "flags")
    value = 0
    for letter in flags.value if isinstance(flags, ox.Literal) else "":
        if letter not in _FLAGS:
            raise Unsupported(f"sh:flags {letter}")
        value |= _FLAGS[letter]
    if not isinstance(pattern, ox.Literal):
        raise Unsupported("sh:pattern is not a literal")
    regex = re.compile(pattern.value, value)
    return _each_failing(
        lambda g, v: not isinstance(v, ox.BlankNode) and regex.search(v.value) is not None
    )


def _language_in(head: Term, node: Term, c: Compiler) -> Check:
    ranges = [r.value.lower() for r in read_list(c.g, head) if isinstance(r, ox.Literal)]
    known: dict[str, bool] = {}

    def ok(g: Graph, v: Term) -> bool:
        if not isinstance(v, ox.Literal) or not v.language:
            return False
        lang = v.language.lower()
        match = known.get(lang)
        if match is None:
            match = known[lang] = any(
                r == "*" or lang == r or lang.startswith(r + "-") for r in ranges
            )
        return match

    return _each_failing(ok)


def _unique_lang(flag: Term, node: Term, c: Compiler) -> Check:
    def check(g: Graph, focus: Term, values: AbstractSet[Term]) -> Found:
        if flag != TRUE:
            return _NONE
        seen: dict[str, int] = {}
        for v in values:
            if isinstance(v, ox.Literal) and v.language:
                seen[v.language.lower()] = seen.get(v.language.lower(), 0) + 1
        return [(None, None, ()) for count in seen.values() if count > 1]

    return check


def _in(head: Term, node: Term, c: Compiler) -> Check:
    members = set(read_list(c.g, head))
    return _each_failing(lambda g, v: v in members)


def _has_value(expected: Term, node: Term, c: Compiler) -> Check:
    def check(g: Graph, focus: Term, values: AbstractSet[Term]) -> Found:
        return _NONE if expected in values else _ONE

    return check


#: Parameter name → component, for the components with one parameter.
#: Datatypes whose values compare as numbers (XSD 1.1 §3.3): integer types, decimal, float.
_NUMERIC = frozenset(
    XSD + n
    for n in [
        "integer",
        "decimal",
        "float",
        "double",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "positiveInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    ]
)


def _number(term: Term) -> Decimal | None:
    """A numeric literal's value, or None (not a number, or ill-typed)."""
    if not isinstance(term, ox.Literal) or term.datatype.value not in _NUMERIC:
        return None
    if not datatype_matches(term.value, term.datatype.value):
        return None
    try:
        value = Decimal(term.value.strip())
    except InvalidOperation:
        return None
    return None if value.is_nan() else value


def _range(
    name: str, holds: Callable[[Decimal, Decimal], bool]
) -> Callable[[Term, Term, Compiler], Check]:
    """``sh:min/maxIn/Exclusive`` with a numeric bound; other bounds are left to pySHACL.

    A value that is not a number (or is ill-typed) cannot be compared with the bound, which
    SHACL counts as a violation (§4.4.1).
    """

    def build(bound: Term, node: Term, c: Compiler) -> Check:
        limit = _number(bound)
        if limit is None:
            raise Unsupported(f"{name} with a bound that is not a number ({bound}) on {node}")

        def ok(g: Graph, value: Term) -> bool:
            number = _number(value)
            return number is not None and holds(number, limit)

        return _each_failing(ok)

    return build


SIMPLE: dict[str, Component] = {
    "class": Component("ClassConstraintComponent", _class),
    "datatype": Component("DatatypeConstraintComponent", _datatype),
    "nodeKind": Component("NodeKindConstraintComponent", _node_kind),
    "minCount": Component("MinCountConstraintComponent", _count("minCount", True)),
    "maxCount": Component("MaxCountConstraintComponent", _count("maxCount", False)),
    "minLength": Component("MinLengthConstraintComponent", _length("minLength", True)),
    "maxLength": Component("MaxLengthConstraintComponent", _length("maxLength", False)),
    "pattern": Component("PatternConstraintComponent", _pattern),
    "languageIn": Component("LanguageInConstraintComponent", _language_in),
    "uniqueLang": Component("UniqueLangConstraintComponent", _unique_lang),
    "in": Component("InConstraintComponent", _in),
    "hasValue": Component("HasValueConstraintComponent", _has_value),
    "minInclusive": Component(
        "MinInclusiveConstraintComponent", _range("minInclusive", lambda v, b: v >= b)
    ),
    "maxInclusive": Component(
        "MaxInclusiveConstraintComponent", _range("maxInclusive", lambda v, b: v <= b)
    ),
    "minExclusive": Component(
        "MinExclusiveConstraintComponent", _range("minExclusive", lambda v, b: v > b)
    ),
    "maxExclusive": Component(
        "MaxExclusiveConstraintComponent", _range("maxExclusive", lambda v, b: v < b)
    ),
}


#: Components that find nothing when the path reaches no value node: each judges the
#: values one by one, or bounds their number from above. ``sh:minCount``,
#: ``sh:hasValue`` and the qualified counts are not among them.
NOTHING_WITHOUT_VALUES: frozenset[Term] = frozenset(
    sh(name + "ConstraintComponent")
    for name in [
        "Class",
        "Datatype",
        "NodeKind",
        "MaxCount",
        "MinLength",
        "MaxLength",
        "Pattern",
        "LanguageIn",
        "UniqueLang",
        "In",
        "MinInclusive",
        "MaxInclusive",
        "MinExclusive",
        "MaxExclusive",
        "Node",
        "Not",
        "And",
        "Or",
        "Xone",
        "Closed",
    ]
)


def nested(name: str, shape: Shape) -> tuple[ox.NamedNode, Check]:
    """``sh:node`` (values that do not conform) and ``sh:not`` (values that do)."""
    if name == "not":
        return sh("NotConstraintComponent"), _each_failing(lambda g, v: not shape.conforms(g, v))

    def check(g: Graph, focus: Term, values: AbstractSet[Term]) -> Found:
        # pySHACL nests the results of the value under the sh:node result (sh:detail).
        found = [(v, None, shape.results(g, v)) for v in values]
        return [hit for hit in found if hit[2]]

    return sh("NodeConstraintComponent"), check


def combination(name: str, members: list[Shape]) -> tuple[ox.NamedNode, Check]:
    """``sh:and``, ``sh:or`` and ``sh:xone`` over the conformance of each value node."""
    rules: dict[str, Callable[[int], bool]] = {
        "and": lambda n: n == len(members),
        "or": lambda n: n >= 1,
        "xone": lambda n: n == 1,
    }
    rule = rules[name]
    component = sh(name.capitalize() + "ConstraintComponent")
    return component, _each_failing(lambda g, v: rule(sum(m.conforms(g, v) for m in members)))


def qualified(
    shape: Shape, minimum: int | None, maximum: int | None
) -> Iterator[tuple[ox.NamedNode, Check]]:
    """``sh:qualifiedValueShape`` without ``sh:qualifiedValueShapesDisjoint``."""

    def counting(ok: Callable[[int], bool]) -> Check:
        def check(g: Graph, focus: Term, values: AbstractSet[Term]) -> Found:
            return _NONE if ok(sum(shape.conforms(g, v) for v in values)) else _ONE

        return check

    if minimum is not None:
        yield sh("QualifiedMinCountConstraintComponent"), counting(lambda n: n >= minimum)
    if maximum is not None:
        yield sh("QualifiedMaxCountConstraintComponent"), counting(lambda n: n <= maximum)


def closed(allowed: set[ox.NamedNode]) -> Check:
    """``sh:closed``: one result per triple whose predicate no property shape declares."""

    def check(g: Graph, focus: Term, values: AbstractSet[Term]) -> Found:
        return [
            (o, p, ())
            for v in values
            for p, objects in g.out.get(v, {}).items()
            if p not in allowed
            for o in objects
        ]

    return check
