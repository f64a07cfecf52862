"""The checking workers: parse + validate in separate processes; a body that kills its
parser costs one worker and gets a 400, never the caller's process."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Awaitable, Callable

import pytest
from rdflib.compare import isomorphic

from iqkg.errors import InputError, Overloaded, QuerySyntaxError, QueryTimeout, RdfSyntaxError
from iqkg.query.workers import WorkerPool
from iqkg.rdf.convert import to_rdflib_graph
from iqkg.rdf.formats import JSON_LD, N_TRIPLES, TURTLE
from iqkg.rdf.iris import IriScheme
from iqkg.submissions.checking import LocalChecker, WorkerChecker, checker_kind
from tests.support.server import ROOT

BASE = "https://w3id.org/iqkg/"
VALID = (
    b"@prefix iq: <https://w3id.org/iqkg/def#> .\n"
    b"@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    b'<thing> rdfs:label "Ein Ding"@de .\n'
)


def deep_jsonld(depth: int) -> bytes:
    """Nested objects, each the value of the previous one's property (finding 1 of #9)."""
    return (
        b'{"@context": {"p": "http://example.org/p"}, "@id": "http://example.org/a", "p": '
        + b'{"p": ' * depth
        + b'"x"'
        + b"}" * depth
        + b"}"
    )


def deep_scoped_contexts(depth: int) -> bytes:
    """Scoped contexts nested ~3,000 deep overflowed the parser's stack in the server."""
    return (
        b'{"@context": '
        + b'{"p": {"@id": "http://example.org/p", "@context": ' * depth
        + b"{}"
        + b"}}" * depth
        + b', "@id": "http://example.org/a", "p": "x"}'
    )


async def with_pool(
    scenario: Callable[[WorkerPool], Awaitable[object]], size: int = 1, queue: int = 1
) -> object:
    """Run ``scenario`` against a real pool of checking workers, then stop them."""
    kind = checker_kind(BASE, ROOT, max_triples=1000, memory_mb=2048)
    pool = WorkerPool(size, queue, None, BASE, kind=kind)
    await pool.start()
    try:
        return await scenario(pool)
    finally:
        await pool.stop()


def test_a_worker_checks_like_the_local_checker() -> None:
    async def scenario(pool: WorkerPool) -> None:
        remote = await WorkerChecker(pool, 60, IriScheme(BASE)).check(VALID, TURTLE, "p")
        here = LocalChecker.from_folders(ROOT, IriScheme(BASE), max_triples=1000).check(
            VALID, TURTLE, "p"
        )
        assert list(remote.triples) == list(here.triples)
        assert remote.ntriples == here.ntriples and remote.distinct == here.distinct == 1
        assert remote.report.results == here.report.results
        assert isomorphic(
            to_rdflib_graph(remote.report.triples), to_rdflib_graph(here.report.triples)
        )

    asyncio.run(with_pool(scenario))


def test_a_triple_stated_twice_is_counted_once() -> None:
    async def scenario(pool: WorkerPool) -> None:
        twice = VALID + b'<thing> rdfs:label "Ein Ding"@de .\n'
        remote = await WorkerChecker(pool, 60, IriScheme(BASE)).check(twice, TURTLE, None)
        assert remote.distinct == len(set(remote.triples)) == 1

    asyncio.run(with_pool(scenario))


def test_errors_come_back_as_the_same_class_with_their_position() -> None:
    async def scenario(pool: WorkerPool) -> None:
        with pytest.raises(RdfSyntaxError) as error:
            await WorkerChecker(pool, 60, IriScheme(BASE)).check(b"<a> <b> .", TURTLE, None)
        assert error.value.status == 400
        assert error.value.line == 1
        assert "malformed turtle" in error.value.message

    asyncio.run(with_pool(scenario))


@pytest.mark.parametrize(
    "body", [deep_jsonld(10_000), deep_scoped_contexts(3_000)], ids=["objects", "contexts"]
)
def test_deep_json_ld_is_refused_at_once_and_the_worker_goes_on(body: bytes) -> None:
    """Both killed the server when parsed there; Oxigraph's JSON-LD parser is also
    quadratic in depth (10,000 levels: over a minute), so depth is bounded before it."""

    async def scenario(pool: WorkerPool) -> None:
        checker = WorkerChecker(pool, 120, IriScheme(BASE))
        before = pool.pids
        with pytest.raises(InputError) as error:
            await checker.check(body, JSON_LD, None)
        assert "nested more than 100" in error.value.message
        assert (await checker.check(VALID, TURTLE, "p")).triples
        assert pool.pids == before

    asyncio.run(with_pool(scenario))


