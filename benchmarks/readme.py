"""Copy the latest benchmark tables into benchmarks/README.md (between the benchmark markers).

    python -m benchmarks.readme [benchmarks/results/latest.md]

Only the text between ``<!-- benchmarks:results:begin -->`` and
``<!-- benchmarks:results:end -->`` changes; the prose around it is written by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
BEGIN, END = "<!-- benchmarks:results:begin -->", "<!-- benchmarks:results:end -->"


def splice(readme: str, results: str) -> str:
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    body = results.split("\n", 1)[1].strip()  # drop the report's own "## …" heading
    body = body.replace("\n### ", "\n#### ")
    return f"{readme[:start]}\n{body}\n{readme[end:]}"


def main(argv: list[str]) -> int:
    results = Path(argv[0]) if argv else ROOT / "benchmarks" / "results" / "latest.md"
    readme = ROOT / "benchmarks" / "README.md"
    readme.write_text(splice(readme.read_text(encoding="utf-8"), results.read_text("utf-8")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
