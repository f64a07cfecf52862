"""errors.py: every error class carries the status its meaning has in HTTP (the table in
tests/data/errors/statuses.json, with the RFC 9110 section), and says where input was wrong."""

from __future__ import annotations

import inspect
import json
from http import HTTPStatus
from pathlib import Path

import pytest

from iqkg import errors
from iqkg.errors import (
    InputError,
    IqkgError,
    OperatorUnauthorized,
    Overloaded,
    RdfSyntaxError,
    Unauthorized,
)

_STATUSES = json.loads((Path(__file__).parent / "data" / "errors" / "statuses.json").read_text())
TABLE: dict[str, int] = {
    name: entry[0] for name, entry in _STATUSES.items() if not name.startswith("_")
}
CLASSES = {
    name: cls
    for name, cls in inspect.getmembers(errors, inspect.isclass)
    if issubclass(cls, IqkgError) and cls.__module__ == errors.__name__
}


def test_every_error_class_has_a_decided_status() -> None:
    """A new class must be added to the table: its status is a decision, not an accident."""
    assert set(CLASSES) == set(TABLE)


@pytest.mark.parametrize("name", sorted(TABLE))
def test_status_of(name: str) -> None:
    cls = CLASSES[name]
    assert cls.status == TABLE[name]
    assert HTTPStatus(cls.status).value == cls.status
    if issubclass(cls, InputError):
        assert cls.status == HTTPStatus.BAD_REQUEST


@pytest.mark.parametrize("name", sorted(TABLE))
def test_message_is_kept_for_the_person(name: str) -> None:
    cls = CLASSES[name]
    error = cls("what was wrong, and what to do")
    assert error.message == "what was wrong, and what to do"
    assert str(error).endswith("what was wrong, and what to do")
    assert isinstance(error.detail, dict)


@pytest.mark.parametrize(
    ("source", "line", "column", "prefix"),
    [
        ("data.ttl", 3, 14, "data.ttl:3:14: "),
        (None, 3, 14, "3:14: "),
        ("data.ttl", None, None, "data.ttl: "),
        (None, 7, None, "7: "),
        (None, None, None, ""),
    ],
)
def test_rdf_syntax_error_says_where(
    source: str | None, line: int | None, column: int | None, prefix: str
) -> None:
    error = RdfSyntaxError("unexpected '.'", source=source, line=line, column=column)
    assert error.message == prefix + "unexpected '.'"
    assert error.detail == {"source": source, "line": line, "column": column}
    assert (error.source, error.line, error.column) == (source, line, column)


def test_line_zero_is_a_position() -> None:
    """``0`` is a place (not "unknown"): only None is left out."""
    assert RdfSyntaxError("x", line=0, column=0).message == "0:0: x"


def test_detail_defaults_to_a_fresh_dict() -> None:
    first, second = IqkgError("a"), IqkgError("b")
    first.detail["k"] = 1
    assert second.detail == {}
    assert IqkgError("c", detail={"parameter": "query"}).detail == {"parameter": "query"}


def test_overloaded_says_when_to_retry() -> None:
    assert Overloaded("busy").retry_after == 1
    assert Overloaded("busy", retry_after=30).retry_after == 30


def test_unauthorized_names_its_schemes() -> None:
    """RFC 9110 §11.6.1: one challenge per accepted scheme; the operator also takes Basic."""
    assert [c.split()[0] for c in Unauthorized.challenges] == ["Bearer"]
    assert [c.split()[0] for c in OperatorUnauthorized.challenges] == ["Bearer", "Basic"]
    assert all('realm="' in c for c in OperatorUnauthorized.challenges)
