"""Request paths ↔ IRIs under a base that need not be the server's origin."""

from __future__ import annotations

from iqkg.publish.pages import Linker
from iqkg.publish.paths import candidate_iris, local_path, split_extension
from iqkg.rdf.iris import IriScheme

BASE = "https://w3id.org/iqkg/"


def test_extensions_are_split_only_when_known() -> None:
    assert split_extension("id/network/bayern.ttl") == ("id/network/bayern", "ttl")
    assert split_extension("id/network/bayern.html") == ("id/network/bayern", "html")
    assert split_extension("id/network/bayern") == ("id/network/bayern", None)
    assert split_extension("def/0.1.0") == ("def/0.1.0", None)
    assert split_extension("id/x/y.pdf") == ("id/x/y.pdf", None)


def test_base_path_is_mapped_onto_the_server() -> None:
    origin = "http://127.0.0.1:8000/"
    candidates = candidate_iris("/id/network/bayern", BASE, origin)
    assert candidates[0] == "https://w3id.org/iqkg/id/network/bayern"
    assert "http://127.0.0.1:8000/id/network/bayern" in candidates
    with_base_path = candidate_iris("/iqkg/id/network/bayern", BASE, origin)
    assert "https://w3id.org/iqkg/id/network/bayern" in with_base_path


def test_local_paths() -> None:
    assert local_path(BASE + "id/network/bayern", BASE) == "/id/network/bayern"
    assert local_path("http://www.wikidata.org/entity/Q980", BASE) is None


def test_a_data_iri_never_becomes_a_network_path_reference() -> None:
    """``{base}/evil.example/x`` would be ``//evil.example/x``: another host (RFC 3986 §4.2)."""
    assert local_path(BASE + "/evil.example/x", BASE) is None
    assert local_path(BASE + "//evil.example/x", BASE) is None
    linker = Linker(IriScheme(BASE))
    assert linker.href(BASE + "/evil.example/x") == BASE + "/evil.example/x"
    assert linker.href(BASE + "id/partner/pa//x") == "/id/partner/pa//x"


def test_only_valid_iris_are_candidates() -> None:
    origin = "http://127.0.0.1:8000/"
    for path in ("/id/a b", "/id/a<b", "/id/{}", "/id/a\\b", '/id/a"b', "/id/a\tb", "/id/a%zz"):
        assert candidate_iris(path, BASE, origin) == [], path
    # An origin from a hostile Host header stands for nothing; the base still does.
    assert candidate_iris("/id/network/bayern", BASE, "http://a%zz/") == [
        BASE + "id/network/bayern"
    ]
