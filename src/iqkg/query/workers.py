"""Killable query worker processes with deadlines, and the pool that feeds them.

pyoxigraph cannot cancel a running query from Python, so queries never run in the
server's process. A fixed number of worker processes is started once (no per-query
spawn); each owns one end of a Unix socket pair and answers one job at a time, reading
the newest read-only checkpoint (:mod:`iqkg.query.checkpoints`). When a job passes its
deadline the pool SIGKILLs that worker, which stops its CPU at once, and starts a
replacement in the background; other workers keep answering.

Wire format (both directions): frames of a 4-byte big-endian length and a payload.
Server → worker: one frame, a pickled :class:`~iqkg.query.execution.QueryJob`.
Worker → server: one frame with the pickled header (:class:`QueryAnswer` without its
body, or a :class:`QueryProblem`), then body frames, then an empty frame. Both ends are
this module, so pickle carries only our own plain dataclasses.

What callers may rely on: :meth:`WorkerPool.run` returns the body chunks or raises
:class:`~iqkg.errors.QueryTimeout` (deadline passed, worker killed),
:class:`~iqkg.errors.Overloaded` (queue full, with ``retry_after``),
:class:`~iqkg.errors.QuerySyntaxError` or :class:`QueryFailed`.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import pickle
import resource
import signal
import socket
import struct
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from typing import Any

from iqkg.errors import (
    InputError,
    IqkgError,
    NotAcceptable,
    Overloaded,
    QuerySyntaxError,
    QueryTimeout,
)
from iqkg.query.checkpoints import Checkpoints
from iqkg.query.execution import OpenCheckpoint, QueryAnswer, QueryJob, QueryProblem, answer
from iqkg.rdf.iris import IriScheme
from iqkg.rdf.stack import deep_stack_bytes, start_deep_thread

log = logging.getLogger("iqkg.query")

_LENGTH = struct.Struct(">I")
CHUNK = 1 << 20


class QueryFailed(IqkgError):
    """The engine could not evaluate a well-formed query (e.g. an allowed SERVICE failed)."""

    status = 502


@dataclass
class Outcome:
    """A finished query: its body in chunks, and whether the row limit cut it."""

    chunks: list[bytes]
    truncated: bool


# --- worker process ------------------------------------------------------------------


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this worker when the server dies, even mid-query."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _receive(sock: socket.socket) -> bytes | None:
    head = _read_exactly(sock, 4)
    if head is None:
        return None
    return _read_exactly(sock, _LENGTH.unpack(head)[0])


def _read_exactly(sock: socket.socket, size: int) -> bytes | None:
    buffer = bytearray()
    while len(buffer) < size:
        chunk = sock.recv(size - len(buffer))
        if not chunk:
            return None
        buffer += chunk
    return bytes(buffer)


def _frame(payload: bytes) -> bytes:
    return _LENGTH.pack(len(payload)) + payload


_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000


def leave_network() -> bool:
    """Move this process into a network namespace of its own, with no usable interface.

    The tokenizer in :mod:`iqkg.query.policy` refuses ``SERVICE`` before a query runs, but
    SPARQL's grammar has corners a tokenizer can misread; a worker without a network cannot
    be talked into a request whatever it reads. Needs root or unprivileged user
    namespaces; returns False (and the policy check alone guards) where neither is allowed.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    return any(
        libc.unshare(flags) == 0 for flags in (_CLONE_NEWNET, _CLONE_NEWUSER | _CLONE_NEWNET)
    )


def prepare_worker(memory_mb: int, isolate: bool) -> None:
    """What every worker does first: cap memory, leave the network, die with the server.

    ``memory_mb`` caps the address space: a query that would take the machine's memory
    (a few nested ``CONCAT``s double a string each) makes this worker abort instead, and
    the pool replaces it like one past its deadline. With ``isolate`` the worker leaves the
    network, so nothing it parses or runs can reach another host.
    """
    if memory_mb > 0:
        limit = memory_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if isolate and not leave_network():
        log.warning(
            "worker %d could not leave the network; SERVICE is refused by policy only",
            os.getpid(),
        )
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the server, which stops us


def serve_jobs(fd: int, handle: Callable[[Any], tuple[object, bytes]], memory_mb: int = 0) -> None:
    """Answer pickled jobs on ``fd`` with ``handle`` until the server closes the socket.

    ``handle`` returns the answer's header and body; the body travels in frames of at most
    :data:`CHUNK` bytes. The loop runs on a deep-stack thread (:mod:`iqkg.rdf.stack`):
    Oxigraph recurses as deep as the text it reads is nested.
    """

    def loop() -> None:
        sock = socket.socket(fileno=fd)
        while (request := _receive(sock)) is not None:
            header, body = handle(pickle.loads(request))
            head = _frame(pickle.dumps(header))
            if len(body) <= CHUNK:
                sock.sendall(head + (_frame(body) if body else b"") + _frame(b""))
                continue
            sock.sendall(head)
            for start in range(0, len(body), CHUNK):
                sock.sendall(_frame(body[start : start + CHUNK]))
            sock.sendall(_frame(b""))

    start_deep_thread(loop, "iqkg-worker", deep_stack_bytes(memory_mb)).join()


