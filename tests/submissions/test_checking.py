"""The checking workers: parse + validate in separate processes; a body that kills its
parser costs one worker and gets a 400, never the caller's process."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from functools import cache
from typing import Any

import pytest
from rdflib.compare import isomorphic

from iqkg.errors import InputError, Overloaded, QuerySyntaxError, QueryTimeout, RdfSyntaxError
from iqkg.query.workers import WorkerPool
from iqkg.rdf.convert import to_rdflib_graph
from iqkg.rdf.formats import JSON_LD, N_TRIPLES, TURTLE
from iqkg.rdf.iris import IriScheme
from iqkg.submissions.checking import CheckAnswer, LocalChecker, WorkerChecker, checker_kind
from iqkg.validation.core import WHOLE, Part
from iqkg.validation.report import ValidationResult, read_report
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


# --- a check that stores nothing; a body shared among the idle workers -----------------------


@cache
def local_checker() -> LocalChecker:
    return LocalChecker.from_folders(ROOT, IriScheme(BASE), max_triples=1000)


def partner_body(slug: str) -> bytes:
    """A partner's body with violations and warnings (networks without label or source,
    labels without language) and every ownership problem (curated, another partner's,
    foreign, not in normal form, untyped), on subjects enough for both shares."""
    own = f"https://w3id.org/iqkg/id/partner/{slug}/"
    lines = [
        "@prefix iq: <https://w3id.org/iqkg/def#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
    ]
    for i in range(8):
        lines.append(f"<{own}net-{i}> a iq:RegionalNetwork .")
        lines.append(f'<{own}named-{i}> a iq:RegionalNetwork ; rdfs:label "Netz {i}" .')
        lines.append(f'<{own}untyped-{i}> rdfs:label "ohne Typ"@de .')
        lines.append(f'<https://w3id.org/iqkg/id/partner/other/x{i}> rdfs:label "fremd"@de .')
        lines.append(f'<http://example.org/x{i}> rdfs:label "draußen"@de .')
        lines.append(f'<{own}../other/y{i}> rdfs:label "Punkte"@de .')
    lines.append('<https://w3id.org/iqkg/id/network/berlin> rdfs:comment "ergänzt"@de .')
    return ("\n".join(lines) + "\n").encode()


BODIES = {
    "valid": VALID,
    "twice": VALID + b'<thing> rdfs:label "Ein Ding"@de .\n',
    "blank-nodes": WITH_BLANK_NODES,
    "problems": partner_body("p"),
}


@pytest.mark.parametrize("name", BODIES)
def test_a_check_that_stores_nothing_makes_no_n_triples_and_no_digest(name: str) -> None:
    stored = local_checker().check(BODIES[name], TURTLE, None)
    leftovers: list[object] = []
    checked = local_checker().check(BODIES[name], TURTLE, None, to_store=False, leftovers=leftovers)
    assert stored.ntriples and (stored.digest is not None) == (name != "blank-nodes")
    assert checked.ntriples == b"" and checked.digest is None
    assert checked.distinct == stored.distinct == len(set(stored.triples)) > 0
    assert checked.report.results == stored.report.results
    assert any(left is checked.triples for left in leftovers)  # kept for the caller to free


@pytest.mark.parametrize("name", BODIES)
def test_a_worker_check_that_stores_nothing_sends_no_n_triples(name: str) -> None:
    async def scenario(pool: WorkerPool) -> None:
        checker = WorkerChecker(pool, 60, IriScheme(BASE))
        stored = await checker.check(BODIES[name], TURTLE, None)
        checked = await checker.check(BODIES[name], TURTLE, None, to_store=False)
        assert stored.ntriples and stored.digest is not None  # blank nodes: canonicalised
        assert checked.ntriples == b"" and checked.digest is None and list(checked.triples) == []
        assert checked.distinct == stored.distinct > 0
        assert checked.report.results == stored.report.results

    asyncio.run(with_pool(scenario))


@pytest.mark.parametrize(
    ("part", "made"), [(WHOLE, True), (Part(0, 2), True), (Part(1, 2), False)], ids=str
)
def test_only_share_zero_makes_n_triples_digest_and_count(part: Part, made: bool) -> None:
    whole = local_checker().check(BODIES["problems"], TURTLE, "p")
    checked = local_checker().check(BODIES["problems"], TURTLE, "p", part=part)
    assert (checked.ntriples, checked.digest, checked.distinct) == (
        (whole.ntriples, whole.digest, whole.distinct) if made else (b"", None, 0)
    )


def row_text(result: ValidationResult) -> str:
    return json.dumps(asdict(result), sort_keys=True)


def recording_shares(pool: WorkerPool) -> list[list[tuple[Any, list[bytes]]]]:
    """Every answer list :meth:`WorkerPool.ask_shared` gives, recorded as it goes."""
    seen: list[list[tuple[Any, list[bytes]]]] = []
    shared = pool.ask_shared

    async def recorded(*args: Any, **kwargs: Any) -> list[tuple[Any, list[bytes]]]:
        answers = await shared(*args, **kwargs)
        seen.append(answers)
        return answers

    pool.ask_shared = recorded  # type: ignore[method-assign]
    return seen


@pytest.mark.parametrize(
    ("workers", "share_from", "shares"),
    [(2, 1, 2), (1, 1, 1), (2, 0, 0), (2, 10**9, 0)],
    ids=["two-idle", "one-worker", "never-shared", "too-small"],
)
def test_a_shared_check_gives_what_one_check_in_process_gives(
    workers: int, share_from: int, shares: int
) -> None:
    body = partner_body("p")
    here = local_checker().check(body, TURTLE, "p")
    shapes = {r.shape.rsplit("#", 1)[-1] for r in here.report.results}
    ownership = {"PartnerIriSpace", "PartnerIriNormalForm", "PartnerTypedResource"}
    assert ownership | {"label-de", "derivedFrom-present"} <= shapes, shapes  # a blank path

    async def scenario(pool: WorkerPool) -> None:
        seen = recording_shares(pool)
        checker = WorkerChecker(pool, 60, IriScheme(BASE), share_from=share_from)
        remote = await checker.check(body, TURTLE, "p")
        assert [len(answers) for answers in seen] == ([shares] if shares else [])
        if shares == 2:  # both workers found problems; the body came from share 0 only
            (answers,) = seen
            headers = [header for header, _ in answers]
            assert all(isinstance(h, CheckAnswer) and h.results for h in headers)
            assert answers[1][1] == [] and headers[1].distinct == 0
        # Shapes' blank nodes (the path) are labelled alike in every process.
        assert remote.report.results == here.report.results
        assert not remote.report.conforms and remote.report.ownership == "p"
        graph = to_rdflib_graph(remote.report.triples)
        read_back = read_report(graph).results  # the graph says what the rows say
        assert sorted(map(row_text, read_back)) == sorted(map(row_text, remote.report.results))
        assert isomorphic(graph, to_rdflib_graph(here.report.triples))
        assert list(remote.triples) == list(here.triples)
        assert remote.ntriples == here.ntriples and remote.distinct == here.distinct
        assert remote.digest == here.digest is not None

    asyncio.run(with_pool(scenario, size=workers))


def test_a_shared_checks_report_graph_is_one_workers() -> None:
    body = partner_body("p")

    async def scenario(pool: WorkerPool) -> None:
        shared = await WorkerChecker(pool, 60, IriScheme(BASE), share_from=1).check(
            body, TURTLE, "p"
        )
        alone = await WorkerChecker(pool, 60, IriScheme(BASE)).check(body, TURTLE, "p")
        paths = {r.path for r in shared.report.results if (r.path or "").startswith("_:")}
        assert len(paths) == 1, paths  # one path, one blank node, as in one worker's report
        assert isomorphic(
            to_rdflib_graph(shared.report.triples), to_rdflib_graph(alone.report.triples)
        )

    asyncio.run(with_pool(scenario, size=2))


def test_a_shared_check_that_fails_fails_as_an_unshared_one() -> None:
    async def scenario(pool: WorkerPool) -> None:
        seen = recording_shares(pool)
        errors = []
        for share_from in (0, 1):
            checker = WorkerChecker(pool, 60, IriScheme(BASE), share_from=share_from)
            with pytest.raises(RdfSyntaxError) as error:
                await checker.check(b"<a> <b> .", TURTLE, None)
            errors.append(error.value)
        assert [len(answers) for answers in seen] == [2]  # the second was shared
        unshared, shared = errors
        assert type(shared) is type(unshared)
        assert (shared.status, shared.line, shared.message) == (
            unshared.status,
            unshared.line,
            unshared.message,
        )
        assert "malformed turtle" in shared.message
        checker = WorkerChecker(pool, 60, IriScheme(BASE), share_from=1)
        assert (await checker.check(VALID, TURTLE, None)).report.conforms
        assert [len(answers) for answers in seen] == [2, 2]  # both workers are still there

    asyncio.run(with_pool(scenario, size=2))
