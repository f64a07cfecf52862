"""Finding resources by name: a SQLite FTS5 index beside the store.

FTS5 (in the standard library's sqlite3) does the text work: its ``unicode61`` tokenizer
with ``remove_diacritics 2`` folds case and accents, so "Baden-Wurttemberg" and
"mecklenburg" find "Baden-Württemberg" and "Mecklenburg-Vorpommern". Every query term is
a prefix query; FTS5 finds the candidates and orders them by BM25, and we rank them by how
the whole query meets a name: **exact** (a label or alternative label equals the query),
**prefix** (a name starts with it), **word** (every term starts a word of a name), then
**description** (only a description mentions it).

Only the public graphs are indexed (never ``graph/archive/``, ``graph/private/`` nor
``graph/meta``), so superseded, withdrawn and private data is not found; resources that
partner submissions describe are marked. The index is rebuilt whole into a new file that
replaces the old one atomically, whenever the dataset version it was built from is not
the current one; readers keep the file they opened; the statements are staged in a
temporary table and gathered per resource in IRI order, so building the index of millions
of resources holds one in memory at a time. The statements it is built from are
read by a query worker (:func:`index_queries`, asked by :mod:`iqkg.server.worker_reads`
with the query deadline), since they are every public graph's names.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from iqkg.rdf import sparql_terms
from iqkg.rdf.iris import DCTERMS, GRAPH_INFERRED, GRAPH_META, RDF, RDFS, SKOS, IriScheme
from iqkg.store.dataset import version_query

NAME_PREDICATES = (SKOS + "prefLabel", RDFS + "label", DCTERMS + "title")
ALT_PREDICATES = (SKOS + "altLabel",)
DESCRIPTION_PREDICATES = (DCTERMS + "description", SKOS + "definition", RDFS + "comment")
#: How a hit met the query, best first (the ``match`` of a :class:`Hit`).
MATCHES = ("exact", "prefix", "word", "description")
#: Most candidates FTS5 hands over for ranking; far above what a person reads.
CANDIDATES = 2000

_SCHEMA = """
CREATE VIRTUAL TABLE entry USING fts5(
    iri UNINDEXED, names, alts, descriptions,
    display UNINDEXED, types UNINDEXED, partner UNINDEXED, folded UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TABLE built (version TEXT NOT NULL);
"""


def fold(text: str) -> str:
    """Case- and accent-free words separated by single spaces ("Baden-Württemberg" →
    "baden wurttemberg"), the way the index compares names."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in plain).split())


@dataclass
class _Document:
    names: list[tuple[str, str]] = field(default_factory=list)  # (text, language)
    alts: list[str] = field(default_factory=list)
    descriptions: list[tuple[str, str]] = field(default_factory=list)
    types: set[str] = field(default_factory=set)
    partner: bool = False


@dataclass(frozen=True)
class Hit:
    iri: str
    names: dict[str, str]  # language → label ("" for untagged)
    descriptions: dict[str, str]
    types: list[str]
    partner: bool
    match: str


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    total: int
    facets: list[tuple[str, int]]  # type IRI, number of hits (all types, before filtering)


class SearchIndex:
    """The search index of one dataset, in the SQLite file ``path``."""

    def __init__(self, path: Path, iris: IriScheme) -> None:
        self.path = path
        self.iris = iris
        self._lock = threading.Lock()

    # --- building ------------------------------------------------------------------

    def built_version(self) -> str | None:
        if not self.path.exists():
            return None
        try:
            with closing(sqlite3.connect(self.path)) as db:
                row = db.execute("SELECT version FROM built").fetchone()
        except sqlite3.Error:
            return None
        return str(row[0]) if row else None

    def build(self, statements: Iterable[Statement], version: str) -> None:
        """Replace the index by one of ``statements`` (the answer of :func:`index_queries`
        on the state named ``version``); blocking: call it off the event loop. Builds
        of the same index are serialised; readers keep the file they opened."""
        with self._lock:
            if self.built_version() != version:
                self._build(statements, version)

    def _build(self, statements: Iterable[Statement], version: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        building = self.path.with_name(f".{self.path.name}.{os.getpid()}.building")
        building.unlink(missing_ok=True)
        with closing(sqlite3.connect(building)) as db:
            db.executescript(_SCHEMA)
            _stage(db, statements, self.iris)
            db.executemany("INSERT INTO entry VALUES (?, ?, ?, ?, ?, ?, ?, ?)", _rows(db))
            db.execute("DROP TABLE fact")
            db.execute("INSERT INTO built VALUES (?)", (version,))
            db.commit()
        os.replace(building, self.path)

    # --- searching -----------------------------------------------------------------

    def search(self, query: str, *, type_iri: str | None = None, limit: int = 50) -> SearchResult:
        terms = fold(query).split()
        if not terms or not self.path.exists():
            return SearchResult([], 0, [])
        # Each term quoted (no FTS5 syntax from the user) and as a prefix: "wurtt"* .
        expression = " ".join('"' + term.replace('"', "") + '"*' for term in terms)
        with closing(sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)) as db:
            rows = db.execute(
                "SELECT iri, display, types, partner, folded, bm25(entry, 0, 10, 5, 1) "
                "FROM entry WHERE entry MATCH ? ORDER BY bm25(entry, 0, 10, 5, 1) LIMIT ?",
                (expression, CANDIDATES),
            ).fetchall()
        ranked = []
        for position, (iri, display, types, partner, folded, _score) in enumerate(rows):
            match = _match(" ".join(terms), folded.split("\n"))
            shown = json.loads(display)
            hit = Hit(
                iri=iri,
                names=shown["names"],
                descriptions=shown["descriptions"],
                types=types.split(),
                partner=bool(partner),
                match=match,
            )
            ranked.append((MATCHES.index(match), position, hit))
        # Within a kind of match, the programme's own resources before the documents that
        # describe them ("Anerkennung" looks for the action field, not a web page's title),
        # and curated resources before what partners submitted with a like name.
        ranked.sort(key=lambda item: (item[0], _is_document(item[2]), item[2].partner, item[1]))
        facets = Counter(t for _, _, hit in ranked for t in hit.types)
        chosen = [hit for _, _, hit in ranked if type_iri is None or type_iri in hit.types]
        return SearchResult(chosen[:limit], len(chosen), facets.most_common())


def _is_document(hit: Hit) -> bool:
    """A source document (``{base}def#SourceDocument``: cited pages, the programme text)."""
    return any(t.endswith("def#SourceDocument") for t in hit.types)


def _match(query: str, names: list[str]) -> str:
    if query in names:
        return "exact"
    if any(name.startswith(query) for name in names):
        return "prefix"
    terms = query.split()
    for name in names:
        words = name.split()
        if all(any(word.startswith(term) for word in words) for term in terms):
            return "word"
    return "description"


@dataclass(frozen=True)
class Statement:
    """One statement the index is made of: in ``graph``, ``subject`` has ``predicate``
    with the value ``value`` (an IRI when ``is_iri``, else a literal in ``language``)."""

    graph: str
    subject: str
    predicate: str
    value: str
    is_iri: bool
    language: str


def index_queries(iris: IriScheme) -> dict[str, str]:
    """The SPARQL the index is made of, by name: every statement of a public graph (not
    ``graph/meta``, not ``graph/inferred``) naming, describing or typing an IRI, and the
    dataset version they describe.

    They read every public graph, so the server has a query worker answer them together
    on one checkpoint, with the query deadline (:mod:`iqkg.server.worker_reads`).
    """
    wanted = (*NAME_PREDICATES, *ALT_PREDICATES, *DESCRIPTION_PREDICATES, RDF + "type")
    skipped = ", ".join(sparql_terms.iri(iris.graph(g)) for g in (GRAPH_META, GRAPH_INFERRED))
    return {
        "statements": "SELECT ?g ?s ?p ?o WHERE { "
        + sparql_terms.values(["p"], [[sparql_terms.iri(p)] for p in wanted])
        + f" GRAPH ?g {{ ?s ?p ?o }} FILTER(isIRI(?s) && ?g NOT IN ({skipped})) }}",
        "version": version_query(iris),
    }


def statements_from_bindings(
    bindings: Iterable[Mapping[str, Mapping[str, str]]],
) -> Iterator[Statement]:
    """The statements of :func:`index_queries` from its SPARQL 1.1 JSON results' bindings
    (SPARQL 1.1 Query Results JSON Format §3.2.2: ``type``, ``value``, ``xml:lang``),
    one at a time as the index build reads them (no list of them all)."""
    for row in bindings:
        value = row["o"]
        yield Statement(
            row["g"]["value"],
            row["s"]["value"],
            row["p"]["value"],
            value["value"],
            value["type"] == "uri",
            value.get("xml:lang", "") if value["type"] == "literal" else "",
        )


#: Kinds of staged facts (``fact.kind``).
_TYPE, _NAME, _ALT, _DESCRIPTION = range(4)

_FACT_TABLE = """
PRAGMA temp_store = FILE;
CREATE TEMP TABLE fact (iri TEXT NOT NULL, kind INTEGER NOT NULL, value TEXT NOT NULL,
                        language TEXT NOT NULL, partner INTEGER NOT NULL);
"""


def _stage(db: sqlite3.Connection, statements: Iterable[Statement], iris: IriScheme) -> None:
    """The statements, one row each, into a temporary table: SQLite sorts it by resource
    on disk, so building the index of millions of resources holds one resource in memory
    at a time, not all of them."""
    db.executescript(_FACT_TABLE)
    db.executemany("INSERT INTO fact VALUES (?, ?, ?, ?, ?)", _facts(statements, iris))


def _facts(
    statements: Iterable[Statement], iris: IriScheme
) -> Iterator[tuple[str, int, str, str, int]]:
    partner_prefix = iris.submission_graph("")
    for statement in statements:
        partner = int(statement.graph.startswith(partner_prefix))
        if statement.predicate == RDF + "type":
            if statement.is_iri:  # a type is an IRI
                yield statement.subject, _TYPE, statement.value, "", partner
        elif not statement.is_iri:  # names and descriptions are literals
            yield (
                statement.subject,
                _kind(statement.predicate),
                statement.value,
                statement.language,
                partner,
            )


def _kind(predicate: str) -> int:
    if predicate in NAME_PREDICATES:
        return _NAME
    return _ALT if predicate in ALT_PREDICATES else _DESCRIPTION


def _documents(db: sqlite3.Connection) -> Iterator[tuple[str, _Document]]:
    """The staged facts gathered per resource, in IRI order (statement order within);
    only resources with a name."""
    facts = db.execute("SELECT iri, kind, value, language, partner FROM fact ORDER BY iri, rowid")
    for iri, rows in groupby(facts, key=itemgetter(0)):
        document = _Document()
        for _, kind, value, language, partner in rows:
            document.partner |= bool(partner)
            if kind == _TYPE:
                document.types.add(value)
            elif kind == _NAME:
                document.names.append((value, language))
            elif kind == _ALT:
                document.alts.append(value)
            else:
                document.descriptions.append((value, language))
        if document.names or document.alts:
            yield iri, document


def _rows(db: sqlite3.Connection) -> Iterator[tuple[str, ...]]:
    for iri, document in _documents(db):
        names = {lang: text for text, lang in sorted(document.names)}
        descriptions = {lang: text for text, lang in sorted(document.descriptions)}
        folded = sorted({fold(text) for text, _ in document.names} | set(map(fold, document.alts)))
        yield (
            iri,
            "\n".join(text for text, _ in document.names),
            "\n".join(document.alts),
            "\n".join(text for text, _ in document.descriptions),
            json.dumps({"names": names, "descriptions": descriptions}, ensure_ascii=False),
            " ".join(sorted(document.types)),
            "1" if document.partner else "",
            "\n".join(folded),
        )
