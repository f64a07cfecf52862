"""How a submission and its versions are recorded in ``graph/meta`` (and read back).

A submission ``{id}`` has:

- its *live* graph ``{base}graph/submission/{id}`` (in the queried union while accepted),
  described in graph/meta by a mutable record: partner (``prov:wasAttributedTo``),
  status (``adms:status`` Completed or Withdrawn), first and last change, the current
  version and, copied from it, time received, media type, SHA-256, triple count and
  report — so one query finds the provenance of any triple it sees;
- one immutable *version* graph per accepted body,
  ``{base}graph/archive/submission/{id}/v{n}`` (never in the union), described by the
  same facts plus ``dcat:previousVersion``. The live graph is a copy of the current
  version; withdrawal drops the live graph and keeps every version;
- per version a SHACL report (``sh:ValidationReport``) at ``{version}#report``, with its
  blank nodes skolemised under ``{version}#`` so it can be read back whole.

Withdrawn means private: withdrawal moves the submission's whole record (the mutable one,
every version's and every report) out of the public ``graph/meta`` into
``{base}graph/private/submission/{id}``, which no public channel reads (SPARQL's union,
pages, ``/graph/…``, dumps, VoID). Only the submission service reads it back, for the
owner and the operator. A new version brings the record back into ``graph/meta``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import count
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from iqkg.rdf.convert import from_ntriples, to_rdflib_term
from iqkg.rdf.iris import DCAT, DCTERMS, PROV, RDF, RDFS, SH, SPDX, VOID, XSD, IriScheme
from iqkg.rdf.sparql_terms import iri, literal
from iqkg.rdf.sparql_terms import variable as sparql_variable
from iqkg.store.interface import WHOLE_STORE, SparqlStore

ADMS = "http://www.w3.org/ns/adms#"
ADMS_STATUS = "http://purl.org/adms/status/"
DQV = "http://www.w3.org/ns/dqv#"

STATUS_IRIS = {"accepted": ADMS_STATUS + "Completed", "withdrawn": ADMS_STATUS + "Withdrawn"}
STATUS_NAMES = {iri: name for name, iri in STATUS_IRIS.items()}


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _time(value: str) -> ox.Literal:
    return ox.Literal(value, datatype=_n(XSD + "dateTime"))


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(XSD + "integer"))


@dataclass(frozen=True)
class VersionFacts:
    """What is known about one accepted body."""

    number: int
    received: str
    media_type: str
    sha256: str
    triples: int


@dataclass
class SubmissionRecord:
    """One submission as graph/meta describes it."""

    id: str
    partner: str
    status: str
    created: str
    modified: str
    current: VersionFacts
    versions: list[VersionFacts] = field(default_factory=list)
    withdrawn: str | None = None


class SubmissionIris:
    """The IRIs of submissions, versions, reports and partners of one installation."""

    def __init__(self, iris: IriScheme) -> None:
        self.iris = iris
        self.live_prefix = iris.submission_graph("")

    def live(self, submission_id: str) -> str:
        return self.iris.submission_graph(submission_id)

    def version(self, submission_id: str, number: int) -> str:
        return self.iris.graph(f"archive/submission/{submission_id}/v{number}")

    def private(self, submission_id: str) -> str:
        """Where a withdrawn submission's record is kept (hidden, like graph/archive/)."""
        return self.iris.graph(f"private/submission/{submission_id}")

    def archive_prefix(self, submission_id: str) -> str:
        """The prefix of its version graphs (and so of their reports)."""
        return self.iris.graph(f"archive/submission/{submission_id}/")

    def report(self, submission_id: str, number: int) -> str:
        return f"{self.version(submission_id, number)}#report"

    def partner(self, slug: str) -> str:
        return f"{self.iris.base}id/partner/{slug}"

    def partner_slug(self, iri: str) -> str:
        return iri.rsplit("/", 1)[-1]


def _facts(subject: str, facts: VersionFacts, report: str, partner: str) -> list[ox.Triple]:
    s = _n(subject)
    checksum = ox.BlankNode()
    return [
        ox.Triple(s, _n(RDF + "type"), _n(PROV + "Entity")),
        ox.Triple(s, _n(PROV + "wasAttributedTo"), _n(partner)),
        ox.Triple(s, _n(PROV + "generatedAtTime"), _time(facts.received)),
        ox.Triple(s, _n(DCTERMS + "format"), ox.Literal(facts.media_type)),
        ox.Triple(s, _n(VOID + "triples"), _int(facts.triples)),
        ox.Triple(s, _n(DCAT + "version"), ox.Literal(str(facts.number))),
        ox.Triple(s, _n(SPDX + "checksum"), checksum),
        ox.Triple(checksum, _n(SPDX + "algorithm"), _n(SPDX + "checksumAlgorithm_sha256")),
        ox.Triple(checksum, _n(SPDX + "checksumValue"), ox.Literal(facts.sha256)),
        ox.Triple(s, _n(DQV + "hasQualityAnnotation"), _n(report)),
    ]


