"""cli/reading.py: ``query`` and ``export``. The table rendering and the export's choice
of graphs in-process; the command itself as a real subprocess."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyoxigraph as ox
import pytest

from iqkg.cli import main
from iqkg.cli.reading import render_table
from iqkg.rdf.iris import IriScheme
from iqkg.store.dataset import Dataset
from tests.support.server import iqkg

DATA = Path(__file__).parents[1] / "data"
MINI = DATA / "knowledge-mini"
EX = "https://example.org/"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"IQKG_STORE": str(tmp_path / "store"), "IQKG_KNOWLEDGE_DIR": str(MINI)}


def _solutions(query: str) -> ox.QuerySolutions | ox.QueryBoolean:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "name"), ox.Literal("Alpha")))
    store.add(ox.Quad(ox.NamedNode(EX + "b"), ox.NamedNode(EX + "name"), ox.Literal("B")))
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions | ox.QueryBoolean)
    return result


def test_table_columns_are_as_wide_as_their_widest_cell() -> None:
    table = render_table(_solutions(f"SELECT ?name ?s WHERE {{ ?s <{EX}name> ?name }} ORDER BY ?s"))
    lines = table.splitlines()
    assert lines[0].split(" | ")[0].rstrip() == "name"
    assert len(lines[0].split(" | ")[0]) == len("Alpha")
    assert lines[1] == "-" * len("Alpha") + "-+-" + "-" * len(EX + "a")
    assert lines[2:4] == [f"Alpha | {EX}a", f"B     | {EX}b"]
    assert lines[-1] == "(2 rows)"


@pytest.mark.parametrize(("query", "last"), [
    (f"SELECT ?s WHERE {{ ?s <{EX}name> \"B\" }}", "(1 row)"),
    (f"SELECT ?s WHERE {{ ?s <{EX}name> \"C\" }}", "(0 rows)"),
    ("ASK { ?s ?p ?o }", "true"),
    (f"ASK {{ ?s <{EX}other> ?o }}", "false"),
])  # fmt: skip
def test_table_counts_rows_and_answers_asks(query: str, last: str) -> None:
    assert render_table(_solutions(query)).splitlines()[-1] == last


def _store_with_hidden_graph(path: Path) -> None:
    iris = IriScheme()
    dataset = Dataset.open(path, iris)
    name = ox.NamedNode(EX + "name")
    dataset.add_quads(
        [
            ox.Quad(
                ox.NamedNode(EX + "a"),
                name,
                ox.Literal("public"),
                ox.NamedNode(iris.graph("curated")),
            ),
            ox.Quad(
                ox.NamedNode(EX + "a"),
                name,
                ox.Literal("secret"),
                ox.NamedNode(iris.graph("private/p")),
            ),
        ]
    )
    dataset.close()


@pytest.mark.parametrize(
    ("flags", "secret_kept"),
    [
        (["--format", "nq"], True),
        (["--format", "nq", "--public"], False),
        (["--format", "turtle"], False),
    ],
)
def test_export_leaves_hidden_graphs_out_when_asked(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
    flags: list[str],
    secret_kept: bool,
) -> None:
    for name in list(os.environ):
        if name.startswith("IQKG_"):
            monkeypatch.delenv(name)
    store = tmp_path / "store"
    _store_with_hidden_graph(store)
    assert main(["--store", str(store), "export", *flags]) == 0
    out, err = capsysbinary.readouterr()
    syntax = ox.RdfFormat.TURTLE if "turtle" in flags else ox.RdfFormat.N_QUADS
    values = {q.object.value for q in ox.parse(out, format=syntax)}
    assert values == ({"public", "secret"} if secret_kept else {"public"})
    assert (b"left out 1 archived/private graph" in err) is not secret_kept


def test_query_by_name_as_table_and_formats(env: dict[str, str]) -> None:
    iqkg("load", env=env)
    table = iqkg("query", "--name", "01", env=env).stdout
    assert "Example network" in table and "(1 row)" in table
    as_json = json.loads(iqkg("query", "--name", "01-networks", "--format", "json", env=env).stdout)
    assert as_json["results"]["bindings"][0]["label"]["value"] == "Example network"
    csv_out = iqkg(
        "query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv", env=env
    )
    assert csv_out.stdout.splitlines()[0] == "n"
    turtle = iqkg("query", "CONSTRUCT WHERE { ?s a ?t }", "--format", "turtle", env=env).stdout
    assert "network/example" in turtle


def test_query_errors_are_messages_not_tracebacks(env: dict[str, str]) -> None:
    iqkg("load", env=env)
    bad = iqkg("query", "SELECT * WHERE { ?s ?p }", env=env, check=False)
    assert bad.returncode == 2
    assert "does not parse" in bad.stderr and "Traceback" not in bad.stderr
    unknown = iqkg("query", "--name", "99-nothing", env=env, check=False)
    assert unknown.returncode == 2 and "01-networks" in unknown.stderr
