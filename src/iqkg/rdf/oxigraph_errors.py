"""pyoxigraph's exceptions turned into iqkg's, in one place (in the manner of HTTPX's
``map_exceptions``: a context manager with a mapping table).

pyoxigraph reports a document or a query that does not parse as Python's own
``SyntaxError``, a bad argument (a base IRI that is not one) as ``ValueError``, bytes
that are not UTF-8 as ``UnicodeDecodeError`` and a file it cannot read as ``OSError``.
Where they are raised while parsing RDF or SPARQL, a caller wraps the call:

- :func:`rdf_errors` → :class:`~iqkg.errors.RdfSyntaxError` (with the line and column
  when the parser knows them), :class:`~iqkg.errors.NetworkAccessRefused` for a JSON-LD
  remote context, :class:`~iqkg.errors.InputError` for a file that cannot be read;
- :func:`sparql_errors` → :class:`~iqkg.errors.QuerySyntaxError` with the line and
  column in its ``detail``;
- :func:`update_errors` (an operator's update) → that, or
  :class:`~iqkg.errors.InputError` when Oxigraph refuses to apply it (``DROP GRAPH`` of a
  missing graph); :func:`write_errors` (an update iqkg wrote from a write's changes) →
  :class:`~iqkg.errors.InputError`;
- :func:`store_opening_errors` → :class:`~iqkg.errors.StoreHeldByServer` when another
  process holds the store's RocksDB lock, else :class:`~iqkg.errors.StoreUnavailable`;
- :func:`evaluation_failure` says what kind of failure an error of evaluation (running a
  query, serialising its answer) is, for the query workers, which answer with a value,
  not an exception.

Positions come from :func:`syntax_error_position`, the one reader of both shapes
Oxigraph uses: the RDF parsers put a location tuple in ``args[1]``
(``(None, line, column, None, end_line, end_column)``), the SPARQL parser words it as
``error at LINE:COLUMN: …``. Lines and columns are Oxigraph's, both counted from 1.
Nothing outside this module reads Oxigraph's message text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Literal

from iqkg.errors import (
    InputError,
    IqkgError,
    NetworkAccessRefused,
    QuerySyntaxError,
    RdfSyntaxError,
    StoreHeldByServer,
    StoreUnavailable,
)

#: What Oxigraph's JSON-LD parser says when a document names a remote @context (it has no
#: loader, so it never fetches one).
_REMOTE_CONTEXT = "LoadDocumentCallback"
_SPARQL_POSITION = re.compile(r"error at (\d+):(\d+)")
#: RocksDB reports a held lock as an I/O error naming the store's LOCK file.
_LOCK_FILE = "LOCK"
#: What Oxigraph says when an answer cannot be written in the syntax asked for (e.g. an
#: RDF 1.2 triple term as JSON-LD).
_UNSUPPORTED = "does not support"

#: The exceptions pyoxigraph raises while evaluating a query or serialising its answer.
EVALUATION_ERRORS: tuple[type[Exception], ...] = (OSError, ValueError, RuntimeError, KeyError)

ErrorMapping = Mapping[type[BaseException], Callable[[BaseException], IqkgError]]


@contextmanager
def map_exceptions(mapping: ErrorMapping) -> Iterator[None]:
    """Raise ``mapping[type](error)`` for an exception of a type in ``mapping`` (the
    first entry the error is an instance of, so list subclasses first); others pass."""
    try:
        yield
    except Exception as error:
        for kind, make in mapping.items():
            if isinstance(error, kind):
                raise make(error) from None
        raise


def syntax_error_message(error: BaseException) -> str:
    """Oxigraph's own words, without the location tuple Python would print."""
    return str(error.args[0]) if error.args else str(error)


def syntax_error_position(error: BaseException) -> tuple[int | None, int | None]:
    """``(line, column)`` of a syntax error, each None when the parser does not say."""
    args = error.args
    if len(args) > 1 and isinstance(args[1], tuple) and len(args[1]) >= 3:
        line, column = args[1][1], args[1][2]
        return (
            line if isinstance(line, int) else None,
            column if isinstance(column, int) else None,
        )
    found = _SPARQL_POSITION.match(syntax_error_message(error))
    if found:
        return int(found.group(1)), int(found.group(2))
    return None, None