def test_a_worker_that_dies_answering_gets_the_caller_a_400_and_a_successor() -> None:
    # 900 subjects lacking their label: a job that has work to do when the kill lands.
    slow = b"".join(
        b"<https://w3id.org/iqkg/id/partner/p/n%d> <http://www.w3.org/1999/02/22-rdf-syntax-ns#"
        b"type> <https://w3id.org/iqkg/def#RegionalNetwork> .\n" % i
        for i in range(900)
    )

    async def scenario(pool: WorkerPool) -> None:
        checker = WorkerChecker(pool, 120, IriScheme(BASE))
        victim = pool.workers[0]
        # Stopped before the job is sent, the worker cannot answer before it is killed,
        # however fast validation gets (a fast machine once finished within the sleep).
        os.kill(victim.pid, signal.SIGSTOP)
        task = asyncio.ensure_future(checker.check(slow, N_TRIPLES, None))
        await asyncio.sleep(0.3)
        victim.process.kill()
        with pytest.raises(InputError) as error:
            await task
        assert error.value.status == 400
        assert "parser gave up" in error.value.message
        assert (await checker.check(VALID, TURTLE, None)).triples
        assert pool.pids and victim.pid not in pool.pids

    asyncio.run(with_pool(scenario))


def test_a_body_past_the_deadline_is_stopped_and_told_to_retry() -> None:
    async def scenario(pool: WorkerPool) -> None:
        with pytest.raises(Overloaded) as error:
            await WorkerChecker(pool, 0.001, IriScheme(BASE)).check(VALID, TURTLE, None)
        assert error.value.retry_after > 0
        assert (await WorkerChecker(pool, 60, IriScheme(BASE)).check(VALID, TURTLE, None)).triples

    asyncio.run(with_pool(scenario))


def test_beyond_workers_and_queue_the_next_body_is_refused_at_once() -> None:
    async def scenario(pool: WorkerPool) -> list[object]:
        checker = WorkerChecker(pool, 60, IriScheme(BASE))
        return await asyncio.gather(
            *(checker.check(VALID, TURTLE, None) for _ in range(3)), return_exceptions=True
        )

    outcomes = asyncio.run(with_pool(scenario))
    assert isinstance(outcomes, list)
    refused = [o for o in outcomes if isinstance(o, Overloaded)]
    assert len(refused) == 1, outcomes
    assert all(not isinstance(o, BaseException) for o in outcomes if o not in refused)


def test_an_update_is_parsed_in_a_worker_before_the_writer_sees_it() -> None:
    async def scenario(pool: WorkerPool) -> None:
        checker = WorkerChecker(pool, 60, IriScheme(BASE))
        await checker.preflight_update("INSERT DATA { <urn:a> <urn:b> 1 }", BASE, 30)
        await checker.preflight_update("DROP GRAPH <urn:missing>", BASE, 30)  # the store decides
        with pytest.raises(QuerySyntaxError) as error:
            await checker.preflight_update("INSERT DATA { <urn:a> <urn:b> }", BASE, 30)
        assert "does not parse" in error.value.message
        chain = "INSERT { <urn:a> <urn:b> ?x } WHERE { BIND(1" + "+1" * 30_000 + " AS ?x) }"
        with pytest.raises(QueryTimeout) as timeout:
            await checker.preflight_update(chain, BASE, 1)
        assert timeout.value.status == 504
        await checker.preflight_update("CLEAR DEFAULT", BASE, 30)  # a successor took over

    asyncio.run(with_pool(scenario))


# --- the digest of the content (idempotent submissions) ----------------------------------

SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
WITH_BLANK_NODES = (
    b"@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    b'<https://example.org/a> rdfs:seeAlso [ rdfs:label "eins" ] , [ rdfs:label "zwei" ] .\n'
)
RELABELLED = (
    f'_:z <{LABEL}> "zwei" .\n<https://example.org/a> <{SEE_ALSO}> _:y .\n'
    f'_:y <{LABEL}> "eins" .\n<https://example.org/a> <{SEE_ALSO}> _:z .\n'
).encode()


def blank_node_chain(links: int) -> bytes:
    return b"".join(f"_:b{i} <{SEE_ALSO}> _:b{i + 1} .\n".encode() for i in range(links))


def test_equal_content_has_one_digest_whatever_the_syntax_or_labels() -> None:
    async def scenario(pool: WorkerPool) -> None:
        checker = WorkerChecker(pool, 60, IriScheme(BASE))
        turtle = await checker.check(WITH_BLANK_NODES, TURTLE, None)
        ntriples = await checker.check(RELABELLED, N_TRIPLES, None)
        other = await checker.check(RELABELLED.replace(b"zwei", b"drei"), N_TRIPLES, None)
        assert turtle.digest is not None and turtle.digest == ntriples.digest
        assert other.digest not in (None, turtle.digest)
        plain = await checker.check(VALID, TURTLE, "p")  # no blank nodes: digested at once
        assert plain.digest is not None

    asyncio.run(with_pool(scenario))


def test_a_graph_too_costly_to_canonicalise_is_accepted_uncompared() -> None:
    """A blank-node chain takes Oxigraph minutes (or its life): the worker doing it is
    stopped at the deadline and replaced; the body is checked all the same."""

    async def scenario(pool: WorkerPool) -> None:
        checker = WorkerChecker(pool, 120, IriScheme(BASE))
        checked = await checker.check(blank_node_chain(990), N_TRIPLES, None)
        assert checked.report.conforms and len(checked.triples) == 990
        assert checked.digest is None
        assert (await checker.check(VALID, TURTLE, "p")).digest is not None

    asyncio.run(with_pool(scenario))
