"""submissions/untrusted.py: the scanners that run before Oxigraph (RDF/XML's DOCTYPE,
JSON-LD's contexts and depth) over the files in tests/data/untrusted/ (the first word of a
name is the expectation, see its README), and the limits and locations of
``parse_untrusted``."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from iqkg.errors import InputError, NetworkAccessRefused, PayloadTooLarge, RdfSyntaxError
from iqkg.rdf.formats import JSON_LD, N_QUADS, N_TRIPLES, RDF_XML, TRIG, TURTLE, RdfSyntax
from iqkg.submissions.untrusted import (
    MAX_ENTITY_EXPANSION,
    _check_xml_doctype,
    _refuse_remote_contexts,
    _turtle_triple_term_line,
    parse_untrusted,
)
from tests.support.server import ROOT

DATA = ROOT / "tests" / "data" / "untrusted"
BASE = "https://example.org/base/"
EXPECTED: dict[str, type[Exception] | None] = {
    "accept": None,
    "network": NetworkAccessRefused,
    "input": InputError,
}


def _files(folder: str) -> list[Path]:
    return sorted((DATA / folder).iterdir())


def _expected(path: Path) -> type[Exception] | None:
    return EXPECTED[path.name.split("-", 1)[0]]


def _check(path: Path, scan: object, syntax: RdfSyntax) -> None:
    body = path.read_bytes()
    expected = _expected(path)
    if expected is None:
        scan(body)  # type: ignore[operator]
        assert parse_untrusted(body, syntax, base_iri=BASE, max_triples=1000)
        return
    for check in (scan, lambda b: parse_untrusted(b, syntax, base_iri=BASE, max_triples=1000)):
        with pytest.raises(expected) as raised:
            check(body)  # type: ignore[operator]
        # a network refusal is not a mere input error, and the reverse
        assert type(raised.value) is expected


@pytest.mark.parametrize("path", _files("rdf-xml"), ids=lambda p: p.stem)
def test_rdf_xml_doctype(path: Path) -> None:
    _check(path, _check_xml_doctype, RDF_XML)


@pytest.mark.parametrize("path", _files("json-ld"), ids=lambda p: p.stem)
def test_json_ld_contexts(path: Path) -> None:
    _check(path, _refuse_remote_contexts, JSON_LD)


def test_every_expectation_has_cases() -> None:
    names = [p.name.split("-", 1)[0] for folder in ("rdf-xml", "json-ld") for p in _files(folder)]
    assert set(names) == set(EXPECTED)


def test_entities_are_expanded_once_accepted() -> None:
    body = (DATA / "rdf-xml" / "accept-namespace-entity.rdf").read_bytes()
    (triple,) = parse_untrusted(body, RDF_XML, base_iri=BASE, max_triples=10)
    assert triple.object == ox.Literal(
        "2011", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")
    )


def test_expansion_limit_grows_with_the_body() -> None:
    """The bound is a multiple of the body's size: the same entity used as often as the
    body is long passes, one reference more per length does not."""
    value = b"v" * 100
    head = b'<!DOCTYPE rdf:RDF [ <!ENTITY a "' + value + b'"> ]>'
    refs = 40  # 4,000 characters: under 4 x 1,024 (the floor) …
    _check_xml_doctype(head + b"&a;" * refs)
    # … and past it once the references expand to more than MAX_ENTITY_EXPANSION x size
    many = head + b"&a;" * 400
    assert len(value) * 400 > MAX_ENTITY_EXPANSION * len(many)
    with pytest.raises(InputError, match="expand"):
        _check_xml_doctype(many)


def test_single_quoted_entities_pass_the_scanner_and_oxigraph_says_why_not() -> None:
    """XML allows 'single' quotes; Oxigraph does not, and its error is located as any."""
    body = (DATA / "rdf-xml" / "accept-namespace-entity.rdf").read_bytes()
    quoted = body.replace(
        b'"http://www.w3.org/2001/XMLSchema#"', b"'http://www.w3.org/2001/XMLSchema#'"
    )
    _check_xml_doctype(quoted)
    with pytest.raises(RdfSyntaxError, match="ENTITY"):
        parse_untrusted(quoted, RDF_XML, base_iri=BASE, max_triples=10)


def test_remote_context_named_in_the_refusal() -> None:
    with pytest.raises(NetworkAccessRefused) as raised:
        _refuse_remote_contexts(b'{"@context": "https://evil.example/c", "@id": "x"}')
    assert raised.value.detail == {"url": "https://evil.example/c"}


def test_malformed_json_is_left_to_the_parser_which_locates_it() -> None:
    _refuse_remote_contexts(b'{"@id": ')
    with pytest.raises(RdfSyntaxError):
        parse_untrusted(b'{"@id": ', JSON_LD, base_iri=BASE, max_triples=10)


def test_deep_json_that_python_cannot_even_load() -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(InputError, match="nested"):
        _refuse_remote_contexts(body)


def _ntriples(count: int) -> bytes:
    return b"".join(
        f'<https://example.org/s{i}> <https://example.org/p> "{i}" .\n'.encode()
        for i in range(count)
    )


@pytest.mark.parametrize("count", [0, 1, 5])
def test_the_triple_limit(count: int) -> None:
    body = _ntriples(count)
    assert len(parse_untrusted(body, N_TRIPLES, base_iri=BASE, max_triples=count)) == count
    with pytest.raises(PayloadTooLarge, match=f"more than {count} triples"):
        parse_untrusted(_ntriples(count + 1), N_TRIPLES, base_iri=BASE, max_triples=count)


def test_named_graphs_are_merged() -> None:
    trig = (
        b"<https://example.org/g1> { <https://example.org/s> <https://example.org/p> 1 . }\n"
        b"<https://example.org/g2> { <https://example.org/s> <https://example.org/p> 2 . }\n"
    )
    triples = parse_untrusted(trig, TRIG, base_iri=BASE, max_triples=10)
    assert {t.object.value for t in triples} == {"1", "2"}  # type: ignore[union-attr]
    assert all(isinstance(t, ox.Triple) for t in triples)


def test_relative_iris_resolve_against_the_base() -> None:
    (triple,) = parse_untrusted(b"<s> <p> <o> .", TURTLE, base_iri=BASE, max_triples=1)
    assert triple.subject == ox.NamedNode(BASE + "s")


def test_syntax_errors_are_located() -> None:
    body = b"<https://example.org/s> <https://example.org/p> 1 .\n<https://example.org/s> oops\n"
    with pytest.raises(RdfSyntaxError) as raised:
        parse_untrusted(body, TURTLE, base_iri=BASE, max_triples=10, source="upload.ttl")
    assert raised.value.source == "upload.ttl" and raised.value.line == 2


TRIPLE_TERM = b"<<( <https://e/a> <https://e/b> <https://e/c> )>>"


@pytest.mark.parametrize(
    ("body", "syntax", "line"),
    [
        (
            b"<https://e/s> <https://e/p> 1 .\n<https://e/s> <https://e/p> "
            + TRIPLE_TERM
            + b" .\n",
            TURTLE,
            2,
        ),
        (
            b"<https://e/s> <https://e/p> <https://e/o> .\n\n<https://e/s> <https://e/p> "
            + TRIPLE_TERM
            + b" .\n",
            N_QUADS,
            3,
        ),
        (b"<https://e/a> <https://e/b> <https://e/c> {| <https://e/p> 1 |} .\n", TURTLE, 1),
        (
            b"<https://e/g> { <https://e/s> <https://e/p> 1 .\n<https://e/s> <https://e/p> "
            + TRIPLE_TERM
            + b" }\n",
            TRIG,
            2,
        ),
        (b"<https://e/s> <https://e/p> " + TRIPLE_TERM + b" <https://e/g> .\n", N_QUADS, 1),
    ],
)
def test_triple_terms_refused_with_their_line(body: bytes, syntax: RdfSyntax, line: int) -> None:
    with pytest.raises(RdfSyntaxError, match="triple terms") as raised:
        parse_untrusted(body, syntax, base_iri=BASE, max_triples=10)
    assert raised.value.line == line


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('<https://e/s> <https://e/p> "<<not a term>>" .\n<< <a> <b> <c> >> <p> 1 .', 2),
        ("# << in a comment\n<s> <p> '''long\n{| text'''.\n<s> <p> << <a> <b> <c> >> .", 4),
        ('<https://e/s?x=<<> <p> "a \\" << b" .\n{| ', 2),
        ("<s> <p> <o> .", None),
        ('<s> <p> "unterminated << ', None),
        ("<s <<", None),
    ],
)
def test_turtle_triple_term_line(text: str, line: int | None) -> None:
    assert _turtle_triple_term_line(text.encode()) == line
