"""The researchers' query catalogue: ``queries/NN-name.rq`` with a header and an answer.

Header lines at the top of each file, ``# key: value``; ``title``, ``title@de``,
``description`` and ``description@de`` are required, ``requires: inferred`` marks a
question only the OWL RL closure answers. The expected answer lies beside the query as
``NN-name.csv`` in the SPARQL 1.1 Query Results CSV format, compared as a multiset of
rows, or in order when the query has ORDER BY.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from iqkg.errors import InputError, NotFound

_HEADER = re.compile(r"^#\s*([A-Za-z@-]+)\s*:\s*(.*)$")
_REQUIRED = ("title", "title@de", "description", "description@de")
_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)


@dataclass(frozen=True)
class CatalogueQuery:
    """One research question of the catalogue."""

    name: str
    path: Path
    sparql: str
    header: dict[str, str] = field(default_factory=dict)

    def title(self, lang: str = "en") -> str:
        return self.header.get(f"title@{lang}") or self.header["title"]

    def description(self, lang: str = "en") -> str:
        return self.header.get(f"description@{lang}") or self.header["description"]

    @property
    def requires_inference(self) -> bool:
        return self.header.get("requires", "").strip() == "inferred"

    @property
    def ordered(self) -> bool:
        return bool(_ORDER_BY.search(self.sparql))

    @property
    def expected_path(self) -> Path:
        return self.path.with_suffix(".csv")

    def expected_rows(self) -> list[tuple[str, ...]]:
        """The expected answer: header row first, then one tuple per solution."""
        with self.expected_path.open(newline="", encoding="utf-8") as handle:
            return [tuple(row) for row in csv.reader(handle)]


def parse_header(text: str) -> dict[str, str]:
    """The ``# key: value`` lines at the top of a SPARQL file (keys lower-cased)."""
    header: dict[str, str] = {}
    for line in text.splitlines():
        match = _HEADER.match(line.strip())
        if not match:
            if line.strip() and not line.lstrip().startswith("#"):
                break
            continue
        header[match.group(1).lower()] = match.group(2).strip()
    return header


def read_query(path: Path) -> CatalogueQuery:
    text = path.read_text(encoding="utf-8")
    header = parse_header(text)
    missing = [key for key in _REQUIRED if not header.get(key)]
    if missing:
        raise InputError(f"{path}: catalogue header lacks {', '.join(missing)}")
    return CatalogueQuery(name=path.stem, path=path, sparql=text, header=header)


class Catalogue:
    """All catalogue queries of a ``queries/`` folder, by name."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.queries = [read_query(p) for p in sorted(folder.glob("*.rq"))]
        self._by_name = {q.name: q for q in self.queries}

    def __iter__(self) -> Iterator[CatalogueQuery]:
        return iter(self.queries)

    def __len__(self) -> int:
        return len(self.queries)

    def get(self, name: str) -> CatalogueQuery:
        """Look a query up by file stem (``01-initiators``) or by its number (``01``)."""
        if name in self._by_name:
            return self._by_name[name]
        matches = [
            q for q in self.queries if q.name.split("-", 1)[0] == name or q.name.endswith(name)
        ]
        if len(matches) == 1:
            return matches[0]
        known = ", ".join(self._by_name)
        raise NotFound(f"No catalogue query named {name!r}; known: {known}")


def csv_rows(results_csv: bytes | str) -> list[tuple[str, ...]]:
    """Rows of a SPARQL CSV result (header first), for comparison with an expected answer."""
    text = results_csv.decode("utf-8") if isinstance(results_csv, bytes) else results_csv
    return [tuple(row) for row in csv.reader(io.StringIO(text))]


def answer_matches(query: CatalogueQuery, actual: list[tuple[str, ...]]) -> str | None:
    """None when ``actual`` (CSV rows, header first) is the expected answer; else why not."""
    expected = query.expected_rows()
    if not expected:
        return f"{query.expected_path.name} is empty"
    if actual[:1] != expected[:1]:
        return f"columns differ: expected {expected[0]}, got {actual[:1]}"
    want, got = expected[1:], actual[1:]
    if (want == got) if query.ordered else (Counter(want) == Counter(got)):
        return None
    missing = list((Counter(want) - Counter(got)).elements())
    extra = list((Counter(got) - Counter(want)).elements())
    if not missing and not extra:
        return "rows are right but in the wrong order"
    return f"missing rows {missing[:5]}; unexpected rows {extra[:5]}"
