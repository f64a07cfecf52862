"""The query worker pool and the read-only policy, without a server (what one worker
does with a job is tests/query/test_execution.py)."""

from __future__ import annotations

import asyncio
import json
import pickle
import random
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store

from iqkg.errors import Overloaded, QueryRefused, QueryTimeout
from iqkg.faults import CrashPoints
from iqkg.query.checkpoints import Checkpoints
from iqkg.query.execution import QueryJob
from iqkg.query.policy import inspect_query, inspect_update
from iqkg.query.workers import CHUNK, WorkerPool, _Link, _receive, _send
from iqkg.rdf.iris import IriScheme

IRIS = IriScheme("https://w3id.org/iqkg/")
EVIL = "http://127.0.0.1:9/sparql"


@pytest.mark.parametrize(
    "query",
    [
        f"SELECT * WHERE {{ SERVICE <{EVIL}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{EVIL}> {{ ?s ?p ?o }} }}",
        f"PREFIX e: <{EVIL}> SELECT * WHERE {{ SERVICE e: {{ ?s ?p ?o }} }}",
        f"PREFIX : <{EVIL}> SELECT * WHERE {{ SERVICE:x {{ ?s ?p ?o }} }}",
        f"PREFIX : <{EVIL}> SELECT * WHERE {{ SERVICE SILENT:x {{ ?s ?p ?o }} }}",
        f"SELECT * {{ {{ SELECT * {{ OPTIONAL {{ SERVICE <{EVIL}> {{ }} }} }} }} }}",
        "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "PREFIX x: <urn:x> DELETE WHERE { ?s ?p ?o }",
        f"LOAD <{EVIL}>",
    ],
)
def test_policy_refuses(query: str) -> None:
    with pytest.raises(QueryRefused):
        inspect_query(query)


@pytest.mark.parametrize(
    "query",
    [
        f'SELECT * WHERE {{ BIND("SERVICE <{EVIL}> {{}}" AS ?x) }}',
        f"SELECT * WHERE {{ BIND('''\nSERVICE <{EVIL}> {{}}''' AS ?x) }}",
        f"SELECT * WHERE {{ ?s <{EVIL}#SERVICE> ?o }} # SERVICE <{EVIL}> {{}}",
        "PREFIX service: <urn:s:> SELECT * WHERE { ?s service:p ?SERVICE }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o < 3 && ?o > 1) }",
    ],
)
def test_policy_is_not_fooled(query: str) -> None:
    assert inspect_query(query).form == "SELECT"


def test_policy_allows_listed_services_and_reads_from() -> None:
    shape = inspect_query(
        f"SELECT * FROM <urn:g> FROM NAMED <urn:h> WHERE {{ SERVICE <{EVIL}> {{}} }}",
        frozenset({EVIL}),
    )
    assert shape.from_graphs == ("urn:g",) and shape.from_named_graphs == ("urn:h",)
    assert inspect_query("CONSTRUCT WHERE { ?s ?p ?o }").returns_graph


def test_update_policy() -> None:
    inspect_update("INSERT DATA { <urn:a> <urn:b> 'loaded from <http://x/>' }")
    for refused in (f"LOAD <{EVIL}>", f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{EVIL}> {{}} }}"):
        with pytest.raises(QueryRefused):
            inspect_update(refused)


@pytest.fixture
def checkpoint(tmp_path: Path) -> Checkpoints:
    store = Store(str(tmp_path / "store"))
    graph = NamedNode(IRIS.graph("curated"))
    store.extend(
        Quad(NamedNode(f"urn:s:{i}"), NamedNode("urn:p"), Literal(f"v{i}\nline"), graph)
        for i in range(50)
    )
    store.add(
        Quad(
            NamedNode("urn:hidden"),
            NamedNode("urn:p"),
            Literal("x"),
            NamedNode(IRIS.graph("private/a")),
        )
    )
    checkpoints = Checkpoints(tmp_path / "checkpoints", store)
    checkpoints.reset()
    checkpoints.publish("v1")
    return checkpoints


