"""The programme's structure as the curated graphs state it, and what partners added.

Map, structure diagram, home counts and browse lists show the *curated* structure: a
partner may add resources of its own (``{base}id/partner/{slug}/…``) and link them to
curated ones, but an accepted submission never redraws the map or the programme's
structure (issue 9, finding 5). Partner resources are listed separately, each as the
contribution of its submission.
"""

from __future__ import annotations

from dataclasses import dataclass

from iqkg.rdf.iris import GRAPH_CURATED, GRAPH_EDITORIAL, RDF
from iqkg.rdf.sparql_terms import iri, values
from iqkg.store.dataset import Dataset
from iqkg.store.interface import WHOLE_STORE
from iqkg.store.reading import graph_triples


def curated_graphs(dataset: Dataset) -> set[str]:
    """``graph/curated`` (and topic graphs ``graph/curated/…``, should it be split), and
    ``graph/editorial``, where the project's own statements — the types among them — sit."""
    curated = dataset.iris.graph(GRAPH_CURATED)
    editorial = dataset.iris.graph(GRAPH_EDITORIAL)
    return {
        g.value
        for g in dataset.public_graphs()
        if g.value in (curated, editorial) or g.value.startswith(curated + "/")
    }


def submission_graphs(dataset: Dataset) -> list[str]:
    """The live graphs of accepted submissions."""
    prefix = dataset.iris.submission_graph("")
    return [g.value for g in dataset.public_graphs() if g.value.startswith(prefix)]


def pairs(dataset: Dataset, predicate: str, graphs: set[str]) -> list[tuple[str, str]]:
    """(subject, object) IRIs of ``predicate`` asserted in one of ``graphs``."""
    if not graphs:
        return []
    rows = dataset.select(
        f"SELECT DISTINCT ?s ?o WHERE {{ {values(['g'], [[iri(g)] for g in sorted(graphs)])} "
        f"GRAPH ?g {{ ?s {iri(predicate)} ?o }} FILTER(isIRI(?s) && isIRI(?o)) }}",
        dataset=WHOLE_STORE,
    )
    return sorted({(row["s"].value, row["o"].value) for row in rows})


def curated_pairs(dataset: Dataset, predicate: str) -> list[tuple[str, str]]:
    return pairs(dataset, predicate, curated_graphs(dataset))


@dataclass(frozen=True)
class HomeCounts:
    """The home page's numbers: the curated data, and separately what partners added."""

    triples: int
    entities: int
    classes: int
    graphs: int
    submissions: int
    submitted_triples: int


def home_counts(dataset: Dataset) -> HomeCounts:
    curated = curated_graphs(dataset)
    triples = {t for g in curated for t in graph_triples(dataset, g)}
    typed = curated_pairs(dataset, RDF + "type")
    submissions = submission_graphs(dataset)
    return HomeCounts(
        triples=len(triples),
        entities=len({s for s, _ in typed}),
        classes=len({c for _, c in typed}),
        graphs=len(dataset.public_graphs()),
        submissions=len(submissions),
        submitted_triples=sum(dataset.count(g) for g in submissions),
    )