def serve_worker(fd: int, base: str, isolate: bool = True, memory_mb: int = 0) -> None:
    """A query worker: answer :class:`QueryJob` s over the newest checkpoint."""
    prepare_worker(memory_mb, isolate)
    iris = IriScheme(base)
    opened: list[OpenCheckpoint] = []

    def handle(job: QueryJob) -> tuple[object, bytes]:
        if not opened or opened[0].path != job.checkpoint:
            opened.clear()  # close the old one before opening the next
            opened.append(OpenCheckpoint(job.checkpoint, iris))
        if not job.sparql:  # a warm-up: open the checkpoint only
            return QueryAnswer(b""), b""
        result = answer(opened[0], job)
        if isinstance(result, QueryProblem):
            return result, b""
        return replace(result, body=b""), result.body

    serve_jobs(fd, handle, memory_mb)


@dataclass(frozen=True)
class WorkerKind:
    """What the processes of one pool run, and how their failures read to a client.

    ``entry`` names a function ``module:function`` called as ``function(fd, *args)`` in a
    fresh interpreter; ``warmup`` makes the job a new worker answers before it takes work
    (given the current checkpoint folder, or "" for a pool without checkpoints).
    """

    name: str
    entry: str
    args: tuple[str, ...]
    warmup: Callable[[str], object]
    crashed: Callable[[], IqkgError]
    timed_out: Callable[[float], IqkgError]


def query_kind(base: str, *, allow_network: bool, memory_mb: int) -> WorkerKind:
    return WorkerKind(
        name="query",
        entry="iqkg.query.workers:query_worker_main",
        args=(base, "network" if allow_network else "isolate", str(memory_mb)),
        warmup=lambda checkpoint: QueryJob("", "json", checkpoint=checkpoint),
        crashed=lambda: QueryFailed(
            "the query worker died while answering (out of memory?); the query was lost. "
            "Try a more selective query."
        ),
        timed_out=lambda timeout: QueryTimeout(
            f"the query ran past its deadline of {timeout:g} s and was stopped. Make it "
            "more selective (LIMIT, more specific patterns) or ask the operator to raise "
            "IQKG_QUERY_TIMEOUT."
        ),
    )


def query_worker_main(fd: int, base: str, mode: str, memory_mb: str) -> None:
    """The query worker's entry point: its arguments arrive as command-line strings."""
    serve_worker(fd, base, mode == "isolate", int(memory_mb))


# --- server side -----------------------------------------------------------------------


