"""The history panels of a resource page: each statement with the sources that state it,
the programme's timeline, a network's coordinators over time, conflicting claims side by
side, and — on a source's page — the statements that cite it.

Everything is read from the statement-level provenance of the curated data: one
``owl:Axiom`` per (fact, source) with ``dcterms:source`` and ``iq:locator`` (and
``iq:quotation`` where the source is the programme text). Only the public graphs are
read (``Dataset.query``); ``SELECT DISTINCT`` keeps a triple that sits in two graphs of
the union from being shown twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode, QuerySolutions

from iqkg.publish.language import Text, pick
from iqkg.rdf.iris import DCTERMS, OWL
from iqkg.store.dataset import Dataset

ORG = "http://www.w3.org/ns/org#"
TIME = "http://www.w3.org/2006/time#"
SCHEMA_URL = "https://schema.org/url"


@dataclass
class Citation:
    """One source annotation: the source (title, its page, its URL), where in it, and the
    quoted sentence where the source is the programme text."""

    source: str
    title: Text
    href: str | None
    url: str | None
    locator: Text | None
    quotation: Text | None


@dataclass
class Statement:
    subject: Text
    subject_href: str | None
    predicate: Text
    predicate_href: str | None
    value: Text
    value_href: str | None
    citations: list[Citation] = field(default_factory=list)


@dataclass
class TimelineEntry:
    #: The date or year as written in the data ("2005", "2011-12-06"); "" when undated.
    when: str
    what: Text
    what_href: str | None
    event: Text
    citations: list[Citation]


@dataclass
class CoordinationEntry:
    member: Text
    member_href: str | None
    #: Years the source gives: beginning, end, a year inside the period.
    begins: str | None
    ends: str | None
    attested: str | None
    citations: list[Citation]


@dataclass
class Conflict:
    """A property meant to have one value (``iq:expectsOneValue``) with several, each
    with the sources that state it."""

    predicate: Text
    claims: list[Statement]


@dataclass
class HistoryPanels:
    statements: list[Statement] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    coordinators: list[CoordinationEntry] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    #: On a source's page: every statement it supports.
    cited: list[Statement] = field(default_factory=list)


class HistoryBuilder:
    """Builds :class:`HistoryPanels` for one resource in one language.

    ``label``/``href`` are the page builder's own label and link rules, so the panels
    name and link resources exactly as the rest of the page does."""

    def __init__(
        self,
        dataset: Dataset,
        lang: str,
        label: Callable[[str], Text],
        href: Callable[[str], str | None],
        vocab: str,
    ) -> None:
        self.dataset = dataset
        self.lang = lang
        self.label = label
        self.href = href
        self.iq = vocab
        #: Title and URL of each source, read once per page (a source is cited many times).
        self._sources: dict[str, tuple[Text, str | None]] = {}

    # --- reading -------------------------------------------------------------------

    def _rows(self, query: str) -> list[dict[str, object]]:
        prefixes = (
            f"PREFIX owl: <{OWL}> PREFIX dcterms: <{DCTERMS}> PREFIX iq: <{self.iq}> "
            f"PREFIX org: <{ORG}> PREFIX time: <{TIME}>\n"
        )
        result = self.dataset.query(prefixes + query)
        assert isinstance(result, QuerySolutions)
        names = [v.value for v in result.variables]
        return [{n: row[n] for n in names if row[n] is not None} for row in result]

    def _text(self, term: object) -> tuple[Text, str | None]:
        if isinstance(term, NamedNode):
            return self.label(term.value), self.href(term.value)
        if isinstance(term, Literal):
            return Text(term.value, term.language or ""), None
        return Text("…"), None

    def _citations(self, rows: list[dict[str, object]]) -> list[Citation]:
        """Citations from rows with ?src and optional ?loc/?quote, one per source."""
        by_source: dict[str, dict[str, dict[str, str]]] = {}
        for row in rows:
            src = row.get("src")
            if not isinstance(src, NamedNode):
                continue
            entry = by_source.setdefault(src.value, {"loc": {}, "quote": {}})
            for key in ("loc", "quote"):
                value = row.get(key)
                if isinstance(value, Literal):
                    entry[key][value.language or ""] = value.value
        citations = []
        for source, found in sorted(by_source.items()):
            if source not in self._sources:
                self._sources[source] = (self._title(source), self._url(source))
            title, url = self._sources[source]
            citations.append(
                Citation(
                    source,
                    title,
                    self.href(source),
                    url,
                    self._pick(found["loc"]),
                    self._pick(found["quote"]),
                )
            )
        return citations

    def _pick(self, texts: dict[str, str]) -> Text | None:
        return pick({lang: {value} for lang, value in texts.items()}, self.lang)

    def _title(self, source: str) -> Text:
        rows = self._rows(f"SELECT DISTINCT ?t WHERE {{ <{source}> dcterms:title ?t }}")
        titles: dict[str, str] = {}
        for row in rows:
            title = row["t"]
            if isinstance(title, Literal):
                titles[title.language or ""] = title.value
        return self._pick(titles) or self.label(source)

    def _url(self, source: str) -> str | None:
        rows = self._rows(f"SELECT DISTINCT ?u WHERE {{ <{source}> <{SCHEMA_URL}> ?u }}")
        return str(getattr(rows[0]["u"], "value", "")) or None if rows else None

    def citations_of(self, s: str, p: str, o: object) -> list[Citation]:
        target = _sparql_term(o)
        rows = self._rows(
            "SELECT DISTINCT ?src ?loc ?quote WHERE { ?a a owl:Axiom ; "
            f"owl:annotatedSource <{s}> ; owl:annotatedProperty <{p}> ; "
            f"owl:annotatedTarget {target} ; dcterms:source ?src . "
            "OPTIONAL { ?a iq:locator ?loc } OPTIONAL { ?a iq:quotation ?quote } }"
        )
        return self._citations(rows)

    # --- panels --------------------------------------------------------------------

    def statements(self, iri: str) -> list[Statement]:
        """The resource's own facts that carry a source annotation, each with them."""
        rows = self._rows(
            "SELECT DISTINCT ?p ?o ?src ?loc ?quote WHERE { ?a a owl:Axiom ; "
            f"owl:annotatedSource <{iri}> ; owl:annotatedProperty ?p ; "
            "owl:annotatedTarget ?o ; dcterms:source ?src . "
            "OPTIONAL { ?a iq:locator ?loc } OPTIONAL { ?a iq:quotation ?quote } }"
        )
        return self._group(rows, subject=NamedNode(iri))

    def cited_by(self, source: str) -> list[Statement]:
        rows = self._rows(
            "SELECT DISTINCT ?s ?p ?o ?src ?loc ?quote WHERE { ?a a owl:Axiom ; "
            f"dcterms:source <{source}> ; owl:annotatedSource ?s ; owl:annotatedProperty ?p ; "
            f"owl:annotatedTarget ?o ; dcterms:source ?src . FILTER(?src = <{source}>) "
            "OPTIONAL { ?a iq:locator ?loc } OPTIONAL { ?a iq:quotation ?quote } }"
        )
        return self._group(rows)

    def _group(self, rows: list[dict[str, object]], subject: object = None) -> list[Statement]:
        groups: dict[tuple[object, object, object], list[dict[str, object]]] = {}
        for row in rows:
            key = (row.get("s", subject), row["p"], row["o"])
            groups.setdefault(key, []).append(row)
        statements = []
        for (s, p, o), group in groups.items():
            subject_text, subject_href = self._text(s)
            predicate_text, predicate_href = self._text(p)
            value_text, value_href = self._text(o)
            statements.append(
                Statement(
                    subject_text,
                    subject_href,
                    predicate_text,
                    predicate_href,
                    value_text,
                    value_href,
                    self._citations(group),
                )
            )
        return sorted(
            statements,
            key=lambda st: (st.subject.value.lower(), st.predicate.value.lower(), st.value.value),
        )

    def timeline(self, programme: str) -> list[TimelineEntry]:
        """Phases, the law the programme accompanies, its evaluation and the political
        frameworks its phases are embedded in, ordered by date; undated entries last."""
        dated = self._rows(
            "SELECT DISTINCT ?s ?p ?date WHERE { "
            f"{{ <{programme}> iq:hasPhase ?s }} UNION {{ <{programme}> iq:accompanies ?s }} "
            f"UNION {{ <{programme}> iq:hasPhase ?phase . ?s iq:evaluates ?phase }} "
            "?s ?p ?date . VALUES ?p { iq:startYear iq:endYear iq:enactedOn iq:inForceFrom } }"
        )
        entries = []
        for row in dated:
            s, p, date = row["s"], row["p"], row["date"]
            assert isinstance(s, NamedNode) and isinstance(p, NamedNode)
            what, what_href = self._text(s)
            entries.append(
                TimelineEntry(
                    str(getattr(date, "value", "")),
                    what,
                    what_href,
                    self.label(p.value),
                    self.citations_of(s.value, p.value, date),
                )
            )
        # The political frameworks the phases sit in, each entry one sourced embedding
        # (the closure's transitive shortcuts carry no source and are not shown).
        frameworks = self._rows(
            "SELECT DISTINCT ?inner ?fw WHERE { "
            f"{{ <{programme}> iq:hasPhase ?phase }} UNION {{ BIND(<{programme}> AS ?phase) }} "
            "?phase iq:embeddedIn ?fw . ?a a owl:Axiom ; owl:annotatedSource ?inner ; "
            "owl:annotatedProperty iq:embeddedIn ; owl:annotatedTarget ?fw . }"
        )
        embedded = self.iq + "embeddedIn"
        for row in frameworks:
            inner, fw = row["inner"], row["fw"]
            assert isinstance(inner, NamedNode) and isinstance(fw, NamedNode)
            what, what_href = self._text(fw)
            event = f"{self.label(inner.value).value} · {self.label(embedded).value} · {what.value}"
            entries.append(
                TimelineEntry(
                    "",
                    what,
                    what_href,
                    Text(event, self.lang),
                    self.citations_of(inner.value, embedded, fw),
                )
            )
        return sorted(entries, key=lambda e: (e.when == "", e.when, e.what.value))

    def coordinators(self, network: str) -> list[CoordinationEntry]:
        rows = self._rows(
            "SELECT DISTINCT ?c ?member ?interval ?rel ?year WHERE { "
            f"?c org:organization <{network}> ; org:member ?member ; org:memberDuring ?interval . "
            "OPTIONAL { ?interval ?rel ?instant . ?instant time:inXSDgYear ?year . "
            "VALUES ?rel { time:hasBeginning time:hasEnd time:inside } } }"
        )
        by_coordination: dict[str, CoordinationEntry] = {}
        for row in rows:
            c, member = row["c"], row["member"]
            assert isinstance(c, NamedNode) and isinstance(member, NamedNode)
            entry = by_coordination.get(c.value)
            if entry is None:
                text, href = self._text(member)
                entry = CoordinationEntry(
                    text, href, None, None, None, self._coordination_citations(c.value)
                )
                by_coordination[c.value] = entry
            rel, year = row.get("rel"), row.get("year")
            if isinstance(rel, NamedNode) and isinstance(year, Literal):
                name = rel.value[len(TIME) :]
                if name == "hasBeginning":
                    entry.begins = year.value
                elif name == "hasEnd":
                    entry.ends = year.value
                else:
                    entry.attested = year.value
        return sorted(
            by_coordination.values(),
            key=lambda e: (e.begins or e.attested or e.ends or "9999", e.member.value),
        )

    def _coordination_citations(self, coordination: str) -> list[Citation]:
        rows = self._rows(
            "SELECT DISTINCT ?src ?loc ?quote WHERE { ?a a owl:Axiom ; dcterms:source ?src . "
            f"{{ ?a owl:annotatedSource <{coordination}> }} UNION "
            f"{{ <{coordination}> org:memberDuring ?i . ?a owl:annotatedSource ?i }} "
            "OPTIONAL { ?a iq:locator ?loc } OPTIONAL { ?a iq:quotation ?quote } }"
        )
        return self._citations(rows)

    def conflicts(self, iri: str, statements: list[Statement]) -> list[Conflict]:
        single = {
            str(getattr(row["p"], "value", ""))
            for row in self._rows("SELECT DISTINCT ?p WHERE { ?p iq:expectsOneValue true }")
        }
        rows = self._rows(f"SELECT DISTINCT ?p ?o WHERE {{ <{iri}> ?p ?o }}")
        by_predicate: dict[str, list[object]] = {}
        for row in rows:
            p = row["p"]
            if isinstance(p, NamedNode) and p.value in single:
                by_predicate.setdefault(p.value, []).append(row["o"])
        conflicts = []
        for predicate, values in sorted(by_predicate.items()):
            if len(values) < 2:
                continue
            label = self.label(predicate)
            claims = [
                Statement(
                    self.label(iri),
                    self.href(iri),
                    label,
                    self.href(predicate),
                    *self._text(value),
                    self.citations_of(iri, predicate, value),
                )
                for value in values
            ]
            claims.sort(key=lambda st: st.value.value)
            conflicts.append(Conflict(label, claims))
        return conflicts

    def panels(self, iri: str, types: list[str], kind: str) -> HistoryPanels:
        statements = self.statements(iri)
        panels = HistoryPanels(statements=statements, conflicts=self.conflicts(iri, statements))
        if self.iq + "FundingProgramme" in types:
            panels.timeline = self.timeline(iri)
        if self.iq + "RegionalNetwork" in types or kind == "network":
            panels.coordinators = self.coordinators(iri)
        if self.iq + "SourceDocument" in types:
            panels.cited = self.cited_by(iri)
        return panels


def _sparql_term(term: object) -> str:
    """``term`` as SPARQL syntax (pyoxigraph's ``str()`` is N-Triples, valid SPARQL)."""
    return str(term)
