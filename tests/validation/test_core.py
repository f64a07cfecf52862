"""validation/core.py: the engine's own data structures: the data index (forwards, and
backwards for the predicates it walks that way), SHACL instances through subclasses,
RDF lists, the paths it compiles and those it leaves to pySHACL, deactivated shapes,
results computed once per graph, ill-typed literals, and the shares of a check (Part)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from iqkg.validation.core import (
    SUPPORTED,
    TYPE,
    WHOLE,
    Graph,
    Part,
    Result,
    Shape,
    Unsupported,
    compile_path,
    datatype_matches,
    read_list,
    sh,
)

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .
"""
EX = "https://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"


def ex(name: str) -> ox.NamedNode:
    return ox.NamedNode(EX + name)


def _graph(turtle: str, inverse: tuple[ox.NamedNode, ...] = ()) -> Graph:
    triples = [q.triple for q in ox.parse((PREFIXES + turtle).encode(), format=ox.RdfFormat.TURTLE)]
    return Graph(triples, inverse)


def test_the_index_holds_every_triple_once_even_when_a_subject_comes_back() -> None:
    g = _graph("ex:a ex:p ex:b, ex:c . ex:d ex:p ex:b . ex:a ex:p ex:b ; ex:q 1 .", (ex("p"),))
    assert g.objects(ex("a"), ex("p")) == {ex("b"), ex("c")}
    assert g.objects(ex("a"), ex("q")) == {ox.Literal(1)}
    assert g.objects(ex("nobody"), ex("p")) == set()
    assert g.subjects(ex("p"), ex("b")) == {ex("a"), ex("d")}
    assert g.subjects(TYPE, ex("b")) == set()  # rdf:type is always indexed backwards
    with pytest.raises(KeyError):  # a predicate not asked for has no inverse index
        g.subjects(ex("q"), ox.Literal(1))


def test_instances_follow_subclasses_transitively_and_survive_cycles() -> None:
    g = _graph(
        """
        ex:B rdfs:subClassOf ex:A . ex:C rdfs:subClassOf ex:B .
        ex:X rdfs:subClassOf ex:Y . ex:Y rdfs:subClassOf ex:X .
        ex:a a ex:A . ex:c a ex:C . ex:x a ex:X . ex:n ex:p ex:A .
        """
    )
    assert g.subclasses(ex("A")) == {ex("A"), ex("B"), ex("C")}
    assert g.instances(ex("A")) == {ex("a"), ex("c")}
    assert g.instances(ex("C")) == {ex("c")}
    assert g.instances(ex("Y")) == {ex("x")}
    assert g.is_instance(ex("c"), ex("A")) and not g.is_instance(ex("a"), ex("C"))
    assert not g.is_instance(ex("n"), ex("A"))  # no type at all


def test_lists_are_read_in_order_and_broken_ones_are_refused() -> None:
    g = _graph(
        """
        ex:s ex:ok (ex:a ex:b ex:c) ; ex:empty () .
        ex:cycle rdf:first ex:a ; rdf:rest ex:cycle .
        ex:two rdf:first ex:a, ex:b ; rdf:rest rdf:nil .
        """
    )
    (head,) = g.objects(ex("s"), ex("ok"))
    assert read_list(g, head) == [ex("a"), ex("b"), ex("c")]
    (empty,) = g.objects(ex("s"), ex("empty"))
    assert read_list(g, empty) == []
    with pytest.raises(Unsupported, match="cyclic"):
        read_list(g, ex("cycle"))
    with pytest.raises(Unsupported, match="malformed"):
        read_list(g, ex("two"))


PATHS = """
ex:shape ex:predicate ex:p ;
  ex:inverse [ sh:inversePath ex:p ] ;
  ex:alternative [ sh:alternativePath ( ex:p [ sh:inversePath ex:q ] ) ] ;
  ex:sequence ( ex:p ex:q ) ;
  ex:star [ sh:zeroOrMorePath ex:p ] ;
  ex:lonely [ sh:alternativePath ( ex:p ) ] .
"""
SHAPES = _graph(PATHS)  # parsed once: its blank nodes are the paths' names
DATA = "ex:a ex:p ex:b . ex:c ex:p ex:a . ex:d ex:q ex:a ."


def _path(name: str) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    (node,) = SHAPES.objects(ex("shape"), ex(name))
    return node


@pytest.mark.parametrize(
    ("name", "from_a", "inverse", "predicate"),
    [
        ("predicate", {"b"}, set(), "p"),
        ("inverse", {"c"}, {"p"}, None),
        ("alternative", {"b", "d"}, {"q"}, None),
    ],
)
def test_paths_walk_the_data_as_written(
    name: str, from_a: set[str], inverse: set[str], predicate: str | None
) -> None:
    path = compile_path(SHAPES, _path(name))
    assert {ex(n) for n in inverse} == path.inverse
    assert path.predicate == (ex(predicate) if predicate else None)
    data = _graph(DATA, tuple(path.inverse))
    assert path.walk(data, ex("a")) == {ex(n) for n in from_a}


@pytest.mark.parametrize(
    ("name", "reason"),
    [("sequence", "first, rest"), ("star", "zeroOrMorePath"), ("lonely", "alternativePath")],
)
def test_other_paths_are_left_to_pyshacl(name: str, reason: str) -> None:
    with pytest.raises(Unsupported, match=reason):
        compile_path(SHAPES, _path(name))