def rdf_errors(syntax_name: str, *, source: str | None = None) -> AbstractContextManager[None]:
    """Parsing RDF in ``syntax_name`` from ``source`` (a file name, "body", "part 2")."""

    def syntax_error(error: BaseException) -> IqkgError:
        message = syntax_error_message(error)
        if _REMOTE_CONTEXT in message:
            return NetworkAccessRefused(
                "the JSON-LD refers to a remote @context, which iqkg never fetches; "
                "inline the context in the document instead."
            )
        line, column = syntax_error_position(error)
        return RdfSyntaxError(
            f"malformed {syntax_name}: {message}", source=source, line=line, column=column
        )

    def not_utf8(error: BaseException) -> IqkgError:
        start = error.start if isinstance(error, UnicodeDecodeError) else "?"
        return RdfSyntaxError(f"malformed {syntax_name}: not UTF-8 at byte {start}", source=source)

    def unreadable(error: BaseException) -> IqkgError:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        return InputError(f"cannot read {source or 'the input'}: {reason}")

    return map_exceptions(
        {
            SyntaxError: syntax_error,
            UnicodeDecodeError: not_utf8,
            ValueError: lambda e: RdfSyntaxError(f"malformed {syntax_name}: {e}", source=source),
            OSError: unreadable,
        }
    )


def _sparql_syntax_error(operation: str) -> Callable[[BaseException], IqkgError]:
    def syntax_error(error: BaseException) -> IqkgError:
        line, column = syntax_error_position(error)
        return QuerySyntaxError(
            f"the {operation} does not parse: {syntax_error_message(error)}",
            detail={"line": line, "column": column},
        )

    return syntax_error


def sparql_errors(operation: Literal["query", "update"]) -> AbstractContextManager[None]:
    """Parsing a SPARQL query or update. Only syntax is mapped: errors of evaluation
    (``RuntimeError``, ``ValueError`` while running) stay the caller's to judge."""
    return map_exceptions({SyntaxError: _sparql_syntax_error(operation)})


def update_errors() -> AbstractContextManager[None]:
    """Applying an operator's SPARQL Update: syntax as :func:`sparql_errors`; Oxigraph
    refusing to apply it (``RuntimeError``/``ValueError``, e.g. ``DROP GRAPH`` of a graph
    that does not exist) is the update's fault, and nothing was changed."""

    def refused(error: BaseException) -> IqkgError:
        return InputError(f"the update cannot be applied: {error}; nothing was changed.")

    return map_exceptions(
        {
            SyntaxError: _sparql_syntax_error("update"),
            RuntimeError: refused,
            ValueError: refused,
        }
    )


def write_errors() -> AbstractContextManager[None]:
    """Applying the update iqkg wrote from a write's changes: if Oxigraph refuses it, a
    value that reached the text is not valid there (the data's fault, not the caller's
    SPARQL), and nothing was changed."""

    def refused(error: BaseException) -> IqkgError:
        return InputError(
            f"the write cannot be applied: {syntax_error_message(error)}; nothing was changed."
        )

    return map_exceptions({SyntaxError: refused})


def store_opening_errors(location: str) -> AbstractContextManager[None]:
    """Opening the on-disk store at ``location``: another process holding its RocksDB
    lock (typically ``iqkg serve``) is told apart from any other failure."""

    def unavailable(error: BaseException) -> IqkgError:
        if _LOCK_FILE in str(error):
            return StoreHeldByServer(
                f"cannot open the store at {location}: {error}. If `iqkg serve` is running "
                "on it, stop it first (or use its /sparql endpoint)."
            )
        return StoreUnavailable(f"cannot open the store at {location}: {error}.")

    return map_exceptions({OSError: unavailable})


def evaluation_failure(error: BaseException) -> Literal["unsupported", "service", "evaluation"]:
    """What an error of :data:`EVALUATION_ERRORS` means: ``unsupported`` (the answer
    cannot be written in the syntax asked for), ``service`` (an allowed ``SERVICE``
    endpoint failed) or ``evaluation`` (Oxigraph refused the query itself)."""
    text = str(error)
    if _UNSUPPORTED in text:
        return "unsupported"
    # A SERVICE endpoint's failure is an OSError (refused, timed out, an HTTP error status:
    # "Error 500 … returned by <url>"), whose text need not say "service"; the store itself
    # is a read-only checkpoint, where an OSError is no fault of the query either.
    if isinstance(error, OSError) or "service" in text.lower():
        return "service"
    return "evaluation"
