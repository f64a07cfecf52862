"""publish/curated.py: which graphs count as curated, which as partners' submissions,
and the home page's numbers, on a small dataset built here (each expected number follows
from the quads)."""

from __future__ import annotations

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, QuerySolutions

from iqkg.publish.curated import (
    HomeData,
    curated_graphs,
    curated_pairs,
    home_from_rows,
    home_queries,
    pairs,
)
from iqkg.rdf.iris import RDF, IriScheme
from iqkg.store.dataset import Dataset

IRIS = IriScheme("https://data.example.org/kg/")
CURATED, TOPIC = IRIS.graph("curated"), IRIS.graph("curated/networks")
EDITORIAL, LOOKALIKE = IRIS.graph("editorial"), IRIS.graph("curated-elsewhere")
S1, S2 = IRIS.submission_graph("s1"), IRIS.submission_graph("s2")
PRIVATE = IRIS.graph("private/submission/s3")
TYPE = RDF + "type"
NETWORK, PROJECT = IRIS.term("Network"), IRIS.term("Project")
PART_OF = IRIS.term("partOf")
N1, N2, P1 = (
    IRIS.resource(k, n) for k, n in (("network", "n1"), ("network", "n2"), ("project", "p1"))
)
PARTNER_THING = IRIS.base + "id/partner/pa/project/x"


def _q(s: str, p: str, o: str | Literal | BlankNode, g: str) -> Quad:
    obj = NamedNode(o) if isinstance(o, str) else o
    return Quad(NamedNode(s), NamedNode(p), obj, NamedNode(g))


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    data = Dataset.open(None, IRIS)
    data.store.extend(
        [
            _q(N1, TYPE, NETWORK, CURATED),
            _q(N1, IRIS.term("name"), Literal("N1"), CURATED),
            _q(N2, TYPE, NETWORK, TOPIC),
            _q(P1, PART_OF, N1, TOPIC),
            _q(P1, PART_OF, BlankNode(), TOPIC),  # not an IRI: no pair
            _q(P1, TYPE, PROJECT, EDITORIAL),
            _q(N1, TYPE, NETWORK, EDITORIAL),  # the same triple in two curated graphs
            # not curated: a look-alike graph, submissions, a hidden graph
            _q(N2, PART_OF, N1, LOOKALIKE),
            _q(PARTNER_THING, TYPE, PROJECT, S1),
            _q(PARTNER_THING, PART_OF, N2, S1),
            _q(PARTNER_THING, IRIS.term("name"), Literal("x"), S2),
            _q(N2, TYPE, PROJECT, PRIVATE),
        ]
    )
    return data


def test_curated_graphs_are_curated_its_topics_and_editorial(dataset: Dataset) -> None:
    assert curated_graphs(dataset) == {CURATED, TOPIC, EDITORIAL}


def test_pairs_are_iris_asserted_in_the_graphs_asked_for(dataset: Dataset) -> None:
    assert curated_pairs(dataset, PART_OF) == [(P1, N1)]  # partners never redraw it
    assert curated_pairs(dataset, TYPE) == sorted([(N1, NETWORK), (N2, NETWORK), (P1, PROJECT)])
    assert pairs(dataset, PART_OF, {S1, LOOKALIKE}) == sorted([(PARTNER_THING, N2), (N2, N1)])
    assert pairs(dataset, PART_OF, set()) == []
    assert pairs(dataset, TYPE, {PRIVATE}) == [(N2, PROJECT)]  # the caller picks the graphs


def test_home_counts_separate_the_curated_data_from_what_partners_added(
    dataset: Dataset,
) -> None:
    counts = _home(dataset).counts
    assert counts.triples == 6  # 7 curated quads, one triple stated twice
    assert counts.entities == 3 and counts.classes == 2  # N1, N2, P1; Network, Project
    assert counts.graphs == 6  # every public graph: not the private one
    assert counts.submissions == 2 and counts.submitted_triples == 3


def test_home_lists_the_curated_types_and_each_submissions_typed_subjects(
    dataset: Dataset,
) -> None:
    home = _home(dataset)
    assert home.typed == sorted([(N1, NETWORK), (N2, NETWORK), (P1, PROJECT)])
    assert home.contributed == {S1: [PARTNER_THING]}  # S2 types nothing


def _home(dataset: Dataset) -> HomeData:
    """The home page's queries answered over the public union, as a query worker does."""
    rows = {}
    for name, query in home_queries(IRIS).items():
        solutions = dataset.query(query)
        assert isinstance(solutions, QuerySolutions)
        names = [v.value for v in solutions.variables]
        rows[name] = [
            {n: term.value for n in names if (term := solution[n]) is not None}
            for solution in solutions
        ]
    return home_from_rows(rows)