def test_pool_kills_a_runaway_and_keeps_serving(checkpoint: Checkpoints) -> None:
    async def scenario() -> None:
        restarts: list[str] = []
        pool = WorkerPool(1, 4, checkpoint, IRIS.base, on_restart=restarts.append)
        await pool.start()
        try:
            (pid,) = pool.pids
            runaway = QueryJob(
                "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }",
                "json",
            )
            with pytest.raises(QueryTimeout):
                await pool.run(runaway, 0.5)
            assert restarts == ["timeout"]
            outcome = await pool.run(QueryJob("ASK { ?s ?p ?o }", "json"), 30)
            assert b"true" in b"".join(outcome.chunks)
            assert pool.pids and pool.pids != [pid]
        finally:
            await pool.stop()

    asyncio.run(scenario())


RUNAWAY = QueryJob(
    "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }", "json"
)
CHEAP = QueryJob("ASK { ?s ?p ?o }", "json")


def test_a_worker_that_fails_to_start_is_retried_until_the_pool_is_whole(
    checkpoint: Checkpoints,
) -> None:
    async def scenario() -> None:
        # The first warm-up's worker is SIGKILLed (the crash point), as a crash would.
        pool = WorkerPool(1, 4, checkpoint, IRIS.base, crashes=CrashPoints("worker.warm-up:1"))
        await pool.start()
        try:
            assert pool.start_failures == 1 and pool.last_start_error
            assert pool.problems(grace=60)  # a failed start is reported at once
            outcome = await pool.run(CHEAP, 60)  # waits for the retried worker
            assert b"true" in b"".join(outcome.chunks)
            assert len(pool.pids) == 1 and pool.problems(grace=0) == []
        finally:
            await pool.stop()

    asyncio.run(scenario())


def test_the_pool_heals_when_its_checkpoints_folder_is_deleted(checkpoint: Checkpoints) -> None:
    async def scenario() -> None:
        pool = WorkerPool(1, 4, checkpoint, IRIS.base)
        await pool.start()
        try:
            shutil.rmtree(checkpoint.folder)
            for _ in range(3):
                assert b"true" in b"".join((await pool.run(CHEAP, 60)).chunks)
            with pytest.raises(QueryTimeout):  # a replacement must start from the new folder
                await pool.run(RUNAWAY, 0.5)
            assert b"true" in b"".join((await pool.run(CHEAP, 60)).chunks)
            assert pool.start_failures == 0 and checkpoint.current is not None
            assert checkpoint.current.exists()
        finally:
            await pool.stop()

    asyncio.run(scenario())


def test_every_worker_moves_to_a_new_checkpoint_within_as_many_queries(
    checkpoint: Checkpoints,
) -> None:
    """The last worker to finish is used first (warm caches), but one still on an older
    checkpoint goes before it: two queries after a write, no lease is left on the old one."""

    async def scenario() -> None:
        pool = WorkerPool(2, 4, checkpoint, IRIS.base)
        await pool.start()
        try:
            old = str(checkpoint.current)
            assert checkpoint.leased == {old: 2}
            new = str(checkpoint.publish("v2"))
            for _ in range(2):
                assert b"true" in b"".join((await pool.run(CHEAP, 60)).chunks)
            assert checkpoint.leased == {new: 2}
            for _ in range(3):
                assert b"true" in b"".join((await pool.run(CHEAP, 60)).chunks)
            assert checkpoint.leased == {new: 2}
        finally:
            await pool.stop()

    asyncio.run(scenario())


def test_one_client_cannot_take_the_pool(checkpoint: Checkpoints) -> None:
    """Client A may hold one of two workers and one queue place; B is answered meanwhile."""

    async def scenario() -> None:
        pool = WorkerPool(2, 4, checkpoint, IRIS.base, client_share=0.5, client_queue_share=0.25)
        await pool.start()
        try:
            first, second, third = (
                asyncio.ensure_future(pool.run(RUNAWAY, 1, client="a")) for _ in range(3)
            )
            other = await pool.run(CHEAP, 60, client="b")
            assert b"true" in b"".join(other.chunks)
            with pytest.raises(Overloaded) as refused:
                await third
            assert refused.value.retry_after >= 1 and "your" in refused.value.message
            for task in (first, second):
                with pytest.raises(QueryTimeout):
                    await task
            assert pool.waiting == 0 and pool.busy == 0
        finally:
            await pool.stop()

    asyncio.run(scenario())


