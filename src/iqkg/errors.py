"""The error hierarchy.

Services raise these; the server maps each class to one HTTP status in one place
(``server/errors.py``) and the CLI maps them to exit codes. Messages are written for the
person who made the request: what was wrong, where, and what to do.
"""

from __future__ import annotations


class IqkgError(Exception):
    """Base of every error iqkg raises on purpose."""

    status = 500

    def __init__(self, message: str, *, detail: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail or {}


class InputError(IqkgError):
    """The request or file is malformed (syntax error, missing parameter)."""

    status = 400


class RdfSyntaxError(InputError):
    """RDF that does not parse; ``line``/``column`` say where when the parser knows."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        where = ":".join(str(p) for p in (source, line, column) if p is not None)
        super().__init__(
            f"{where}: {message}" if where else message,
            detail={"source": source, "line": line, "column": column},
        )
        self.source = source
        self.line = line
        self.column = column


class QuerySyntaxError(InputError):
    """A SPARQL query or update that does not parse."""


class QueryRefused(InputError):
    """A well-formed query that policy forbids here (SERVICE, LOAD, updates on /sparql)."""


class NetworkAccessRefused(InputError):
    """Input that would make the server fetch from the network (remote @context, DTD)."""


class Unauthorized(IqkgError):
    """No token, or a token that matches nobody."""

    status = 401
    #: RFC 9110 §11.6.1: the challenges of the schemes accepted here, one header each.
    challenges: tuple[str, ...] = ('Bearer realm="iqkg"',)


class OperatorUnauthorized(Unauthorized):
    """The operator's token is missing or wrong (Bearer, or Basic for stock tools)."""

    challenges = ('Bearer realm="iqkg"', 'Basic realm="iqkg operator", charset="UTF-8"')


class Forbidden(IqkgError):
    """A known caller asking for something that is not theirs."""

    status = 403


class NotFound(IqkgError):
    status = 404


class NotAcceptable(IqkgError):
    """No representation matches the Accept header."""

    status = 406


class Conflict(IqkgError):
    status = 409


class PreconditionFailed(IqkgError):
    """``If-Match``/``If-Unmodified-Since`` (or ``If-None-Match`` on a write) do not hold
    (RFC 9110 §13.1): the representation changed since the client read it."""

    status = 412


class PayloadTooLarge(IqkgError):
    status = 413


class UnsupportedMediaType(IqkgError):
    status = 415


class Unprocessable(IqkgError):
    """Well-formed input that fails validation (a SHACL report says why)."""

    status = 422


class Overloaded(IqkgError):
    """Every worker is busy and the queue is full; retry later."""

    status = 503

    def __init__(self, message: str, *, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class StoreUnavailable(IqkgError):
    """The store cannot be reached or failed (a remote store's connection, 5xx, a cut-off
    answer): nothing the request did wrong; try again later or fix the store."""

    status = 503


class StoreHeldByServer(StoreUnavailable):
    """Another process (typically ``iqkg serve``) holds the store's RocksDB lock.

    Commands that only read (``query``, ``export``) catch this and ask the server over
    HTTP instead; commands that write must not, so the message says what to do.
    """


class QueryTimeout(IqkgError):
    """A query ran past its deadline and was stopped."""

    status = 504
