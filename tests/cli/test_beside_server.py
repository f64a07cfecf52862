"""The iqkg command while ``iqkg serve`` holds the store: reading commands ask the server.

Everything runs for real: a server subprocess on a loopback port over an on-disk store,
and the ``iqkg`` command as further subprocesses beside it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from iqkg.cli import build_parser
from tests.submissions.helpers import add_partner, bearer, fixture
from tests.support.server import ROOT, RunningServer, free_port, iqkg, start_server

BASE = "https://w3id.org/iqkg/"
PREFIXES = ("rdf", "rdfs", "owl", "xsd", "skos", "org", "prov", "dcterms", "iq")


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("beside") / "store")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def env(running: RunningServer) -> dict[str, str]:
    """The environment of a user on the server's machine: same store, same port."""
    return {**running.env, "IQKG_PORT": str(running.port)}


def test_query_by_name_while_the_server_runs(env: dict[str, str]) -> None:
    result = iqkg("query", "--name", "03", env=env)
    assert "https://w3id.org/iqkg/id/network/bayern" in result.stdout
    assert "rows)" in result.stdout
    assert "held by a running server" in result.stderr


def test_query_formats_through_the_server(env: dict[str, str]) -> None:
    csv_out = iqkg("query", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "--format", "csv", env=env)
    assert csv_out.stdout.splitlines()[0] == "n" and int(csv_out.stdout.splitlines()[1]) > 100
    ask = iqkg("query", "ASK { ?s a ?t }", env=env)
    assert ask.stdout.strip() == "true"
    graph = iqkg("query", f"CONSTRUCT WHERE {{ <{BASE}id/network/bayern> ?p ?o }}", env=env)
    parsed = list(ox.parse(graph.stdout.encode(), format=ox.RdfFormat.TURTLE))
    assert parsed and all(t.subject.value == f"{BASE}id/network/bayern" for t in parsed)


def test_endpoint_flag_chooses_the_server(running: RunningServer, tmp_path: Path) -> None:
    """With --endpoint, neither the local store nor the configured port matter."""
    elsewhere = {"IQKG_STORE": str(tmp_path / "never-opened"), "IQKG_PORT": str(free_port())}
    result = iqkg("query", "--name", "03", "--endpoint", running.url, env=elsewhere)
    assert "id/network/bayern" in result.stdout
    assert not (tmp_path / "never-opened").exists()


def test_server_errors_are_messages(env: dict[str, str]) -> None:
    bad = iqkg("query", "SELECT * WHERE { ?s ?p }", env=env, check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "400" in bad.stderr


def test_held_store_and_no_server_says_so(env: dict[str, str]) -> None:
    result = iqkg("query", "--name", "03", env={**env, "IQKG_PORT": str(free_port())}, check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "no iqkg server answers" in result.stderr


def test_export_while_the_server_runs(env: dict[str, str]) -> None:
    result = iqkg("export", "--format", "trig", env=env)
    for prefix in PREFIXES:
        assert f"@prefix {prefix}: <" in result.stdout, prefix
    quads = list(ox.parse(result.stdout.encode(), format=ox.RdfFormat.TRIG))
    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    assert {f"{BASE}graph/curated", f"{BASE}graph/ontology"} <= graphs
    assert f"{BASE}graph/curated" in result.stderr and "graph(s)" in result.stderr


def test_turtle_export_has_prefixes(env: dict[str, str]) -> None:
    result = iqkg("export", "--format", "turtle", env=env)
    for prefix in PREFIXES:
        assert f"@prefix {prefix}: <" in result.stdout, prefix
    assert "one union graph" in result.stderr


@pytest.mark.parametrize("through_server", [True, False])
def test_closed_pipe_ends_quietly(
    env: dict[str, str], tmp_path: Path, through_server: bool
) -> None:
    """``iqkg query … | head``: the reader is gone before iqkg writes anything."""
    if not through_server:
        env = {"IQKG_STORE": str(tmp_path / "store")}
        iqkg("load", "--no-reason", env=env)
    process = subprocess.Popen(
        [sys.executable, "-m", "iqkg", "query", "SELECT * { ?s ?p ?o }", "--format", "csv"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=300) == 0, stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr


def test_submit_takes_the_token_from_environment_or_file(
    running: RunningServer, env: dict[str, str], tmp_path: Path
) -> None:
    token = add_partner(running, "Partner der Kommandozeile", "cli-partner")
    data = tmp_path / "project.ttl"
    data.write_bytes(fixture("project.ttl", "cli-partner"))
    by_env = iqkg("submit", str(data), env={**env, "IQKG_TOKEN": token})
    assert by_env.stdout.startswith("accepted: submission")
    assert running.url in by_env.stdout  # the configured server, without --endpoint

    token_file = tmp_path / "token"
    token_file.write_text(token + "\n")
    second = tmp_path / "second.ttl"
    second.write_bytes(data.read_bytes().replace(b"(example)", b"(example 2)"))
    by_file = iqkg("submit", str(second), "--token-file", str(token_file), env=env)
    assert by_file.stdout.startswith("accepted: submission")

    first_id = by_env.stdout.split()[2]
    again = iqkg("submit", str(data), "--token-file", str(token_file), env=env)
    assert again.stdout.startswith("unchanged: the same content is already submission " + first_id)

    missing = iqkg("submit", str(data), env=env, check=False)
    assert missing.returncode == 2 and "IQKG_TOKEN" in missing.stderr


def test_local_export_public_leaves_out_withdrawn(tmp_path: Path) -> None:
    """Without a server: the full export keeps archived graphs and says so; --public not."""
    own = start_server(tmp_path / "store")
    try:
        token = add_partner(own, "Partner zum Zurückziehen", "withdrawing")
        with httpx.Client(base_url=own.url, timeout=120) as client:
            created = client.post(
                "/submissions",
                content=fixture("project.ttl", "withdrawing"),
                headers={**bearer(token), "Content-Type": "text/turtle"},
            )
            assert created.status_code == 201, created.text
            gone = client.delete(created.headers["location"], headers=bearer(token))
            assert gone.status_code == 200, gone.text
    finally:
        own.stop()
    full = iqkg("export", env=own.env)
    public = iqkg("export", "--public", env=own.env)
    hidden = (f"{BASE}graph/archive/", f"{BASE}graph/private/")

    def graphs(text: str) -> set[str]:
        quads = ox.parse(text.encode(), format=ox.RdfFormat.N_QUADS)
        return {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}

    assert any(g.startswith(hidden) for g in graphs(full.stdout))
    assert "--public leaves them out" in full.stderr
    assert not any(g.startswith(hidden) for g in graphs(public.stdout))
    assert f"{BASE}graph/curated" in graphs(public.stdout)
    assert "left out" in public.stderr


def test_help_explains_every_argument() -> None:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    missing = []
    for name, command in subparsers.choices.items():  # type: ignore[union-attr]
        nested = [a for a in command._actions if a.dest == "action"]
        commands = list(nested[0].choices.items()) if nested else [(name, command)]
        for full, sub in commands:
            for action in sub._actions:
                if action.dest not in {"help", "action"} and not action.help:
                    missing.append(f"{name} {full}: {action.dest}")
    assert not missing
