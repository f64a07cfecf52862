"""Fixtures for the knowledge-file tests: the ontology, shapes and curated data, parsed once."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY_DIR = ROOT / "ontology"
SHAPES_DIR = ROOT / "shapes"
DATA_DIR = ROOT / "data"
QUERIES_DIR = ROOT / "queries"
FIXTURES_DIR = ROOT / "tests" / "data"
SOURCES_DIR = DATA_DIR / "sources"

BASE = "https://w3id.org/iqkg/"
IQ = "https://w3id.org/iqkg/def#"
ID = BASE + "id/"
SHAPES_NS = BASE + "shapes#"


def parse_folder(folder: Path) -> Graph:
    graph = Graph()
    for path in sorted(folder.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="session")
def ontology() -> Graph:
    return parse_folder(ONTOLOGY_DIR)


@pytest.fixture(scope="session")
def shapes() -> Graph:
    return parse_folder(SHAPES_DIR)


@pytest.fixture(scope="session")
def imports() -> Graph:
    """The published axioms of the reused vocabularies (ontology/imports/, not public)."""
    return parse_folder(ONTOLOGY_DIR / "imports")


@pytest.fixture(scope="session")
def facts() -> Graph:
    """graph/curated: the facts with their source annotations (data/*.ttl)."""
    return parse_folder(DATA_DIR)


@pytest.fixture(scope="session")
def editorial() -> Graph:
    """graph/editorial: what the project states itself (data/editorial/*.ttl)."""
    return parse_folder(DATA_DIR / "editorial")


@pytest.fixture(scope="session")
def curated(facts: Graph, editorial: Graph) -> Graph:
    """The curated knowledge as a whole: facts and editorial statements."""
    return facts + editorial


def shacl_results(
    data: Graph, shapes: Graph, ontology: Graph, inference: str = "rdfs"
) -> tuple[bool, Graph]:
    """Validate ``data`` the way the service does: ontology mixed in, warnings allowed."""
    conforms, report, _ = validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference=inference,
        allow_warnings=False,
        abort_on_first=False,
        advanced=True,
    )
    assert isinstance(report, Graph)
    return bool(conforms), report