def test_a_pool_without_any_worker_says_so_and_heals(checkpoint: Checkpoints) -> None:
    async def scenario() -> None:
        shutil.rmtree(checkpoint.folder)
        checkpoint.folder.write_text("not a folder")  # no checkpoint can be republished
        pool = WorkerPool(1, 4, checkpoint, IRIS.base)
        await pool.start()
        try:
            for _ in range(600):  # bounded; retries back off from 0.25 s, doubling
                if pool.start_failures >= WorkerPool.FAIL_FAST_AFTER:
                    break
                await asyncio.sleep(0.1)
            assert pool.pids == [] and pool.start_failures >= WorkerPool.FAIL_FAST_AFTER
            problems = pool.problems(grace=0)
            assert any("failed to start" in p for p in problems), problems
            assert any("no worker can be had" in p for p in problems), problems
            with pytest.raises(Overloaded) as refused:  # a clear 503, never a crash
                await pool.run(CHEAP, 60)
            assert "checkpoint" in refused.value.message
            checkpoint.folder.unlink()  # the next retry republishes and starts a worker
            for _ in range(600):  # bounded; the back-off is at most 5 s
                if pool.pids:
                    break
                await asyncio.sleep(0.1)
            outcome = await pool.run(CHEAP, 60)
            assert b"true" in b"".join(outcome.chunks)
            assert len(pool.pids) == 1 and pool.problems(grace=0) == []
        finally:
            await pool.stop()

    asyncio.run(scenario())


# --- one piece of work shared among the idle workers -------------------------------------


def share_query(index: int, count: int) -> QueryJob:
    """A query that says which share it is; share 0 also has work to do, so that its answer
    comes last and still stands first."""
    work = "?a ?b ?c . ?d ?e ?f . ?g ?h ?i ." if index == 0 else ""
    return QueryJob(
        f'SELECT ?share (COUNT(*) AS ?n) {{ {work} BIND("{index}/{count}" AS ?share) }} '
        "GROUP BY ?share",
        "json",
    )


def shares_said(answers: list[tuple[object, list[bytes]]]) -> list[str]:
    said = []
    for _, chunks in answers:
        (row,) = json.loads(b"".join(chunks))["results"]["bindings"]
        said.append(row["share"]["value"])
    return said


@pytest.mark.parametrize(
    ("busy", "most", "said"),
    [
        (0, 2, ["0/2", "1/2"]),  # both idle: both take a share, answers in share order
        (1, 2, ["0/1"]),  # the other is busy: not waited for, one does it all
        (0, 1, ["0/1"]),
    ],
)
def test_shared_work_takes_the_idle_workers_only(
    checkpoint: Checkpoints, busy: int, most: int, said: list[str]
) -> None:
    async def scenario() -> None:
        pool = WorkerPool(2, 4, checkpoint, IRIS.base)
        await pool.start()
        try:
            runaways = [asyncio.ensure_future(pool.run(RUNAWAY, 120)) for _ in range(busy)]
            for _ in range(1000):  # bounded: until the runaways have their workers
                if pool.busy >= busy:
                    break
                await asyncio.sleep(0)
            assert pool.busy == busy and not any(task.done() for task in runaways)
            answers = await pool.ask_shared(share_query, 60, most=most)
            assert shares_said(answers) == said
            assert pool.busy == busy and pool.waiting == 0  # the shares' workers are free
            for task in runaways:
                task.cancel()
            await asyncio.gather(*runaways, return_exceptions=True)
        finally:
            await pool.stop()

    asyncio.run(scenario())


def test_a_failed_share_is_raised_once_the_others_have_finished(checkpoint: Checkpoints) -> None:
    async def scenario() -> None:
        restarts: list[str] = []
        pool = WorkerPool(2, 4, checkpoint, IRIS.base, on_restart=restarts.append)
        await pool.start()
        try:
            before = set(pool.pids)
            jobs = {0: CHEAP, 1: RUNAWAY}
            with pytest.raises(QueryTimeout):
                await pool.ask_shared(lambda index, count: jobs[index], 1)
            assert restarts == ["timeout"]  # share 1's worker, and that one only
            assert len(before & set(pool.pids)) == 1 and pool.busy == 0
            assert b"true" in b"".join((await pool.run(CHEAP, 60)).chunks)
        finally:
            await pool.stop()

    asyncio.run(scenario())


