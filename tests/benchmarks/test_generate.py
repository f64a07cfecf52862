"""The benchmark data generator: deterministic, sized as asked, valid and IQ-shaped."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict

import pyoxigraph as ox
import pytest

from benchmarks.generate import BENCH_NS, IQ, RDFS, SKOS, generate, parse_size
from benchmarks.mix import load_mix

SIZE = 10_000


def _digest(lines: list[str]) -> str:
    return hashlib.sha256("".join(lines).encode()).hexdigest()


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return list(generate(SIZE))


@pytest.fixture(scope="module")
def store(lines: list[str]) -> ox.Store:
    store = ox.Store()
    store.load("".join(lines).encode(), format=ox.RdfFormat.N_TRIPLES)
    return store


def test_same_seed_same_bytes_other_seed_other_bytes(lines: list[str]) -> None:
    assert _digest(list(generate(SIZE))) == _digest(lines)
    assert _digest(list(generate(SIZE, seed=7))) != _digest(lines)


@pytest.mark.parametrize("size", [2_000, 10_000, 50_000])
def test_size_is_hit_within_one_percent(size: int) -> None:
    count = sum(1 for _ in generate(size))
    assert size <= count <= size * 1.01


def test_output_parses_without_duplicates(lines: list[str], store: ox.Store) -> None:
    assert len(store) == len(lines)


def test_every_resource_is_synthetic(store: ox.Store) -> None:
    subjects = {q.subject.value for q in store.quads_for_pattern(None, None, None)}
    assert all(s.startswith(BENCH_NS) for s in subjects)


def test_every_project_has_a_german_and_an_english_label(store: ox.Store) -> None:
    labels: dict[str, set[str]] = defaultdict(set)
    for quad in store.quads_for_pattern(None, ox.NamedNode(RDFS + "label"), None):
        assert isinstance(quad.object, ox.Literal)
        labels[quad.subject.value].add(quad.object.language or "")
    projects = [
        q.subject.value
        for q in store.quads_for_pattern(None, ox.NamedNode(IQ + "partOfNetwork"), None)
    ]
    assert len(projects) > 100
    assert all(labels[p] == {"de", "en"} for p in projects)


def test_it_has_the_shapes_the_query_mix_needs(store: ox.Store) -> None:
    types = Counter(
        q.object.value
        for q in store.quads_for_pattern(
            None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), None
        )
    )
    for cls in ("RegionalNetwork", "Project", "Event", "ActionField", "FederalState"):
        assert types[IQ + cls] > 0, cls
    depth = store.query(
        f"ASK {{ ?a <{SKOS}broader>/<{SKOS}broader> ?top }}", use_default_graph_as_union=True
    )
    assert bool(depth), "the action-field hierarchy should be deeper than one level"
    missing_en = store.query(
        f"""ASK {{ ?r <{IQ}producedBy> ?o .
                  FILTER NOT EXISTS {{ ?r <{RDFS}label> ?l FILTER(lang(?l) = "en") }} }}"""
    )
    assert bool(missing_en), "some work results should lack an English label"


def test_every_query_of_the_mix_answers(store: ox.Store) -> None:
    for query in load_mix():
        result = store.query(query.text, use_default_graph_as_union=True)
        assert sum(1 for _ in result) > 0, query.name


@pytest.mark.parametrize(("text", "value"), [("10k", 10_000), ("1m", 1_000_000), ("2500", 2500)])
def test_parse_size(text: str, value: int) -> None:
    assert parse_size(text) == value
