"""The policy tokenizer fails closed: what it cannot read with certainty is refused.

Each case here once passed the check while Oxigraph read it differently (issue #9,
finding 7): a local-name escape ``\\#`` made the rest of the line a "comment" that hid a
``LOAD`` or ``SERVICE``; a ``\\u`` escape in a ``FROM`` IRI was not read as an IRI.
"""

from __future__ import annotations

import pytest

from iqkg.errors import QueryRefused
from iqkg.query.policy import inspect_query, inspect_update

EVIL = "http://127.0.0.1:9/x"


@pytest.mark.parametrize(
    "query",
    [
        f"PREFIX e: <urn:e:> SELECT * WHERE {{ ?s e:a\\#b ?o . SERVICE <{EVIL}> {{}} }}",
        f"PREFIX e: <urn:e:> SELECT * WHERE {{ ?s e:a\\#b ?o }} LIMIT 1 SERVICE <{EVIL}>",
        "SELECT * FROM <http://example.org/\\u0041> WHERE { ?s ?p ?o }",
        "PREFIX e: <urn:e:> SELECT * WHERE { GRAPH e:g\\-h { ?s ?p ?o } }",
    ],
)
def test_queries_with_escapes_near_reach_words_are_refused(query: str) -> None:
    with pytest.raises(QueryRefused) as refused:
        inspect_query(query)
    assert "line 1" in refused.value.message


@pytest.mark.parametrize(
    "update",
    [
        f"PREFIX e: <urn:e:> INSERT DATA {{ e:a\\#b e:p e:o }} ; LOAD <{EVIL}>",
        f"PREFIX e: <urn:e:> INSERT DATA {{ e:a\\#b e:p e:o }} ; LOAD SILENT <{EVIL}>",
        f"INSERT {{ ?a <urn:p> 1 }} WHERE {{ FILTER(?a<'>') }} ; LOAD <{EVIL}>",
        f"INSERT {{ ?s <urn:p> ?o }} WHERE {{ SERVICE <{EVIL}> {{ ?s ?p ?o }} }}",
        f'INSERT DATA {{ <urn:s> <urn:p> "x" }} # LOAD <{EVIL}>',
    ],
)
def test_updates_that_could_reach_the_network_are_refused(update: str) -> None:
    with pytest.raises(QueryRefused):
        inspect_update(update)


@pytest.mark.parametrize(
    "query",
    [
        "PREFIX e: <urn:e:> SELECT * WHERE { ?s e:a\\-b ?o }",
        'SELECT * WHERE { ?s ?p "a\\"b SERVICE <urn:x> {}" }',
        "SELECT * FROM <http://example.org/A> WHERE { ?s ?p ?o }",
    ],
)
def test_what_can_be_read_with_certainty_passes(query: str) -> None:
    assert inspect_query(query).form == "SELECT"


def test_words_inside_literals_are_not_commands() -> None:
    inspect_update('INSERT DATA { <urn:s> <urn:p> "Workload, downloads" }')


def test_a_command_word_that_is_not_read_as_one_is_refused_in_updates() -> None:
    """Updates run in the server process: a LOAD the tokenizer filed as text is refused."""
    with pytest.raises(QueryRefused) as refused:
        inspect_update(f"INSERT DATA {{ <urn:a> <urn:b> 'LOAD <{EVIL}>' }}")
    assert "cannot tell a command from text" in refused.value.message
