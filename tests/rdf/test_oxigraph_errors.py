"""pyoxigraph's exceptions → iqkg's (``rdf/oxigraph_errors.py``), over the malformed
files in ``tests/data/oxigraph-errors/`` with their expectations in ``expected.json``."""

from __future__ import annotations

import http.server
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from iqkg import errors
from iqkg.errors import (
    InputError,
    IqkgError,
    QuerySyntaxError,
    RdfSyntaxError,
    StoreHeldByServer,
    StoreUnavailable,
)
from iqkg.rdf.formats import rdf_syntax_for_path
from iqkg.rdf.oxigraph_errors import (
    EVALUATION_ERRORS,
    evaluation_failure,
    map_exceptions,
    rdf_errors,
    sparql_errors,
    store_opening_errors,
    syntax_error_position,
    update_errors,
    write_errors,
)
from iqkg.submissions.untrusted import parse_untrusted
from tests.support.server import ROOT

FOLDER = ROOT / "tests" / "data" / "oxigraph-errors"
EXPECTED: dict[str, dict[str, Any]] = json.loads((FOLDER / "expected.json").read_text())["files"]
FILES = sorted(p for p in FOLDER.iterdir() if p.name != "expected.json")
RDF_FILES = [p for p in FILES if p.suffix not in (".rq", ".ru")]


def _raise_from(path: Path) -> None:
    """Parse ``path`` as the helper's callers do, inside the helper."""
    if path.suffix == ".rq":
        with sparql_errors("query"):
            ox.Store().query(path.read_text())
    elif path.suffix == ".ru":
        with update_errors():
            ox.Store().update(path.read_text())
    else:
        syntax = rdf_syntax_for_path(path.name)
        with rdf_errors(syntax.name, source=path.name):
            list(ox.parse(path.read_bytes(), format=syntax.format))


def _position(error: IqkgError) -> tuple[object, object]:
    return error.detail.get("line"), error.detail.get("column")


def test_every_file_has_an_expectation() -> None:
    assert sorted(p.name for p in FILES) == sorted(EXPECTED)
    assert {p.suffix for p in FILES} >= {".ttl", ".nt", ".jsonld", ".rdf", ".rq", ".ru"}


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_the_error_class_and_position(path: Path) -> None:
    expected = EXPECTED[path.name]
    with pytest.raises(IqkgError) as raised:
        _raise_from(path)
    error = raised.value
    assert type(error) is getattr(errors, expected["error"])
    assert error.status == 400
    assert error.__cause__ is None and error.__suppress_context__  # no pyoxigraph traceback
    if isinstance(error, RdfSyntaxError | QuerySyntaxError):
        assert _position(error) == (expected["line"], expected["column"])
    if expected["line"] is not None:
        # Where it is, in the words a person reads.
        assert f"{expected['line']}" in error.message


@pytest.mark.parametrize("path", RDF_FILES, ids=[p.name for p in RDF_FILES])
def test_untrusted_bodies_get_the_same_errors(path: Path) -> None:
    """``parse_untrusted`` (submissions, /validate, /store) maps through the helper."""
    expected = EXPECTED[path.name]
    syntax = rdf_syntax_for_path(path.name)
    with pytest.raises(IqkgError) as raised:
        parse_untrusted(path.read_bytes(), syntax, base_iri="https://example.org/", max_triples=100)
    assert type(raised.value) is getattr(errors, expected["error"])
    if isinstance(raised.value, RdfSyntaxError):
        assert _position(raised.value) == (expected["line"], expected["column"])
        assert raised.value.source == "body"


def test_unreadable_files_and_bad_arguments() -> None:
    with (
        pytest.raises(InputError, match=r"cannot read missing\.ttl"),
        rdf_errors("turtle", source="missing.ttl"),
    ):
        list(ox.parse(path=str(FOLDER / "missing.ttl"), format=ox.RdfFormat.TURTLE))
    with pytest.raises(RdfSyntaxError, match="Invalid base IRI"), rdf_errors("turtle"):
        list(ox.parse(b"<a> <b> <c> .", format=ox.RdfFormat.TURTLE, base_iri="not an iri"))


def test_other_exceptions_pass_unchanged() -> None:
    with pytest.raises(KeyError), map_exceptions({ValueError: lambda e: InputError(str(e))}):
        raise KeyError("x")
    # Evaluation errors are the caller's: only syntax is mapped for SPARQL.
    with pytest.raises(RuntimeError), sparql_errors("update"):
        raise RuntimeError("evaluation failed")


def test_position_of_errors_without_one() -> None:
    assert syntax_error_position(SyntaxError("no position")) == (None, None)
    assert syntax_error_position(SyntaxError("m", (None, None, None, None, None, None))) == (
        None,
        None,
    )


def test_a_write_oxigraph_refuses_is_the_datas_fault() -> None:
    with (
        pytest.raises(InputError, match=r"the write cannot be applied: .*nothing was changed"),
        write_errors(),
    ):
        ox.Store().update('INSERT DATA { <a:s> <a:p> "x"^^<a:t" }')


def test_a_store_held_by_another_opener(tmp_path: Path) -> None:
    held = ox.Store(str(tmp_path / "store"))
    with pytest.raises(StoreHeldByServer, match="stop it first"), store_opening_errors("var/s"):
        ox.Store(str(tmp_path / "store"))
    del held
    (tmp_path / "file").write_text("not a store")
    with (
        pytest.raises(StoreUnavailable, match="cannot open the store at var/file") as other,
        store_opening_errors("var/file"),
    ):
        ox.Store(str(tmp_path / "file"))
    assert not isinstance(other.value, StoreHeldByServer)


@pytest.mark.parametrize(
    ("query", "syntax", "kind"),
    [
        pytest.param(
            "CONSTRUCT { <a:s> <a:p> <<( <a:s> <a:p> <a:o> )>> } WHERE {}",
            ox.RdfFormat.JSON_LD,
            "unsupported",
            id="triple-term-as-json-ld",
        ),
        pytest.param(
            "SELECT (<a:unknown>(1) AS ?x) WHERE {}", None, "evaluation", id="unknown-function"
        ),
    ],
)
def test_errors_of_evaluation_are_told_apart(
    query: str, syntax: ox.RdfFormat | None, kind: str
) -> None:
    with pytest.raises(EVALUATION_ERRORS) as raised:
        result = ox.Store().query(query)
        if syntax is None:
            list(result)  # type: ignore[arg-type]
        else:
            result.serialize(format=syntax)  # type: ignore[call-arg]
    assert evaluation_failure(raised.value) == kind


class _Failing(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(500)
        self.end_headers()

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def failing_endpoint() -> Iterator[str]:
    """A SPARQL endpoint on loopback that answers every request with a 500."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _Failing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/sparql"
    server.shutdown()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_failing_service_endpoint_is_a_service_failure(failing_endpoint: str) -> None:
    """Neither message says "service" ("Error 500 … returned by", "Connection refused"):
    both were told apart as the query's own fault (400) before."""
    for endpoint in (failing_endpoint, f"http://127.0.0.1:{_closed_port()}/sparql"):
        with pytest.raises(EVALUATION_ERRORS) as raised:
            list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"))  # type: ignore[arg-type]
        assert "service" not in str(raised.value).lower()
        assert evaluation_failure(raised.value) == "service"
