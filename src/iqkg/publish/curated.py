"""The programme's structure as the curated graphs state it, and what partners added.

Map, structure diagram, home counts and browse lists show the *curated* structure: a
partner may add resources of its own (``{base}id/partner/{slug}/…``) and link them to
curated ones, but an accepted submission never redraws the map or the programme's
structure (issue 9, finding 5). Partner resources are listed separately, each as the
contribution of its submission.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from iqkg.rdf.iris import GRAPH_CURATED, GRAPH_EDITORIAL, RDF, IriScheme
from iqkg.rdf.sparql_terms import iri, literal, values
from iqkg.store.dataset import Dataset
from iqkg.store.interface import WHOLE_STORE


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


#: The solutions of each query of :func:`home_queries`, each term as its value.
Rows = Mapping[str, Sequence[Mapping[str, str]]]


@dataclass(frozen=True)
class HomeData:
    """What the home page shows of the whole store, read on one state of it."""

    counts: HomeCounts
    #: (instance, class) IRIs of the curated ``rdf:type`` statements.
    typed: list[tuple[str, str]]
    #: Per live submission graph, the IRI subjects it gives a type (sorted).
    contributed: dict[str, list[str]]


def home_queries(iris: IriScheme) -> dict[str, str]:
    """The SPARQL the home page's numbers and lists are made of, by name.

    Their cost grows with the store, so the server has its query workers answer them
    together on one checkpoint, with the query deadline (:mod:`iqkg.server.worker_reads`).
    They run over the public union (``GRAPH ?g`` meets the public graphs only), and the
    curated graphs are those :func:`curated_graphs` names.
    """
    curated = iris.graph(GRAPH_CURATED)
    editorial = iris.graph(GRAPH_EDITORIAL)
    below = literal(curated + "/")
    is_curated = f"(?g IN ({iri(curated)}, {iri(editorial)}) || STRSTARTS(STR(?g), {below}))"
    submitted = f"STRSTARTS(STR(?g), {literal(iris.submission_graph(''))})"
    a = iri(RDF + "type")
    return {
        "triples": "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { "
        f"GRAPH ?g {{ ?s ?p ?o }} FILTER {is_curated} }} }}",
        "typed": f"SELECT DISTINCT ?s ?o WHERE {{ GRAPH ?g {{ ?s {a} ?o }} "
        f"FILTER({is_curated} && isIRI(?s) && isIRI(?o)) }}",
        # Every named graph of the dataset, empty ones too.
        "graphs": "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { } }",
        # OPTIONAL: an empty submission graph is a submission of 0 triples.
        "submissions": "SELECT ?g (COUNT(?s) AS ?n) WHERE { "
        f"GRAPH ?g {{ OPTIONAL {{ ?s ?p ?o }} }} FILTER {submitted} }} GROUP BY ?g",
        "contributed": f"SELECT DISTINCT ?g ?s WHERE {{ GRAPH ?g {{ ?s {a} ?t }} "
        f"FILTER({submitted} && isIRI(?s) && isIRI(?t)) }}",
    }


def home_from_rows(rows: Rows) -> HomeData:
    """The home page's data from the answers of :func:`home_queries` (all on one state)."""
    typed = sorted({(row["s"], row["o"]) for row in rows["typed"]})
    submissions = {row["g"]: int(row["n"]) for row in rows["submissions"]}
    contributed: dict[str, set[str]] = {}
    for row in rows["contributed"]:
        contributed.setdefault(row["g"], set()).add(row["s"])
    counts = HomeCounts(
        triples=int(rows["triples"][0]["n"]),
        entities=len({s for s, _ in typed}),
        classes=len({c for _, c in typed}),
        graphs=int(rows["graphs"][0]["n"]),
        submissions=len(submissions),
        submitted_triples=sum(submissions.values()),
    )
    return HomeData(counts, typed, {g: sorted(found) for g, found in contributed.items()})