def _flagging(calls: list[ox.NamedNode | ox.BlankNode | ox.Literal], deactivated: bool) -> Shape:
    def check(
        g: Graph, focus: object, values: object
    ) -> list[tuple[None, None, tuple[Result, ...]]]:
        calls.append(focus)  # type: ignore[arg-type]
        return [(None, None, ())]

    shape = Shape(ex("S"), None, sh("Violation"), (), deactivated)
    shape.checks.append((sh("TestConstraintComponent"), check))
    return shape


def test_results_are_computed_once_per_graph_and_node() -> None:
    calls: list[ox.NamedNode | ox.BlankNode | ox.Literal] = []
    shape = _flagging(calls, deactivated=False)
    g = _graph(DATA)
    first = shape.results(g, ex("a"))
    assert len(first) == 1 and first[0].focus == ex("a") and first[0].shape == ex("S")
    assert shape.results(g, ex("a")) is first and not shape.conforms(g, ex("a"))
    assert calls == [ex("a")]
    shape.results(_graph(DATA), ex("a"))  # another graph: computed again
    assert calls == [ex("a"), ex("a")]


def test_a_deactivated_shape_has_no_results() -> None:
    calls: list[ox.NamedNode | ox.BlankNode | ox.Literal] = []
    shape = _flagging(calls, deactivated=True)
    assert shape.conforms(_graph(DATA), ex("a")) and calls == []


@pytest.mark.parametrize(
    ("lexical", "datatype", "matches"),
    [
        ("12", "integer", True),
        ("1.5", "integer", False),
        ("abc", "integer", False),
        ("2026-02-30", "date", False),
        ("2026-02-28", "date", True),
        ("true", "boolean", True),
        ("1", "boolean", True),
        ("anything", "string", True),
    ],
)
def test_ill_typed_literals_do_not_match_their_datatype(
    lexical: str, datatype: str, matches: bool
) -> None:
    assert datatype_matches(lexical, XSD + datatype) is matches


def test_targets_and_non_validating_parameters_are_supported() -> None:
    for name in ("targetClass", "targetNode", "severity", "message", "deactivated", "name"):
        assert "http://www.w3.org/ns/shacl#" + name in SUPPORTED
    for name in ("sparql", "equals", "lessThan", "disjoint", "qualifiedValueShapesDisjoint"):
        assert "http://www.w3.org/ns/shacl#" + name not in SUPPORTED


# --- Part: the shares of one check among workers ---------------------------------------

ROOT = Path(__file__).parents[2]
#: IRIs of every kind a body has: partner resources, curated ones, foreign ones, odd text.
SHARED_IRIS = [
    *(f"https://w3id.org/iqkg/id/partner/p/n{i}" for i in range(20)),
    "https://w3id.org/iqkg/id/network/bayern",
    "https://w3id.org/iqkg/def#RegionalNetwork",
    "http://example.org/x",
    "urn:x:ü",
    "https://example.org/a%20b?q=1#f",
]
FRESH = ox.BlankNode()  # a parser's label: random
UNSHARED_TERMS = [
    ox.BlankNode("b0"),
    FRESH,
    ox.Literal("x"),
    ox.Literal("Netz", language="de"),
    ox.Literal("https://w3id.org/iqkg/id/partner/p/n1"),  # an IRI's text, but a literal
    ox.Literal("42", datatype=ox.NamedNode(XSD + "integer")),
]
ALL_TERMS = [*(ox.NamedNode(iri) for iri in SHARED_IRIS), *UNSHARED_TERMS]


def _term_id(term: object) -> str:
    return "_:fresh" if term == FRESH else str(term)  # test ids stable from run to run


@pytest.mark.parametrize("term", ALL_TERMS, ids=_term_id)
def test_the_whole_holds_every_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> None:
    assert Part(0, 1) == WHOLE
    assert WHOLE.holds(term)


@pytest.mark.parametrize("count", [2, 3])
def test_every_iri_is_in_exactly_one_share(count: int) -> None:
    shares = [Part(index, count) for index in range(count)]
    holders = {iri: [p.index for p in shares if p.holds(ox.NamedNode(iri))] for iri in SHARED_IRIS}
    assert all(len(held) == 1 for held in holders.values()), holders
    # The shares really share: with 25 IRIs none of them is left empty.
    assert {held[0] for held in holders.values()} == set(range(count)), holders


@pytest.mark.parametrize("term", UNSHARED_TERMS, ids=_term_id)
@pytest.mark.parametrize("count", [2, 3])
def test_blank_nodes_and_literals_are_in_share_zero_only(
    term: ox.BlankNode | ox.Literal, count: int
) -> None:
    assert [index for index in range(count) if Part(index, count).holds(term)] == [0]


def _shares_in_a_fresh_process(iris: list[str], count: int, hash_seed: str) -> list[int]:
    """Each IRI's share as another interpreter computes it (another string hash seed)."""
    code = (
        "import sys, pyoxigraph as ox\n"
        "from iqkg.validation.core import Part\n"
        "count = int(sys.argv[1])\n"
        "for iri in sys.argv[2:]:\n"
        "    print(next(i for i in range(count) if Part(i, count).holds(ox.NamedNode(iri))))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONHASHSEED": hash_seed}
    done = subprocess.run(
        [sys.executable, "-c", code, str(count), *iris],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return [int(line) for line in done.stdout.split()]


@pytest.mark.parametrize("count", [2, 3])
def test_an_iri_has_the_same_share_in_every_process(count: int) -> None:
    """Each worker parses the body itself: they must agree on whose each IRI is, whatever
    their string hashing (randomised per process)."""
    here = [
        next(i for i in range(count) if Part(i, count).holds(ox.NamedNode(iri)))
        for iri in SHARED_IRIS
    ]
    for seed in ("1", "2"):
        assert _shares_in_a_fresh_process(SHARED_IRIS, count, seed) == here
