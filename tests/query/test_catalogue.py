"""Every catalogue question returns exactly its expected answer on the curated data."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from iqkg.query.catalogue import Catalogue, CatalogueQuery, answer_matches, csv_rows
from iqkg.rdf.formats import SPARQL_CSV
from iqkg.rdf.iris import IriScheme
from iqkg.reasoning import infer
from iqkg.store.dataset import Dataset, GraphWrite
from iqkg.store.loader import load_knowledge

ROOT = Path(__file__).parents[2]
CATALOGUE = Catalogue(ROOT / "queries")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    store = Dataset.open(tmp_path_factory.mktemp("catalogue") / "store", IriScheme())
    load_knowledge(store, ROOT, reasoner=infer)
    return store


def _rows(dataset: Dataset, query: CatalogueQuery) -> list[tuple[str, ...]]:
    result = dataset.query(query.sparql)
    assert isinstance(result, ox.QuerySolutions), "catalogue queries are SELECT queries"
    return csv_rows(result.serialize(format=SPARQL_CSV.format) or b"")


def test_catalogue_has_at_least_35_questions() -> None:
    """Issue 8: the catalogue grows from 15 to at least 35 questions."""
    assert len(CATALOGUE) >= 35
    assert any(q.requires_inference for q in CATALOGUE)


@pytest.mark.parametrize("query", CATALOGUE.queries, ids=lambda q: q.name)
def test_query_gives_expected_answer(dataset: Dataset, query: CatalogueQuery) -> None:
    assert query.expected_path.exists(), f"{query.expected_path.name} is missing"
    rows = _rows(dataset, query)
    assert len(rows) > 1, "a catalogue question must have an answer"
    assert answer_matches(query, rows) is None, answer_matches(query, rows)


@pytest.mark.parametrize(
    "query", [q for q in CATALOGUE.queries if q.requires_inference], ids=lambda q: q.name
)
def test_inference_only_question_needs_the_closure(tmp_path: Path, query: CatalogueQuery) -> None:
    without = Dataset.open(tmp_path / "store", IriScheme())
    load_knowledge(without, ROOT)
    assert answer_matches(query, _rows(without, query)) is not None
    without.write(
        [
            GraphWrite(
                without.iris.graph("inferred"),
                infer(
                    [
                        *without.triples(without.iris.graph("ontology")),
                        *without.triples(without.iris.graph("curated")),
                        *without.triples(without.iris.graph("editorial")),
                    ]
                ),
            )
        ]
    )
    assert answer_matches(query, _rows(without, query)) is None


def test_headers_are_bilingual() -> None:
    for query in CATALOGUE:
        assert query.title("de") != query.title("en"), query.name
        assert query.description("de") != query.description("en"), query.name


def test_lookup_by_number_and_name() -> None:
    first = CATALOGUE.queries[0]
    assert CATALOGUE.get(first.name) is first
    assert CATALOGUE.get(first.name.split("-", 1)[0]) is first
