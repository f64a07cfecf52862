"""Evaluating a query on the embedded store for the store interface: with a deadline,
on a deep stack, answered as plain values.

pyoxigraph cannot cancel an evaluation, but it produces solutions lazily: the thread
that evaluates checks the deadline before taking each next one and stops there, and the
caller waits no longer than the deadline. A query that computes everything before its
first solution (``ORDER BY``, aggregates) runs on after the caller has had its
:class:`~iqkg.errors.QueryTimeout`; so these are the services' own bounded queries, and
queries from outside go to the killable query workers (:mod:`iqkg.query.workers`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from pyoxigraph import BlankNode, Literal, NamedNode, QueryBoolean, QuerySolutions, QueryTriples

from iqkg.errors import InputError, QueryTimeout
from iqkg.rdf.convert import to_ntriples
from iqkg.rdf.iris import RDF, XSD
from iqkg.rdf.oxigraph_errors import sparql_errors
from iqkg.rdf.sparql_terms import Term
from iqkg.rdf.stack import start_deep_thread

QueryResult = QuerySolutions | QueryBoolean | QueryTriples
T = TypeVar("T")
#: Called before each next solution; raises once the deadline has passed.
GoOn = Callable[[], None]


class _PastDeadline(Exception):
    """Raised inside an evaluation to stop taking solutions."""


def as_term(value: object) -> Term:
    """A pyoxigraph term as the interface's plain :class:`Term`."""
    if isinstance(value, NamedNode):
        return Term("iri", value.value)
    if isinstance(value, BlankNode):
        return Term("bnode", value.value)
    if isinstance(value, Literal):
        datatype = value.datatype.value
        plain = datatype in (XSD + "string", RDF + "langString")
        return Term("literal", value.value, None if plain else datatype, value.language)
    raise InputError("a quoted triple cannot be answered through the store interface")


def rows(result: QueryResult, go_on: GoOn) -> list[dict[str, Term]]:
    """The solutions of a ``SELECT``; an unbound variable is absent from its row."""
    if not isinstance(result, QuerySolutions):
        raise InputError("select() needs a SELECT query")
    names = [v.value for v in result.variables]
    found = []
    for solution in result:
        go_on()
        found.append(
            {name: as_term(value) for name in names if (value := solution[name]) is not None}
        )
    return found


def boolean(result: QueryResult, go_on: GoOn) -> bool:
    if not isinstance(result, QueryBoolean):
        raise InputError("ask() needs an ASK query")
    return bool(result)


def ntriples(result: QueryResult, go_on: GoOn) -> bytes:
    """The triples of a ``CONSTRUCT``/``DESCRIBE``, as N-Triples."""
    if not isinstance(result, QueryTriples):
        raise InputError("construct() needs a CONSTRUCT or DESCRIBE query")
    triples = []
    for triple in result:
        go_on()
        triples.append(triple)
    return to_ntriples(triples)


def evaluate(
    start: Callable[[], QueryResult],
    deadline: float | None,
    collect: Callable[[QueryResult, GoOn], T],
) -> T:
    """``collect(start())`` on a deep-stack thread; the caller waits at most until ``deadline``
    (a :func:`time.monotonic` instant) and then gets :class:`QueryTimeout`."""
    outcome: list[T] = []
    failure: list[BaseException] = []
    given_up = threading.Event()

    def go_on() -> None:
        if given_up.is_set() or (deadline is not None and time.monotonic() >= deadline):
            raise _PastDeadline

    def work() -> None:
        try:
            with sparql_errors("query"):
                outcome.append(collect(start(), go_on))
        except BaseException as error:  # handed back to the caller's thread below
            # Without its traceback: the frames hold pyoxigraph's result iterator,
            # which must be dropped on the thread that made it.
            failure.append(error.with_traceback(None))

    thread = start_deep_thread(work, "iqkg-query")
    thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
    if thread.is_alive():
        given_up.set()
        raise QueryTimeout("the query passed its deadline and was stopped")
    if failure:
        if isinstance(failure[0], _PastDeadline):
            raise QueryTimeout("the query passed its deadline and was stopped")
        raise failure[0]
    return outcome[0]
