"""Descriptions, page models and RDF documents (JSON-LD too) of any graph a partner may
send are bounded: a blank-node cycle or a chain of 10,000 blank nodes never raises (issue 9,
finding 6). The templates are rendered over HTTP in tests/server/test_pages_partner_data.py."""

from __future__ import annotations

import json
from itertools import pairwise

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from iqkg.publish.context import jsonld_context
from iqkg.publish.describe import MAX_BLANK_DEPTH, Description, describe, description_triples
from iqkg.publish.labels import Labels
from iqkg.publish.pages import PageBuilder, Value
from iqkg.publish.rdf_output import serialize_triples
from iqkg.rdf.formats import GRAPH_SYNTAXES, JSON_LD
from iqkg.rdf.iris import RDFS, IriScheme
from iqkg.store.dataset import Dataset, GraphWrite

SUBJECT = NamedNode("https://w3id.org/iqkg/id/partner/pa/x")
P = NamedNode("http://example.org/p")


def _chain(length: int) -> list[Triple]:
    nodes = [BlankNode() for _ in range(length)]
    return [Triple(SUBJECT, P, nodes[0])] + [Triple(a, P, b) for a, b in pairwise(nodes)]


def _self_loop() -> list[Triple]:
    a = BlankNode()
    return [Triple(SUBJECT, P, a), Triple(a, P, a)]


def _two_cycle() -> list[Triple]:
    a, b = BlankNode(), BlankNode()
    return [Triple(SUBJECT, P, a), Triple(a, P, b), Triple(b, P, a), Triple(b, P, SUBJECT)]


def _wide() -> list[Triple]:
    """A resource with 5,000 blank nodes, each with one more below it."""
    triples = []
    for _ in range(5000):
        a, b = BlankNode(), BlankNode()
        triples += [Triple(SUBJECT, P, a), Triple(a, P, b), Triple(b, P, Literal("leaf"))]
    return triples


GRAPHS = {
    "chain-10000": _chain(10_000),
    "chain-320": _chain(320),
    "self-loop": _self_loop(),
    "two-cycle": _two_cycle(),
    "wide": _wide(),
}


def _described(triples: list[Triple]) -> tuple[Dataset, Description]:
    dataset = Dataset.open(None, IriScheme())
    label = Triple(SUBJECT, NamedNode(RDFS + "label"), Literal("x"))
    dataset.write([GraphWrite(dataset.iris.submission_graph("s1"), [label, *triples])])
    description = describe(dataset, SUBJECT.value)
    assert description is not None
    return dataset, description


def _depth(values: list[Value]) -> int:
    return 1 + max((_depth([v for r in x.nested for v in r.values]) for x in values), default=0)


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_page_and_documents_are_bounded(name: str) -> None:
    dataset, description = _described(GRAPHS[name])
    page = PageBuilder(Labels(dataset), "en").page(description)
    values = [v for row in page.rows for v in row.values]
    # the resource's own value, MAX_BLANK_DEPTH levels of facts, the last (unread) node
    assert _depth(values) <= MAX_BLANK_DEPTH + 2
    triples = description_triples(dataset, description)
    context = jsonld_context(dataset)["@context"]
    for syntax in GRAPH_SYNTAXES:
        body = serialize_triples(triples, syntax, dataset.iris, context=context)
        if syntax == JSON_LD:
            json.loads(body)


def test_a_long_chain_is_cut_and_says_so() -> None:
    _, description = _described(GRAPHS["chain-10000"])
    assert description.truncated
    assert len(description.nested) == MAX_BLANK_DEPTH
    _, short = _described(_chain(3))
    assert not short.truncated and len(short.nested) == 3


def test_a_cycle_is_followed_once() -> None:
    _, description = _described(GRAPHS["two-cycle"])
    assert not description.truncated
    assert len(description.nested) == 2
