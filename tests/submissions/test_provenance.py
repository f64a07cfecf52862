"""submissions/provenance.py: the record of a submission and its versions as triples,
reports with their blank nodes skolemised, and reading one record back out of a graph
that holds others (an embedded store, no server)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from iqkg.rdf.iris import DCAT, DCTERMS, PROV, RDF, SH, SPDX, IriScheme
from iqkg.store.dataset import Dataset, hidden_graph_prefixes
from iqkg.store.interface import WHOLE_STORE
from iqkg.submissions.provenance import (
    ADMS,
    STATUS_IRIS,
    SubmissionIris,
    SubmissionRecord,
    VersionFacts,
    record_graphs_filter,
    report_triples,
    stored_record,
    submission_triples,
    version_triples,
    without_record_of,
)

IRIS = IriScheme("https://data.example.org/kg/")
NAMES = SubmissionIris(IRIS)
META = IRIS.graph("meta")


def _facts(number: int) -> VersionFacts:
    return VersionFacts(number, f"2026-01-0{number}T00:00:00Z", "text/turtle", "ab" * 32, 3)


def _record(ident: str, versions: int = 2, withdrawn: str | None = None) -> SubmissionRecord:
    facts = [_facts(n) for n in range(1, versions + 1)]
    return SubmissionRecord(
        ident,
        "pa",
        "withdrawn" if withdrawn else "accepted",
        facts[0].received,
        facts[-1].received,
        facts[-1],
        facts,
        withdrawn,
    )


def _objects(triples: list[ox.Triple], subject: str, predicate: str) -> list[str]:
    return sorted(
        t.object.value
        for t in triples
        if t.subject == ox.NamedNode(subject) and t.predicate.value == predicate
    )


def test_versions_and_records_are_hidden_but_the_live_graph_is_public() -> None:
    hidden = hidden_graph_prefixes(IRIS)
    assert not NAMES.live("s1").startswith(hidden)
    assert NAMES.live("s1").startswith(NAMES.live_prefix)
    for graph in (NAMES.version("s1", 2), NAMES.private("s1")):
        assert graph.startswith(hidden)
    assert NAMES.version("s1", 2).startswith(NAMES.archive_prefix("s1"))
    assert not NAMES.version("s10", 1).startswith(NAMES.archive_prefix("s1"))
    assert NAMES.report("s1", 2).startswith(NAMES.version("s1", 2) + "#")
    assert NAMES.partner_slug(NAMES.partner("partner-a")) == "partner-a"


@pytest.mark.parametrize("number", [1, 2, 5])
def test_a_version_names_its_submission_and_the_version_before(number: int) -> None:
    triples = version_triples(NAMES, "s1", "pa", _facts(number))
    version = NAMES.version("s1", number)
    assert _objects(triples, version, DCTERMS + "isVersionOf") == [NAMES.live("s1")]
    previous = [NAMES.version("s1", number - 1)] if number > 1 else []
    assert _objects(triples, version, DCAT + "previousVersion") == previous
    assert _objects(triples, version, DCAT + "version") == [str(number)]
    assert _objects(triples, version, PROV + "wasAttributedTo") == [NAMES.partner("pa")]
    (checksum,) = (t.object for t in triples if t.predicate.value == SPDX + "checksum")
    values = [t.object.value for t in triples if t.subject == checksum]
    assert "ab" * 32 in values


@pytest.mark.parametrize("withdrawn", [None, "2026-02-01T00:00:00Z"])
def test_the_record_states_status_versions_and_withdrawal(withdrawn: str | None) -> None:
    record = _record("s1", versions=3, withdrawn=withdrawn)
    triples = submission_triples(NAMES, record)
    live = NAMES.live("s1")
    assert _objects(triples, live, ADMS + "status") == [STATUS_IRIS[record.status]]
    assert _objects(triples, live, DCAT + "hasVersion") == [
        NAMES.version("s1", n) for n in (1, 2, 3)
    ]
    assert _objects(triples, live, DCAT + "hasCurrentVersion") == [NAMES.version("s1", 3)]
    assert _objects(triples, live, PROV + "invalidatedAtTime") == ([withdrawn] if withdrawn else [])


def test_a_report_is_rooted_at_its_iri_and_keeps_no_blank_node() -> None:
    root, result, detail = ox.BlankNode(), ox.BlankNode(), ox.BlankNode()
    focus = ox.NamedNode("https://example.org/x")
    report = [
        ox.Triple(root, ox.NamedNode(RDF + "type"), ox.NamedNode(SH + "ValidationReport")),
        ox.Triple(root, ox.NamedNode(SH + "result"), result),
        ox.Triple(result, ox.NamedNode(SH + "focusNode"), focus),
        ox.Triple(result, ox.NamedNode(SH + "detail"), detail),
        ox.Triple(detail, ox.NamedNode(SH + "focusNode"), focus),
    ]
    iri = NAMES.report("s1", 1)
    skolemised = report_triples(report, iri)
    assert len(skolemised) == len(report)
    terms = [term for t in skolemised for term in (t.subject, t.object)]
    assert not any(isinstance(term, ox.BlankNode) for term in terms)
    assert skolemised[0].subject == ox.NamedNode(iri)
    # One blank node, one IRI, the same wherever it occurs; distinct ones stay distinct.
    assert skolemised[1].object == skolemised[2].subject == skolemised[3].subject
    assert skolemised[3].object == skolemised[4].subject != skolemised[1].object
    assert all(t.subject.value.startswith(iri) for t in skolemised)


def test_a_report_without_a_blank_root_keeps_its_root() -> None:
    named = ox.NamedNode("https://example.org/report")
    report = [ox.Triple(named, ox.NamedNode(RDF + "type"), ox.NamedNode(SH + "ValidationReport"))]
    assert report_triples(report, NAMES.report("s1", 1)) == report


def _stored(triples_by_graph: dict[str, list[ox.Triple]]) -> Dataset:
    dataset = Dataset.open(None, IRIS)
    dataset.store.extend(
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph))
        for graph, triples in triples_by_graph.items()
        for t in triples
    )
    return dataset


def _record_with_versions(ident: str) -> list[ox.Triple]:
    record = _record(ident)
    return [
        *submission_triples(NAMES, record),
        *(t for v in record.versions for t in version_triples(NAMES, ident, "pa", v)),
    ]


def _iso(triples: list[ox.Triple]) -> bytes:
    """The set of triples as sorted text, blank nodes named by the subject they hang off
    (CONSTRUCT may repeat a triple: a store keeps it once)."""
    blanks = {
        t.object: f"_:{t.subject.value}" for t in triples if isinstance(t.object, ox.BlankNode)
    }

    def text(term: object) -> str:
        return blanks[term] if term in blanks else str(term)

    return "\n".join(
        sorted({f"{text(t.subject)} {t.predicate} {text(t.object)}" for t in triples})
    ).encode()


def test_one_record_is_read_back_whole_from_a_graph_holding_others() -> None:
    mine, other = _record_with_versions("s1"), _record_with_versions("s10")
    dataset = _stored({META: [*mine, *other], NAMES.private("s2"): _record_with_versions("s2")})
    found = stored_record(dataset, NAMES, META, "s1")
    assert _iso(found) == _iso(mine)  # with the checksums' blank nodes, not s10's facts
    assert stored_record(dataset, NAMES, META, "s2") == []
    assert _iso(stored_record(dataset, NAMES, NAMES.private("s2"), "s2")) == _iso(
        _record_with_versions("s2")
    )


def test_without_record_of_keeps_the_versions_and_drops_the_live_record() -> None:
    mine = _record_with_versions("s1")
    live = NAMES.live("s1")
    kept = without_record_of(mine, live)
    versions = [t for v in _record("s1").versions for t in version_triples(NAMES, "s1", "pa", v)]
    assert _iso(kept) == _iso(versions)
    assert not any(t.subject == ox.NamedNode(live) for t in kept)


def test_records_live_in_graph_meta_or_a_private_submission_graph() -> None:
    graphs = {
        META: True,
        NAMES.private("s1"): True,
        IRIS.graph("private/other"): False,
        NAMES.live("s1"): False,
        NAMES.version("s1", 1): False,
    }
    fact = ox.Triple(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.NamedNode("urn:o"))
    dataset = _stored({graph: [fact] for graph in graphs})
    query = f"SELECT ?m {{ GRAPH ?m {{ ?s ?p ?o }} {record_graphs_filter(IRIS)} }}"
    found = {row["m"].value for row in dataset.select(query, dataset=WHOLE_STORE)}
    assert found == {graph for graph, allowed in graphs.items() if allowed}
