"""An origin that cannot be part of an IRI (a hostile ``Host`` header) gives way to the
base in VoID and in the service description, instead of failing."""

from __future__ import annotations

import pytest
from pyoxigraph import NamedNode, Triple

from iqkg.publish.void import compute_stats, void_triples
from iqkg.query.description import service_description
from iqkg.rdf.iris import SD, VOID, usable_origin, valid_iri
from iqkg.store.dataset import Dataset

BASE = "https://w3id.org/iqkg/"


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("http://127.0.0.1:8000/", True),
        ("https://w3id.org/iqkg/id/network/bayern", True),
        ("http://a%zz/", False),
        ("http://a b/", False),
        ("relative/path", False),
        ("", False),
    ],
)
def test_valid_iri(text: str, valid: bool) -> None:
    assert valid_iri(text) is valid


def test_usable_origin() -> None:
    assert usable_origin("http://127.0.0.1:8000/", BASE) == "http://127.0.0.1:8000/"
    assert usable_origin("http://a%zz/", BASE) == BASE


def _objects(triples: list[Triple], predicate: str) -> set[str]:
    return {t.object.value for t in triples if t.predicate == NamedNode(predicate)}


def test_void_with_an_invalid_site_falls_back_to_the_base(knowledge: Dataset) -> None:
    stats = compute_stats(knowledge)
    triples = void_triples(stats, knowledge, "http://a%zz/")
    assert _objects(triples, VOID + "sparqlEndpoint") == {BASE + "sparql"}
    assert all(url.startswith(BASE) for url in _objects(triples, VOID + "dataDump"))
    good = void_triples(stats, knowledge, "http://127.0.0.1:8000/")
    assert _objects(good, VOID + "sparqlEndpoint") == {"http://127.0.0.1:8000/sparql"}


def test_service_description_with_an_invalid_endpoint(knowledge: Dataset) -> None:
    triples = service_description(knowledge.store, knowledge.iris, "http://a%zz/sparql")
    endpoints = _objects(triples, SD + "endpoint")
    assert BASE + "sparql" in endpoints  # the query endpoint, beside the Graph Store's
    assert all(e.startswith(BASE) for e in endpoints), endpoints
    good = service_description(knowledge.store, knowledge.iris, "http://127.0.0.1:8000/sparql")
    endpoints = _objects(good, SD + "endpoint")
    assert "http://127.0.0.1:8000/sparql" in endpoints
    assert all(e.startswith("http://127.0.0.1:8000/") for e in endpoints), endpoints
