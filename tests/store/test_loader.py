"""Loading the knowledge files: provenance, idempotence, located errors, rebasing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from iqkg.errors import RdfSyntaxError
from iqkg.rdf.iris import IriScheme
from iqkg.store.dataset import Dataset
from iqkg.store.loader import load_knowledge, reason_knowledge, stored_checksum

MINI = Path(__file__).parents[1] / "data" / "knowledge-mini"


def _quads(dataset: Dataset) -> set[str]:
    return {str(q) for q in dataset.store.quads_for_pattern(None, None, None, None)}


def test_load_writes_graphs_and_provenance(tmp_path: Path) -> None:
    dataset = Dataset.open(tmp_path / "store", IriScheme())
    report = load_knowledge(dataset, MINI)
    assert report.changed == ["ontology", "curated"]
    assert report.counts == {"ontology": 6, "curated": 3}
    iris = dataset.iris
    assert dataset.count(iris.graph("curated")) == 3
    checksum = stored_checksum(dataset, iris.graph("curated"))
    assert checksum is not None and len(checksum) == 64
    files = dataset.query(
        f"SELECT ?label WHERE {{ GRAPH <{iris.graph('meta')}> {{ <{iris.graph('curated')}> "
        "<http://www.w3.org/ns/prov#wasDerivedFrom>/<http://www.w3.org/2000/01/rdf-schema#label> "
        "?label } }"
    )
    assert isinstance(files, ox.QuerySolutions)
    assert [row["label"].value for row in files] == ["data/networks.ttl"]  # type: ignore[union-attr]


def test_load_twice_changes_nothing(tmp_path: Path) -> None:
    dataset = Dataset.open(tmp_path / "store", IriScheme())
    load_knowledge(dataset, MINI, reasoner=lambda triples: [])
    before, version = _quads(dataset), dataset.version
    report = load_knowledge(dataset, MINI, reasoner=lambda triples: [])
    assert report.changed == []
    assert _quads(dataset) == before
    assert dataset.version == version


def test_changed_file_reloads(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(MINI, knowledge)
    dataset = Dataset.open(tmp_path / "store", IriScheme())
    load_knowledge(dataset, knowledge)
    version = dataset.version
    with (knowledge / "data" / "networks.ttl").open("a") as handle:
        handle.write(
            '<https://w3id.org/iqkg/id/network/example> <http://purl.org/dc/terms/title> "x" .\n'
        )
    report = load_knowledge(dataset, knowledge)
    assert "curated" in report.changed
    assert dataset.count(dataset.iris.graph("curated")) == 4
    assert dataset.version != version


def test_malformed_file_is_located_and_nothing_is_written(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(MINI, knowledge)
    (knowledge / "data" / "zz-broken.ttl").write_text(
        '@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e "unterminated .\n'
    )
    dataset = Dataset.open(tmp_path / "store", IriScheme())
    with pytest.raises(RdfSyntaxError) as caught:
        load_knowledge(dataset, knowledge)
    assert caught.value.source == "data/zz-broken.ttl"
    assert caught.value.line == 3
    assert "data/zz-broken.ttl:3:" in caught.value.message
    assert dataset.count() == 0


def test_other_base_rewrites_iris(tmp_path: Path) -> None:
    iris = IriScheme("http://localhost:8000/")
    dataset = Dataset.open(tmp_path / "store", iris)
    load_knowledge(dataset, MINI)
    subjects = {
        q.subject.value
        for q in dataset.store.quads_for_pattern(
            None, None, None, ox.NamedNode(iris.graph("curated"))
        )
    }  # type: ignore[union-attr]
    assert subjects == {"http://localhost:8000/id/network/example"}
    types = {
        q.object
        for q in dataset.store.quads_for_pattern(
            None,
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            None,
            ox.NamedNode(iris.graph("curated")),
        )
    }
    assert types == {ox.NamedNode("http://localhost:8000/def#Network")}


def test_reasoner_output_goes_to_inferred_graph(tmp_path: Path) -> None:
    dataset = Dataset.open(tmp_path / "store", IriScheme())
    marker = ox.Triple(
        ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.Literal("o")
    )
    seen: list[int] = []

    def reasoner(triples: list[ox.Triple]) -> list[ox.Triple]:
        seen.append(len(triples))
        return [marker]

    report = load_knowledge(dataset, MINI, reasoner=reasoner)
    assert seen == [9]
    assert report.counts["inferred"] == 1
    assert list(dataset.triples(dataset.iris.graph("inferred"))) == [marker]


def _described(dataset: Dataset, graph: str) -> dict[str, list[str]]:
    """What graph/meta says about ``graph``: property IRI → values (as strings)."""
    said: dict[str, list[str]] = {}
    for quad in dataset.store.quads_for_pattern(
        ox.NamedNode(graph), None, None, ox.NamedNode(dataset.iris.graph("meta"))
    ):
        said.setdefault(quad.predicate.value, []).append(str(quad.object))
    return said


def test_reason_records_provenance_like_load(tmp_path: Path) -> None:
    """`iqkg reason` once wrote graph/inferred with no record of it in graph/meta."""
    dataset = Dataset.open(tmp_path / "store", IriScheme())
    load_knowledge(dataset, MINI)  # without a reasoner: no closure, no record
    iris = dataset.iris
    inferred = iris.graph("inferred")
    assert _described(dataset, inferred) == {}
    marker = ox.Triple(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("o"))
    version = dataset.version

    assert reason_knowledge(dataset, lambda triples: [marker, marker]) == 1
    said = _described(dataset, inferred)
    prov, void = "http://www.w3.org/ns/prov#", "http://rdfs.org/ns/void#"
    assert said[void + "triples"] == ['"1"^^<http://www.w3.org/2001/XMLSchema#integer>']
    assert sorted(said[prov + "wasDerivedFrom"]) == [
        f"<{iris.graph('curated')}>",
        f"<{iris.graph('ontology')}>",
    ]
    assert said["http://purl.org/dc/terms/title"] == ['"OWL RL closure"@en']
    assert len(said[prov + "generatedAtTime"]) == 1
    assert list(dataset.triples(inferred)) == [marker]
    assert dataset.version != version

    reason_knowledge(dataset, lambda triples: [])  # again: the record is restated, not added
    assert len(_described(dataset, inferred)[prov + "generatedAtTime"]) == 1
    assert _described(dataset, inferred)[void + "triples"] == [
        '"0"^^<http://www.w3.org/2001/XMLSchema#integer>'
    ]


def test_reason_on_an_empty_store_is_refused(tmp_path: Path) -> None:
    dataset = Dataset.open(tmp_path / "store", IriScheme())
    with pytest.raises(LookupError):
        reason_knowledge(dataset, lambda triples: [])
    assert dataset.version == "0"
