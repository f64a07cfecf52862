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
partner submissions describe are marked. The index is rebuilt whole — milliseconds for
the curated data; at 10 million triples the statements are staged in a temporary table
and gathered per resource in IRI order, so memory stays bounded — into a new file that
replaces the old one atomically, whenever the dataset version it was built from is not
the current one; readers keep the file they opened.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from pyoxigraph import Literal, NamedNode

from iqkg.rdf.iris import DCTERMS, GRAPH_INFERRED, GRAPH_META, RDF, RDFS, SKOS
from iqkg.store.dataset import Dataset

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

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    # --- building ------------------------------------------------------------------

    def ensure(self, dataset: Dataset) -> None:
        """Rebuild if the index is not of the dataset's current version (blocking: call
        it off the event loop)."""
        version = dataset.version
        if self.built_version() == version:
            return
        with self._lock:
            if self.built_version() != version:
                self._build(dataset, version)

    def built_version(self) -> str | None:
        if not self.path.exists():
            return None
        try:
            with closing(sqlite3.connect(self.path)) as db:
                row = db.execute("SELECT version FROM built").fetchone()
        except sqlite3.Error:
            return None
        return str(row[0]) if row else None

    def _build(self, dataset: Dataset, version: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        building = self.path.with_name(f".{self.path.name}.{os.getpid()}.building")
        building.unlink(missing_ok=True)
        with closing(sqlite3.connect(building)) as db:
            db.executescript(_SCHEMA)
            _stage_facts(db, dataset)
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


#: Kinds of staged facts (``fact.kind``), in the order :func:`_document` reads them.
_TYPE, _NAME, _ALT, _DESCRIPTION = range(4)

_FACT_TABLE = """
PRAGMA temp_store = FILE;
CREATE TEMP TABLE fact (iri TEXT NOT NULL, kind INTEGER NOT NULL, value TEXT NOT NULL,
                        language TEXT NOT NULL, partner INTEGER NOT NULL);
"""


def _stage_facts(db: sqlite3.Connection, dataset: Dataset) -> None:
    """What the public graphs say about each named resource, one row per statement, into
    a temporary table: SQLite sorts it by resource on disk, so building the index of
    millions of resources holds one resource in memory at a time, not all of them."""
    db.executescript(_FACT_TABLE)
    db.executemany("INSERT INTO fact VALUES (?, ?, ?, ?, ?)", _facts(dataset))


def _facts(dataset: Dataset) -> Iterator[tuple[str, int, str, str, int]]:
    iris = dataset.iris
    skipped = {iris.graph(GRAPH_META), iris.graph(GRAPH_INFERRED)}
    partner_prefix = iris.submission_graph("")
    wanted = (*NAME_PREDICATES, *ALT_PREDICATES, *DESCRIPTION_PREDICATES, RDF + "type")
    for graph in dataset.public_graphs():
        if graph.value in skipped:
            continue
        partner = int(graph.value.startswith(partner_prefix))
        for predicate in wanted:
            kind = _kind(predicate)
            for quad in dataset.store.quads_for_pattern(None, NamedNode(predicate), None, graph):
                value = quad.object
                if not isinstance(quad.subject, NamedNode):
                    continue
                if kind == _TYPE and isinstance(value, NamedNode):
                    yield quad.subject.value, kind, value.value, "", partner
                elif kind != _TYPE and isinstance(value, Literal):
                    yield quad.subject.value, kind, value.value, value.language or "", partner


def _kind(predicate: str) -> int:
    if predicate == RDF + "type":
        return _TYPE
    if predicate in NAME_PREDICATES:
        return _NAME
    return _ALT if predicate in ALT_PREDICATES else _DESCRIPTION


def _documents(db: sqlite3.Connection) -> Iterator[tuple[str, _Document]]:
    """The staged facts gathered per resource, in IRI order (statement order within)."""
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
