"""The query mix: ``benchmarks/queries/*.rq``, each with a ``# title:`` header."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

QUERY_DIR = Path(__file__).parent / "queries"
#: The query used for the throughput test (cheap: one subject, one predicate).
CHEAP_QUERY = "12-cheap-label-lookup"

_FORM = re.compile(r"^\s*(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class BenchQuery:
    name: str
    title: str
    text: str

    @property
    def form(self) -> str:
        """``SELECT``, ``CONSTRUCT``, ``ASK`` or ``DESCRIBE`` (first keyword after prologue)."""
        match = _FORM.search(self.text)
        if match is None:
            raise ValueError(f"{self.name}: no query form found")
        return match.group(1).upper()

    @property
    def is_graph(self) -> bool:
        return self.form in {"CONSTRUCT", "DESCRIBE"}


def load_mix(directory: Path = QUERY_DIR, only: list[str] | None = None) -> list[BenchQuery]:
    """The queries in file-name order, optionally only those whose name starts with one of
    ``only`` (e.g. ``["01", "12"]``)."""
    queries = []
    for path in sorted(directory.glob("*.rq")):
        if only and not any(path.stem.startswith(prefix) for prefix in only):
            continue
        text = path.read_text(encoding="utf-8")
        title = next(
            (
                line.split(":", 1)[1].strip()
                for line in text.splitlines()
                if line.startswith("# title:")
            ),
            path.stem,
        )
        queries.append(BenchQuery(path.stem, title, text))
    return queries
