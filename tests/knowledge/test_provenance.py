"""Statement-level provenance: every curated fact is stored once and carries its sources.

Read with SPARQL from a store loaded the way the service loads it (``load_knowledge``), so
what is tested is what researchers query: the named graphs, the owl:Axiom annotations and
graph/meta. The quotations of the programme text are compared with its copy in data/sources/.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from iqkg.rdf.iris import IriScheme
from iqkg.reasoning import infer
from iqkg.store.dataset import Dataset
from iqkg.store.loader import load_knowledge
from tests.knowledge.conftest import ROOT

PREFIXES = """
PREFIX owl:     <http://www.w3.org/2002/07/owl#>
PREFIX rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX iq:      <https://w3id.org/iqkg/def#>
"""
CURATED = "https://w3id.org/iqkg/graph/curated"
EDITORIAL = "https://w3id.org/iqkg/graph/editorial"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    store = Dataset.open(tmp_path_factory.mktemp("provenance") / "store", IriScheme())
    load_knowledge(store, ROOT, reasoner=infer)
    return store


def select(dataset: Dataset, query: str) -> list[dict[str, str]]:
    result = dataset.query(PREFIXES + query)
    assert isinstance(result, ox.QuerySolutions)
    variables = [v.value for v in result.variables]
    return [
        {name: row[name].value for name in variables if row[name] is not None} for row in result
    ]


def test_every_curated_fact_has_a_source_annotation(dataset: Dataset) -> None:
    facts = select(
        dataset,
        f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{CURATED}> {{
              ?s ?p ?o .
              FILTER NOT EXISTS {{ ?s a owl:Axiom }}
            }} }}""",
    )
    assert int(facts[0]["n"]) > 250
    unsourced = select(
        dataset,
        f"""SELECT ?s ?p ?o WHERE {{ GRAPH <{CURATED}> {{
              ?s ?p ?o .
              FILTER NOT EXISTS {{ ?s a owl:Axiom }}
              FILTER NOT EXISTS {{
                ?axiom a owl:Axiom ; owl:annotatedSource ?s ; owl:annotatedProperty ?p ;
                       owl:annotatedTarget ?o ; dcterms:source ?source .
              }}
            }} }} LIMIT 10""",
    )
    assert not unsourced, unsourced


def test_every_annotation_is_about_a_stored_fact_and_names_source_and_place(
    dataset: Dataset,
) -> None:
    bad = select(
        dataset,
        f"""SELECT ?axiom ?why WHERE {{ GRAPH <{CURATED}> {{ ?axiom a owl:Axiom }}
              {{ ?axiom owl:annotatedSource ?s ; owl:annotatedProperty ?p ;
                        owl:annotatedTarget ?o .
                 FILTER NOT EXISTS {{ GRAPH <{CURATED}> {{ ?s ?p ?o }} }}
                 BIND("annotates a triple that is not a curated fact" AS ?why) }}
              UNION {{ FILTER NOT EXISTS {{ ?axiom dcterms:source ?src . ?src a iq:SourceDocument }}
                       BIND("names no described source" AS ?why) }}
              UNION {{ FILTER NOT EXISTS {{ ?axiom iq:locator ?where }}
                       BIND("says not where in the source" AS ?why) }}
            }} LIMIT 10""",
    )
    assert not bad, bad


def test_quotations_are_verbatim_sentences_of_the_local_copy(dataset: Dataset) -> None:
    rows = select(
        dataset,
        """SELECT DISTINCT ?quotation ?copy WHERE {
             ?axiom a owl:Axiom ; iq:quotation ?quotation ; dcterms:source ?source .
             ?source iq:localCopy ?copy .
           }""",
    )
    assert len(rows) >= 15
    texts: dict[str, str] = {}
    for row in rows:
        copy = row["copy"]
        text = texts.setdefault(copy, (ROOT / copy).read_text(encoding="utf-8"))
        assert row["quotation"] in text, row["quotation"]
    # every quoting annotation cites a source with a local copy to check it against
    uncheckable = select(
        dataset,
        """SELECT ?axiom WHERE { ?axiom iq:quotation [] ; dcterms:source ?source .
                                 FILTER NOT EXISTS { ?source iq:localCopy [] } }""",
    )
    assert not uncheckable


def test_every_fact_of_the_programme_text_is_quoted(dataset: Dataset) -> None:
    unquoted = select(
        dataset,
        """SELECT ?axiom WHERE {
             ?axiom a owl:Axiom ; dcterms:source <https://w3id.org/iqkg/id/source/kp-iq-2011-2014> .
             FILTER NOT EXISTS { ?axiom iq:quotation [] }
           } LIMIT 5""",
    )
    assert not unquoted


def test_no_triple_sits_in_two_public_graphs(dataset: Dataset) -> None:
    """pyoxigraph 0.5.13 counts such a triple twice in the union default graph (oxigraph#1919)."""
    graphs = [g.value for g in dataset.public_graphs()]
    assert CURATED in graphs and EDITORIAL in graphs
    duplicates = select(
        dataset,
        """SELECT ?g1 ?g2 ?s ?p ?o WHERE {
             GRAPH ?g1 { ?s ?p ?o } GRAPH ?g2 { ?s ?p ?o } FILTER (STR(?g1) < STR(?g2))
           } LIMIT 10""",
    )
    assert not duplicates, duplicates


def test_editorial_graph_holds_types_and_is_described_as_the_projects_work(
    dataset: Dataset,
) -> None:
    types_in_curated = select(
        dataset,
        f"SELECT ?s WHERE {{ GRAPH <{CURATED}> {{ ?s rdf:type ?c FILTER (?c != owl:Axiom) }} }}",
    )
    assert not types_in_curated, types_in_curated[:5]
    meta = dataset.iris.graph("meta")
    described = select(
        dataset,
        f"""SELECT ?d WHERE {{ GRAPH <{meta}> {{ <{EDITORIAL}> dcterms:description ?d }} }}""",
    )
    assert described and "project" in described[0]["d"]


def test_sources_are_resources_that_say_where_they_come_from(dataset: Dataset) -> None:
    rows = select(
        dataset,
        """SELECT ?source ?title ?where WHERE {
             ?source a iq:SourceDocument ; dcterms:title ?title .
             OPTIONAL { ?source <https://schema.org/url> ?url }
             OPTIONAL { ?source iq:localCopy ?copy }
             BIND (COALESCE(?url, ?copy) AS ?where)
           }""",
    )
    assert len(rows) >= 2
    for row in rows:
        assert row.get("where"), row
        if not row["where"].startswith("http"):
            assert Path(ROOT / row["where"]).is_file(), row