@pytest.mark.parametrize(
    "pieces",
    [
        [b"\x00\x00\x00\x05hello"],  # length and payload in one write (the usual case)
        [b"\x00\x00", b"\x00\x05he", b"llo"],  # split inside the length and the payload
        [b"\x00\x00\x00\x05", b"hello"],
        [b"\x00\x00\x00\x00"],  # an empty payload
    ],
)
def test_a_worker_reads_a_job_however_the_kernel_splits_it(pieces: list[bytes]) -> None:
    server, worker = socket.socketpair()

    def send_slowly() -> None:  # each piece after the worker has read the one before
        for piece in pieces:
            server.sendall(piece)
            time.sleep(0.05)
        server.shutdown(socket.SHUT_WR)

    with server, worker:
        sender = threading.Thread(target=send_slowly)
        sender.start()
        assert _receive(worker) == b"".join(pieces)[4:]
        assert _receive(worker) is None  # the server closed: the worker stops
        sender.join()


def test_a_worker_refuses_a_second_job_sent_before_its_answer() -> None:
    server, worker = socket.socketpair()
    with server, worker:
        server.sendall(b"\x00\x00\x00\x01a\x00\x00\x00\x01b")
        with pytest.raises(RuntimeError, match="before the first was answered"):
            _receive(worker)


def _answer_bytes(header: object, body: bytes) -> bytes:
    """What a worker writes for one answer (``_send``), as the server's socket reads it."""
    worker, server = socket.socketpair()
    with worker, server:
        sender = threading.Thread(target=_send, args=(worker, header, body))
        sender.start()
        wire = bytearray()
        while not wire.endswith(b"\x00\x00\x00\x00"):  # the end frame
            wire += server.recv(1 << 20)
        sender.join()
    return bytes(wire)


def _splits(wire: bytes, how: str) -> list[bytes]:
    if how == "whole":
        return [wire]
    if how == "bytes":
        return [wire[i : i + 1] for i in range(len(wire))]
    if how == "in-the-length":
        return [wire[:2], wire[2:]]
    cuts = sorted(random.Random(how).sample(range(1, len(wire)), min(40, len(wire) - 1)))
    return [wire[a:b] for a, b in zip([0, *cuts], [*cuts, len(wire)], strict=True)]


_SMALL, _LARGE = [b"", b"small body"], [bytes(range(256)) * (CHUNK // 100)]  # 2.5 chunks


@pytest.mark.parametrize(
    ("how", "body"),
    [
        *[
            (how, body)
            for how in ("whole", "in-the-length", "seed-1", "seed-2")
            for body in _SMALL + _LARGE
        ],
        *[("bytes", body) for body in _SMALL],  # a byte at a time: small answers only
    ],
)
def test_the_server_reads_an_answer_however_the_kernel_splits_it(how: str, body: bytes) -> None:
    wire = _answer_bytes({"truncated": True}, body)

    async def scenario() -> None:
        near, far = socket.socketpair()
        with far:
            loop = asyncio.get_running_loop()
            transport, link = await loop.create_unix_connection(_Link, sock=near)
            for _ in range(2):  # a second answer on the same link reads the same
                answer = link.ask(b"job")
                for piece in _splits(wire, how):
                    link.data_received(piece)
                header, chunks = await answer
                assert pickle.loads(header) == {"truncated": True}
                assert b"".join(chunks) == body
                assert all(len(chunk) <= CHUNK for chunk in chunks)
            assert far.recv(100) == b"\x00\x00\x00\x03job" * 2  # the jobs, framed
            transport.close()

    asyncio.run(scenario())


def test_a_worker_that_closes_mid_answer_fails_the_answer_and_later_asks() -> None:
    async def scenario() -> None:
        near, far = socket.socketpair()
        loop = asyncio.get_running_loop()
        _, link = await loop.create_unix_connection(_Link, sock=near)
        answer = link.ask(b"job")
        far.sendall(_answer_bytes("header", b"body")[:9])  # the header frame, part of the body
        far.close()
        with pytest.raises(ConnectionResetError):
            await asyncio.wait_for(answer, 10)
        with pytest.raises(ConnectionResetError):
            await link.ask(b"next")

    asyncio.run(scenario())


def test_frames_nobody_asked_for_are_dropped() -> None:
    async def scenario() -> None:
        near, far = socket.socketpair()
        with far:
            loop = asyncio.get_running_loop()
            transport, link = await loop.create_unix_connection(_Link, sock=near)
            link.data_received(_answer_bytes("stale", b"late"))  # e.g. after a deadline
            answer = link.ask(b"job")
            link.data_received(_answer_bytes("fresh", b"body"))
            header, chunks = await answer
            assert (pickle.loads(header), chunks) == ("fresh", [b"body"])
            transport.close()

    asyncio.run(scenario())