class Worker:
    """One worker process as the server sees it."""

    def __init__(
        self,
        process: asyncio.subprocess.Process,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self.process = process
        self.reader = reader
        self.writer = writer
        self.checkpoint = ""

    @property
    def pid(self) -> int:
        return self.process.pid

    async def ask(self, job: Any) -> tuple[Any, list[bytes]]:
        self.checkpoint = getattr(job, "checkpoint", "")
        payload = pickle.dumps(job)
        self.writer.write(_LENGTH.pack(len(payload)) + payload)
        header = pickle.loads(await self._frame())
        chunks: list[bytes] = []
        while chunk := await self._frame():
            chunks.append(chunk)
        return header, chunks

    async def _frame(self) -> bytes:
        (size,) = _LENGTH.unpack(await self.reader.readexactly(4))
        return await self.reader.readexactly(size) if size else b""

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        self.writer.close()


class WorkerPool:
    """``size`` worker processes behind a bounded queue of waiting queries."""

    def __init__(
        self,
        size: int,
        queue_size: int,
        checkpoints: Checkpoints | None,
        base: str,
        *,
        allow_network: bool = False,
        memory_mb: int = 0,
        on_restart: Callable[[str], None] = lambda reason: None,
        kind: WorkerKind | None = None,
    ) -> None:
        self.kind = kind or query_kind(base, allow_network=allow_network, memory_mb=memory_mb)
        self.allow_network = allow_network
        self.memory_mb = memory_mb
        self.size = size
        self.queue_size = queue_size
        self.checkpoints = checkpoints
        self.base = base
        self.on_restart = on_restart
        self.workers: list[Worker] = []
        self._idle: asyncio.Queue[Worker] = asyncio.Queue()
        self._busy: set[Worker] = set()
        self._waiting = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    @property
    def pids(self) -> list[int]:
        return [w.pid for w in self.workers]

    @property
    def waiting(self) -> int:
        return self._waiting

    @property
    def busy(self) -> int:
        return len(self.workers) - self._idle.qsize()

    async def start(self) -> None:
        await asyncio.gather(*(self._add_worker() for _ in range(self.size)))

    async def _add_worker(self) -> None:
        parent, child = socket.socketpair()
        try:
            module, function = self.kind.entry.split(":")
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                f"import sys; from {module} import {function}; "
                f"{function}(int(sys.argv[1]), *sys.argv[2:])",
                str(child.fileno()),
                *self.kind.args,
                pass_fds=(child.fileno(),),
                stdin=asyncio.subprocess.DEVNULL,
            )
        finally:
            child.close()
        reader, writer = await asyncio.open_unix_connection(sock=parent)
        worker = Worker(process, reader, writer)
        # Open the checkpoint before taking queries, so no client pays for it.
        current = str(self.checkpoints.current) if self.checkpoints else ""
        await worker.ask(self.kind.warmup(current))
        if self._closed:
            worker.kill()
            return
        self.workers.append(worker)
        self._idle.put_nowait(worker)

    async def run(self, job: QueryJob, timeout: float) -> Outcome:
        """Run a query on the next free worker, over the newest checkpoint."""
        assert self.checkpoints is not None, "a query pool reads checkpoints"
        job = replace(job, checkpoint=str(self.checkpoints.current))
        header, chunks = await self.ask(job, timeout)
        if isinstance(header, QueryProblem):
            raise _problem_error(header)
        return Outcome(chunks, header.truncated)

    async def ask(self, job: object, timeout: float) -> tuple[Any, list[bytes]]:
        """Send ``job`` to the next free worker; the deadline covers waiting too.

        Past the deadline the worker is killed (its CPU stops at once) and replaced; a
        worker that dies answering is replaced too, and the kind's error says why.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        worker = await self._acquire(timeout)
        self._busy.add(worker)
        try:
            async with asyncio.timeout_at(deadline):
                header, chunks = await worker.ask(job)
        except TimeoutError:
            self._replace(worker, "timeout")
            raise self.kind.timed_out(timeout) from None
        except (ConnectionError, asyncio.IncompleteReadError, EOFError):
            self._replace(worker, "crash")
            raise self.kind.crashed() from None
        except BaseException:
            self._replace(worker, "cancelled")
            raise
        self._release(worker)
        return header, chunks

    async def _acquire(self, timeout: float) -> Worker:
        if not self._idle.empty():
            return self._idle.get_nowait()
        if self._waiting >= self.queue_size:
            raise Overloaded(
                f"all {self.size} query workers are busy and {self._waiting} queries are "
                "waiting; retry shortly.",
                retry_after=1,
            )
        self._waiting += 1
        try:
            return await asyncio.wait_for(self._idle.get(), timeout)
        except TimeoutError:
            raise QueryTimeout(
                f"no query worker became free within the deadline of {timeout:g} s; the "
                "service is busy, retry shortly."
            ) from None
        finally:
            self._waiting -= 1

    def _release(self, worker: Worker) -> None:
        self._busy.discard(worker)
        self._idle.put_nowait(worker)
        if self.checkpoints is not None and self.checkpoints.needs_pruning:
            self._spawn(self._prune())

    async def _prune(self) -> None:
        """Delete checkpoints no running query reads.

        Only busy workers read their checkpoint: an idle one switches to the newest
        before it reads again, so the folder it last opened may go.
        """
        in_use = {w.checkpoint for w in self._busy}
        if self.checkpoints is not None:
            await asyncio.to_thread(self.checkpoints.prune, in_use)

    def _replace(self, worker: Worker, reason: str) -> None:
        """Kill ``worker`` now (its CPU stops) and start its successor in the background."""
        worker.kill()
        self._busy.discard(worker)
        if worker in self.workers:
            self.workers.remove(worker)
        self.on_restart(reason)
        log.warning(
            "%s worker %d killed (%s); starting a replacement", self.kind.name, worker.pid, reason
        )
        self._spawn(self._reap_and_add(worker))

    async def _reap_and_add(self, worker: Worker) -> None:
        await worker.process.wait()
        if not self._closed:
            await self._add_worker()

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        for worker in self.workers:
            worker.kill()
        for worker in self.workers:
            with contextlib.suppress(ProcessLookupError):
                await worker.process.wait()
        self.workers.clear()


def _problem_error(problem: QueryProblem) -> IqkgError:
    if problem.kind == "syntax":
        return QuerySyntaxError(
            f"the query does not parse: {problem.message}. Check the query near line "
            f"{problem.line}, column {problem.column}."
            if problem.line
            else f"the query does not parse: {problem.message}",
            detail={"line": problem.line, "column": problem.column},
        )
    if problem.kind == "evaluation":
        return InputError(f"the query cannot be evaluated: {problem.message}")
    if problem.kind == "unsupported":
        return NotAcceptable(
            f"the answer cannot be written in the format asked for ({problem.message}); "
            "ask for another one, e.g. Turtle or N-Triples."
        )
    return QueryFailed(f"the query failed while running: {problem.message}")
