"""publish/search.py: the FTS5 index finds public resources by name regardless of case
and accents, ranks exact over prefix over word over description matches, the programme's
own resources before documents and partners' data, and is rebuilt per dataset version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, QueryResultsFormat, QuerySolutions

from iqkg.publish.search import (
    MATCHES,
    SearchIndex,
    fold,
    index_queries,
    statements_from_bindings,
)
from iqkg.rdf.iris import DCTERMS, OWL, RDF, RDFS, SKOS, IriScheme
from iqkg.store.dataset import Dataset, dataset_iri, public_graphs

IRIS = IriScheme("https://data.example.org/kg/")
STATE, FIELD, DOCUMENT = (
    IRIS.term("FederalState"),
    IRIS.term("ActionField"),
    IRIS.term("SourceDocument"),
)
BW = IRIS.resource("state", "bw")
MV = IRIS.resource("state", "mv")
FIELD_A = IRIS.resource("action-field", "anerkennung")
DOC_A = IRIS.resource("source", "anerkennung-page")
PARTNER_A = IRIS.partner_space("p1") + "anerkennung"
PROGRAMME = IRIS.resource("programme", "iq")
SECRET = IRIS.resource("state", "secret")


def _facts() -> list[tuple[str, str, str | Literal, str]]:
    return [
        (BW, RDFS + "label", Literal("Baden-Württemberg", language="de"), "curated"),
        (BW, RDF + "type", STATE, "curated"),
        (MV, SKOS + "prefLabel", Literal("Mecklenburg-Vorpommern", language="de"), "curated"),
        (MV, RDF + "type", STATE, "curated"),
        (FIELD_A, RDFS + "label", Literal("Anerkennung", language="de"), "curated"),
        (FIELD_A, RDFS + "label", Literal("Recognition", language="en"), "curated"),
        (FIELD_A, RDF + "type", FIELD, "curated"),
        (DOC_A, DCTERMS + "title", Literal("Anerkennung"), "curated"),
        (DOC_A, RDF + "type", DOCUMENT, "curated"),
        (PARTNER_A, RDFS + "label", Literal("Anerkennung", language="de"), "submission/s1"),
        (PARTNER_A, RDF + "type", FIELD, "submission/s1"),
        (
            PROGRAMME,
            RDFS + "label",
            Literal("Integration durch Qualifizierung", language="de"),
            "curated",
        ),
        (PROGRAMME, SKOS + "altLabel", Literal("IQ"), "curated"),
        (
            PROGRAMME,
            DCTERMS + "description",
            Literal("Förderprogramm des Bundes", language="de"),
            "curated",
        ),
        (SECRET, RDFS + "label", Literal("Geheimland"), "private/p"),
        (SECRET, RDFS + "label", Literal("Archivland"), "archive/s/1"),
        (dataset_iri(IRIS), RDFS + "label", Literal("Metaland"), "meta"),
        (IRIS.resource("state", "inferred"), RDFS + "label", Literal("Schlussland"), "inferred"),
        (IRIS.resource("state", "nameless"), DCTERMS + "description", Literal("Baden"), "curated"),
    ]


def _dataset(version: str = "v1") -> Dataset:
    dataset = Dataset.open(None, IRIS)
    for s, p, o, g in _facts():
        obj = o if isinstance(o, Literal) else NamedNode(o)
        dataset.store.add(Quad(NamedNode(s), NamedNode(p), obj, NamedNode(IRIS.graph(g))))
    _version(dataset, version)
    return dataset


def _version(dataset: Dataset, version: str) -> None:
    meta, subject = NamedNode(IRIS.graph("meta")), NamedNode(dataset_iri(IRIS))
    predicate = NamedNode(OWL + "versionInfo")
    for quad in list(dataset.store.quads_for_pattern(subject, predicate, None, meta)):
        dataset.store.remove(quad)
    dataset.store.add(Quad(subject, predicate, Literal(version), meta))


def _ensure(index: SearchIndex, dataset: Dataset) -> None:
    """What the server does: :func:`index_queries` answered over the public graphs (as a
    query worker answers them on a checkpoint), then the build from their answers."""
    public = public_graphs(dataset.store, IRIS)
    answers = {}
    for name, query in index_queries(IRIS).items():
        result = dataset.store.query(query, default_graph=[DefaultGraph()], named_graphs=public)
        assert isinstance(result, QuerySolutions)
        document = json.loads(result.serialize(format=QueryResultsFormat.JSON) or b"")
        answers[name] = document["results"]["bindings"]
    version = next((row["v"]["value"] for row in answers["version"]), "0")
    index.build(statements_from_bindings(answers["statements"]), version)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    built = SearchIndex(tmp_path_factory.mktemp("search") / "index.sqlite", IRIS)
    _ensure(built, _dataset())
    return built


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Baden-Württemberg", "baden wurttemberg"),
        ("  ÄRZTE   und  Ärztinnen ", "arzte und arztinnen"),
        ("Straße", "strasse"),
        ("a/b_c.d", "a b c d"),
        ("", ""),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("query", "iri", "match"),
    [
        ("baden-wurttemberg", BW, "exact"),
        ("BADEN WÜRTTEMBERG", BW, "exact"),
        ("baden", BW, "prefix"),
        ("mecklenburg", MV, "prefix"),
        ("vorp meck", MV, "word"),
        ("iq", PROGRAMME, "exact"),
        ("qualifiz", PROGRAMME, "word"),
        ("forderprogramm", PROGRAMME, "description"),
        ("recognition", FIELD_A, "exact"),
    ],
)
def test_found_and_how(index: SearchIndex, query: str, iri: str, match: str) -> None:
    hits = index.search(query).hits
    assert hits, query
    assert (hits[0].iri, hits[0].match) == (iri, match)
    assert [MATCHES.index(h.match) for h in hits] == sorted(MATCHES.index(h.match) for h in hits)


@pytest.mark.parametrize("query", ["geheimland", "archivland", "metaland", "schlussland"])
def test_hidden_meta_and_inferred_graphs_are_not_indexed(index: SearchIndex, query: str) -> None:
    assert index.search(query).hits == []


def test_resources_without_a_name_are_not_indexed(index: SearchIndex) -> None:
    assert IRIS.resource("state", "nameless") not in {h.iri for h in index.search("baden").hits}


def test_resources_before_documents_and_curated_before_partners(index: SearchIndex) -> None:
    """Within one kind of match: documents last, and of resources the curated first."""
    hits = index.search("Anerkennung").hits
    assert [h.iri for h in hits] == [FIELD_A, PARTNER_A, DOC_A]
    assert all(h.match == "exact" for h in hits)
    assert [h.partner for h in hits] == [False, True, False]
    assert hits[0].names == {"de": "Anerkennung", "en": "Recognition"}


def test_type_filter_keeps_facets_of_every_hit(index: SearchIndex) -> None:
    everything = index.search("anerkennung")
    fields = index.search("anerkennung", type_iri=FIELD)
    assert {h.iri for h in fields.hits} == {FIELD_A, PARTNER_A}
    assert fields.total == 2
    assert dict(fields.facets) == dict(everything.facets) == {FIELD: 2, DOCUMENT: 1}


def test_limit_cuts_hits_not_total(index: SearchIndex) -> None:
    result = index.search("anerkennung", limit=1)
    assert len(result.hits) == 1 and result.total == 3


@pytest.mark.parametrize("query", ['"', "*", "NEAR(a b)", "a OR", "-", "AND", "^x", "   "])
def test_query_syntax_of_fts5_is_text(index: SearchIndex, query: str) -> None:
    index.search(query)  # no sqlite3.OperationalError


def test_nothing_before_the_first_build(tmp_path: Path) -> None:
    index = SearchIndex(tmp_path / "none.sqlite", IRIS)
    assert index.built_version() is None
    assert index.search("baden").hits == []


def test_rebuilt_when_the_version_changes(tmp_path: Path) -> None:
    dataset, index = _dataset("v1"), SearchIndex(tmp_path / "index.sqlite", IRIS)
    _ensure(index, dataset)
    assert index.built_version() == "v1"
    dataset.store.add(
        Quad(
            NamedNode(BW),
            NamedNode(RDFS + "label"),
            Literal("Ländle"),
            NamedNode(IRIS.graph("curated")),
        )
    )
    _ensure(index, dataset)
    assert index.search("landle").hits == []  # same version: the index is kept
    _version(dataset, "v2")
    _ensure(index, dataset)
    assert index.built_version() == "v2"
    assert [h.iri for h in index.search("landle").hits] == [BW]
    assert [p.name for p in tmp_path.iterdir()] == ["index.sqlite"]


def test_a_broken_index_file_counts_as_not_built(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    path.write_bytes(b"not a database")
    index = SearchIndex(path, IRIS)
    assert index.built_version() is None
    _ensure(index, _dataset())
    assert index.search("baden").hits
