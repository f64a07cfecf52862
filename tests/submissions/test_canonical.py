"""The content digest: the direct path for blank-node-free graphs equals RDFC-1.0's.

Cases are the files of ``tests/data/canonical/`` (hard literals and IRIs, duplicates) and
the partner files of ``tests/data/valid/``; each is digested both ways.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from iqkg.submissions.canonical import (
    _rdfc_digest,
    canonical_digest,
    ntriples_and_digest,
)

DATA = Path(__file__).parent.parent / "data"
CASES = sorted((DATA / "canonical").iterdir()) + sorted((DATA / "valid").glob("*.ttl"))
FORMATS = {".nt": ox.RdfFormat.N_TRIPLES, ".ttl": ox.RdfFormat.TURTLE}


def has_blank_nodes(triples: list[ox.Triple]) -> bool:
    """The oracle: a blank node among the terms themselves."""
    return any(
        isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples
    )


def _triples(path: Path) -> list[ox.Triple]:
    return [q.triple for q in ox.parse(path=str(path), format=FORMATS[path.suffix])]


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_the_direct_digest_is_the_rdfc_digest(path: Path) -> None:
    triples = _triples(path)
    assert triples and not has_blank_nodes(triples)
    assert canonical_digest(triples) == _rdfc_digest(triples)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_order_and_spelling_do_not_change_the_digest(path: Path) -> None:
    triples = _triples(path)
    reserialised = ox.serialize(reversed(triples), format=ox.RdfFormat.TURTLE)
    assert reserialised is not None
    again = [q.triple for q in ox.parse(reserialised, format=ox.RdfFormat.TURTLE)]
    assert canonical_digest(again) == canonical_digest(triples)


def test_a_changed_literal_changes_the_digest() -> None:
    triples = _triples(DATA / "canonical" / "literals.nt")
    changed = [
        *triples[:-1],
        ox.Triple(triples[-1].subject, triples[-1].predicate, ox.Literal("x")),
    ]
    assert canonical_digest(changed) != canonical_digest(triples)


def test_graphs_with_blank_nodes_go_through_rdfc() -> None:
    """Two labellings of one blank-node graph: the same digest."""
    one = ox.parse(b'_:a <urn:p> _:b .\n_:b <urn:q> "x" .\n', format=ox.RdfFormat.N_TRIPLES)
    two = ox.parse(b'_:z <urn:q> "x" .\n_:y <urn:p> _:z .\n', format=ox.RdfFormat.N_TRIPLES)
    assert canonical_digest(q.triple for q in one) == canonical_digest(q.triple for q in two)


@pytest.mark.parametrize(
    ("ntriples", "blank"),
    [
        ('<urn:s> <urn:p> "_:x ." .', False),
        ('<urn:s> <urn:p> "a\\n_:x ." .', False),  # a line break inside the literal
        ('<urn:s> <urn:p> "_:x"@de .', False),
        ('<urn:s> <urn:p> "1"^^<urn:_:t> .', False),
        ("<urn:_:s> <urn:p> <urn:_:o> .", False),
        ('_:b <urn:p> "x" .', True),
        ("<urn:s> <urn:p> _:b .", True),
        ('<urn:s> <urn:p> "x" .\n<urn:t> <urn:p> _:b .', True),
    ],
)
def test_a_blank_node_is_found_in_the_serialisation(ntriples: str, blank: bool) -> None:
    """The digest's blank-node test reads Oxigraph's N-Triples; it must agree with the
    terms themselves, literals that look like blank nodes included."""
    triples = [q.triple for q in ox.parse(ntriples.encode(), format=ox.RdfFormat.N_TRIPLES)]
    assert has_blank_nodes(triples) is blank
    serialised, digest = ntriples_and_digest(triples)
    assert (digest is None) is blank
    assert [q.triple for q in ox.parse(serialised, format=ox.RdfFormat.N_TRIPLES)] == triples