def version_triples(
    names: SubmissionIris, submission_id: str, partner: str, facts: VersionFacts
) -> list[ox.Triple]:
    """The immutable record of one version."""
    v = names.version(submission_id, facts.number)
    triples = _facts(v, facts, names.report(submission_id, facts.number), names.partner(partner))
    triples.append(ox.Triple(_n(v), _n(DCTERMS + "isVersionOf"), _n(names.live(submission_id))))
    if facts.number > 1:
        previous = names.version(submission_id, facts.number - 1)
        triples.append(ox.Triple(_n(v), _n(DCAT + "previousVersion"), _n(previous)))
    return triples


def submission_triples(names: SubmissionIris, record: SubmissionRecord) -> list[ox.Triple]:
    """The mutable record of a submission (restated on every change)."""
    g = names.live(record.id)
    s = _n(g)
    current = record.current
    triples = _facts(
        g, current, names.report(record.id, current.number), names.partner(record.partner)
    )
    triples += [
        ox.Triple(s, _n(DCTERMS + "identifier"), ox.Literal(record.id)),
        ox.Triple(s, _n(DCTERMS + "created"), _time(record.created)),
        ox.Triple(s, _n(DCTERMS + "modified"), _time(record.modified)),
        ox.Triple(s, _n(ADMS + "status"), _n(STATUS_IRIS[record.status])),
        ox.Triple(s, _n(DCAT + "hasCurrentVersion"), _n(names.version(record.id, current.number))),
    ]
    triples += [
        ox.Triple(s, _n(DCAT + "hasVersion"), _n(names.version(record.id, v.number)))
        for v in record.versions
    ]
    if record.withdrawn:
        triples.append(ox.Triple(s, _n(PROV + "invalidatedAtTime"), _time(record.withdrawn)))
    return triples


def partner_triples(names: SubmissionIris, slug: str, name: str) -> list[ox.Triple]:
    p = _n(names.partner(slug))
    return [
        ox.Triple(p, _n(RDF + "type"), _n(PROV + "Agent")),
        ox.Triple(p, _n(RDFS + "label"), ox.Literal(name)),
    ]


def report_triples(report: Iterable[ox.Triple], report_iri: str) -> list[ox.Triple]:
    """The report graph with its root at ``report_iri`` and blank nodes skolemised."""
    triples = list(report)
    numbers = count(1)
    root = next(
        (
            t.subject
            for t in triples
            if t.predicate.value == RDF + "type" and t.object == _n(SH + "ValidationReport")
        ),
        None,
    )
    mapping: dict[ox.BlankNode, ox.NamedNode] = {}
    if isinstance(root, ox.BlankNode):
        mapping[root] = _n(report_iri)

    def skolem(term: Any) -> Any:
        if isinstance(term, ox.BlankNode):
            if term not in mapping:
                mapping[term] = _n(f"{report_iri}-{next(numbers)}")
            return mapping[term]
        return term

    return [ox.Triple(skolem(t.subject), t.predicate, skolem(t.object)) for t in triples]


def report_graph(triples: Iterable[ox.Triple]) -> Graph:
    graph = Graph()
    for t in triples:
        graph.add(
            (to_rdflib_term(t.subject), to_rdflib_term(t.predicate), to_rdflib_term(t.object))
        )
    return graph


# --- where records live: graph/meta, or private once withdrawn ---------------------------


def record_graphs_filter(iris: IriScheme, variable: str = "m") -> str:
    """A SPARQL filter on ``?m`` (or ``variable``): the graphs a record may live in
    (graph/meta, or the private graph of a withdrawn submission). Only the submission
    service reads these."""
    graph = sparql_variable(variable)
    meta = iri(iris.graph("meta"))
    private = literal(iris.graph("private/submission/"))
    return f"FILTER({graph} = {meta} || STRSTARTS(STR({graph}), {private}))"


def stored_record(
    store: SparqlStore, names: SubmissionIris, graph: str, submission_id: str
) -> list[ox.Triple]:
    """Everything ``graph`` says about a submission, its versions and their reports, with
    the blank nodes hanging off them (the checksums)."""
    live = iri(names.live(submission_id))
    archive = literal(names.archive_prefix(submission_id))
    data = store.construct(
        f"""CONSTRUCT {{ ?s ?p ?o . ?o ?p2 ?o2 }} WHERE {{ GRAPH {iri(graph)} {{
          ?s ?p ?o FILTER(?s = {live} || STRSTARTS(STR(?s), {archive}))
          OPTIONAL {{ ?o ?p2 ?o2 FILTER isBlank(?o) }} }} }}""",
        dataset=WHOLE_STORE,
    )
    return from_ntriples(data)


def without_record_of(triples: list[ox.Triple], live: str) -> list[ox.Triple]:
    """``triples`` less the mutable record of ``live`` (and its blank nodes), which the
    caller restates."""
    subject = ox.NamedNode(live)
    own_blanks = {
        t.object for t in triples if t.subject == subject and isinstance(t.object, ox.BlankNode)
    }
    return [t for t in triples if t.subject != subject and t.subject not in own_blanks]
