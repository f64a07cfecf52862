"""Killable query worker processes with deadlines, and the pool that feeds them.

pyoxigraph cannot cancel a running query from Python, so queries never run in the
server's process. A fixed number of worker processes is started once (no per-query
spawn); each owns one end of a Unix socket pair and answers one job at a time, reading
the newest read-only checkpoint (:mod:`iqkg.query.checkpoints`). When a job passes its
deadline the pool SIGKILLs that worker, which stops its CPU at once, and starts a
replacement in the background; other workers keep answering.

Wire format (both directions): frames of a 4-byte big-endian length and a payload.
Server → worker: one frame, a pickled :class:`~iqkg.query.execution.QueryJob` (or a
:class:`~iqkg.query.execution.QueryBatch`: several queries on one checkpoint; or a
:class:`~iqkg.query.dumping.DumpJob`: the public dataset written to files, answered with
the version it holds).
Worker → server: one frame with the pickled header (whether the row limit cut the
answer, or a :class:`QueryProblem`), then body frames, then an empty frame, written at once
when the body fits one frame; the server splits them as they arrive (:class:`_Link`, a
protocol: a small answer is one read and no awaits). Both ends are this module, so pickle
carries only our own plain dataclasses.

What callers may rely on: :meth:`WorkerPool.run` returns the body chunks or raises
:class:`~iqkg.errors.QueryTimeout` (deadline passed, worker killed),
:class:`~iqkg.errors.Overloaded` (queue full, or the calling client past its share, with
``retry_after``; :class:`DataUnavailable` when no checkpoint can be had),
:class:`~iqkg.errors.QuerySyntaxError` or :class:`QueryFailed`. The pool heals itself
(failed starts are retried with back-off) and says what is wrong in
:meth:`WorkerPool.problems`.
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
from collections import Counter, deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from typing import Any, cast

from iqkg.errors import (
    InputError,
    IqkgError,
    NotAcceptable,
    Overloaded,
    QuerySyntaxError,
    QueryTimeout,
)
from iqkg.faults import NO_CRASHES, CrashPoints
from iqkg.query.checkpoints import Checkpoints
from iqkg.query.dumping import DumpJob, write_dump
from iqkg.query.execution import (
    OpenCheckpoint,
    QueryBatch,
    QueryJob,
    QueryProblem,
    answer,
    answer_batch,
)
from iqkg.rdf.iris import IriScheme
from iqkg.rdf.stack import deep_stack_bytes, start_deep_thread

log = logging.getLogger("iqkg.query")

_LENGTH = struct.Struct(">I")
#: What a worker asks the kernel for at once: a whole job, mostly.
_FIRST_READ = 1 << 16
CHUNK = 1 << 20


class QueryFailed(IqkgError):
    """The engine could not evaluate a well-formed query (e.g. an allowed SERVICE failed)."""

    status = 502


class DataUnavailable(Overloaded):
    """No checkpoint can be opened (deleted and not republishable, e.g. a full disk)."""


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
    """One job's frame. The server writes a job's length and payload at once, so one
    ``recv`` mostly brings both (one system call a job instead of two)."""
    first = sock.recv(_FIRST_READ)
    if len(first) < 4:
        rest = _read_exactly(sock, 4 - len(first)) if first else None
        if rest is None:
            return None
        first += rest
    size = _LENGTH.unpack_from(first)[0]
    payload = first[4:]
    if len(payload) > size:  # the pool sends a job only to a worker that has answered
        raise RuntimeError("a second job arrived before the first was answered")
    if len(payload) == size:
        return payload
    rest = _read_exactly(sock, size - len(payload))
    return None if rest is None else payload + rest


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


def serve_jobs(
    fd: int,
    handle: Callable[[Any], tuple[object, bytes]],
    memory_mb: int = 0,
    *,
    after: Callable[[], None] | None = None,
) -> None:
    """Answer pickled jobs on ``fd`` with ``handle`` until the server closes the socket.

    ``handle`` returns the answer's header and body; the body travels in frames of at most
    :data:`CHUNK` bytes. ``after`` runs once an answer is sent: work that need not delay
    it (freeing what the job built). The loop runs on a deep-stack thread (:mod:`iqkg.rdf.stack`):
    Oxigraph recurses as deep as the text it reads is nested.
    """

    def loop() -> None:
        sock = socket.socket(fileno=fd)
        while (request := _receive(sock)) is not None:
            header, body = handle(pickle.loads(request))
            _send(sock, header, body)
            del header, body, request
            if after is not None:
                after()

    start_deep_thread(loop, "iqkg-worker", deep_stack_bytes(memory_mb)).join()


def _send(sock: socket.socket, header: object, body: bytes) -> None:
    head = _frame(pickle.dumps(header))
    if len(body) <= CHUNK:
        sock.sendall(head + (_frame(body) if body else b"") + _frame(b""))
        return
    sock.sendall(head)
    for start in range(0, len(body), CHUNK):
        sock.sendall(_frame(body[start : start + CHUNK]))
    sock.sendall(_frame(b""))


def serve_worker(fd: int, base: str, isolate: bool = True, memory_mb: int = 0) -> None:
    """A query worker: answer :class:`QueryJob` s (batches, dumps) over the newest checkpoint."""
    prepare_worker(memory_mb, isolate)
    iris = IriScheme(base)
    opened: list[OpenCheckpoint] = []

    def handle(job: QueryJob | QueryBatch | DumpJob) -> tuple[object, bytes]:
        if not opened or opened[0].path != job.checkpoint:
            opened.clear()  # close the old one before opening the next
            opened.append(OpenCheckpoint(job.checkpoint, iris))
        if isinstance(job, DumpJob):
            return False, write_dump(opened[0].store, iris, job).encode()
        if isinstance(job, QueryBatch):
            result = answer_batch(opened[0], job)
        elif not job.sparql:  # a warm-up: open the checkpoint only
            return False, b""
        else:
            result = answer(opened[0], job)
        if isinstance(result, QueryProblem):
            return result, b""
        return result.truncated, result.body  # the header: whether the row limit cut it

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


class _Link(asyncio.Protocol):
    """The server's end of one worker's socket: a job out, its answer's frames in.

    A protocol rather than a stream reader: a small answer (its header, body and end
    frames, written at once) arrives in one read and is split there, where a stream took
    six awaits of ``readexactly``. At most one answer is awaited at a time (a worker takes
    one job at a time); frames that come when none is awaited are dropped.
    """

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        #: Bytes the buffer must hold before the frame it starts with is whole.
        self._wanted = 0
        self._header: bytes | None = None
        self._chunks: list[bytes] = []
        self._answer: asyncio.Future[tuple[bytes, list[bytes]]] | None = None
        self._closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def ask(self, payload: bytes) -> asyncio.Future[tuple[bytes, list[bytes]]]:
        """Send one job; the future holds its answer's pickled header and body chunks."""
        answer = asyncio.get_running_loop().create_future()
        if self._closed or self.transport is None:
            answer.set_exception(ConnectionResetError("the worker's socket is closed"))
            return answer
        self._answer, self._header, self._chunks = answer, None, []
        self.transport.write(_frame(payload))
        return answer

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        if buffer:  # part of a frame came before: wait until the frame is whole
            buffer += data
            if len(buffer) < self._wanted:
                return
            data = bytes(buffer)
            buffer.clear()
        offset, end_of_data = 0, len(data)
        while end_of_data - offset >= 4:
            (size,) = _LENGTH.unpack_from(data, offset)
            end = offset + 4 + size
            if end > end_of_data:
                break
            self._take(data[offset + 4 : end])
            offset = end
        if offset < end_of_data:
            buffer += data[offset:]
            self._wanted = 4 + _LENGTH.unpack_from(buffer)[0] if len(buffer) >= 4 else 4

    def _take(self, payload: bytes) -> None:
        if self._header is None:
            self._header = payload
        elif payload:
            self._chunks.append(payload)
        else:  # the end frame: the answer is whole
            answer, self._answer = self._answer, None
            if answer is not None and not answer.done():
                answer.set_result((self._header, self._chunks))
            self._header, self._chunks = None, []

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        answer, self._answer = self._answer, None
        if answer is not None and not answer.done():
            answer.set_exception(ConnectionResetError("the worker closed its socket"))


def _expire(answer: asyncio.Future[Any]) -> None:
    if not answer.done():
        answer.set_exception(TimeoutError())


class Worker:
    """One worker process as the server sees it."""

    def __init__(self, process: asyncio.subprocess.Process, link: _Link) -> None:
        self.process = process
        self.link = link
        self.checkpoint = ""

    @property
    def pid(self) -> int:
        return self.process.pid

    async def ask(self, job: Any, deadline: float | None = None) -> tuple[Any, list[bytes]]:
        """``job``'s answer; past ``deadline`` (the loop's clock) TimeoutError. The deadline
        is a timer on the answer's future: half the cost of ``asyncio.timeout_at``."""
        self.checkpoint = getattr(job, "checkpoint", "")
        answer = self.link.ask(pickle.dumps(job))
        timer = None
        if deadline is not None:
            timer = asyncio.get_running_loop().call_at(deadline, _expire, answer)
        try:
            header, chunks = await answer
        finally:
            if timer is not None:
                timer.cancel()
        return pickle.loads(header), chunks

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        if self.link.transport is not None:
            self.link.transport.close()


@dataclass
class _Waiter:
    """A request waiting for a worker: who sent it, and where its worker will be put."""

    client: str | None
    handed: asyncio.Future[Worker]


class WorkerPool:
    """``size`` worker processes behind a bounded queue of waiting jobs.

    The pool heals: a worker that dies or is killed is replaced, and a replacement that
    fails to start is retried with back-off until the pool is whole (see :meth:`problems`
    for what ``/health`` reports meanwhile). In a pool with checkpoints every worker holds
    a lease on the checkpoint it has open (:mod:`iqkg.query.checkpoints`), so no folder is
    deleted under it; such a pool's jobs carry a ``checkpoint`` field, which it fills in.

    Fairness: with ``client_share``/``client_queue_share`` below 1, one client (whatever
    string the caller passes as ``client``: an address, a token) holds at most that share
    of the workers and of the queue; past it, its own requests get
    :class:`~iqkg.errors.Overloaded` while other clients keep being served.
    """

    #: Seconds before the first retry of a worker that failed to start (doubling, capped).
    RETRY_DELAY = 0.25
    MAX_RETRY_DELAY = 5.0
    #: Failed starts in a row after which, with no worker running, requests get 503 at once.
    FAIL_FAST_AFTER = 3
    #: How long a new worker may take to open its checkpoint before it counts as failed.
    WARM_UP_TIMEOUT = 120.0
    #: Seconds between background looks at the checkpoint (doubling, up to
    #: MAX_RETRY_DELAY, while republishing fails).
    CHECKPOINT_LOOK_EVERY = 1.0

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
        client_share: float = 1.0,
        client_queue_share: float = 1.0,
        crashes: CrashPoints = NO_CRASHES,
    ) -> None:
        self.kind = kind or query_kind(base, allow_network=allow_network, memory_mb=memory_mb)
        self.allow_network = allow_network
        self.memory_mb = memory_mb
        self.size = size
        self.queue_size = queue_size
        self.checkpoints = checkpoints
        self.base = base
        self.on_restart = on_restart
        self.crashes = crashes
        #: Most workers, and most waiting places, one client may hold at once.
        self.client_workers = max(1, int(client_share * size))
        self.client_queue = max(1, int(client_queue_share * queue_size))
        self.workers: list[Worker] = []
        self._idle: deque[Worker] = deque()
        self._waiters: deque[_Waiter] = deque()
        self._holder: dict[Worker, str | None] = {}
        self._holding: Counter[str] = Counter()
        self._queued: Counter[str] = Counter()
        self._leases: dict[Worker, list[str]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        #: Health counters: since when the pool is short (monotonic), failed starts.
        self.short_since: float | None = None
        self.start_failures = 0
        self.last_start_error: str | None = None
        self._failures_in_a_row = 0

    @property
    def pids(self) -> list[int]:
        return [w.pid for w in self.workers]

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    @property
    def busy(self) -> int:
        return len(self.workers) - len(self._idle)

    def problems(self, grace: float) -> list[str]:
        """Why this pool cannot serve as configured, for ``/health`` (empty when whole).

        A pool short for less than ``grace`` seconds is not a problem: a worker killed at
        its deadline is replaced within about a second.
        """
        found = []
        if self.last_start_error is not None and len(self.workers) < self.size:
            found.append(
                f"a worker failed to start ({self.start_failures} failures so far; retrying): "
                f"{self.last_start_error}"
            )
        if self.short_since is not None:
            short_for = asyncio.get_running_loop().time() - self.short_since
            if short_for > grace:
                found.append(
                    f"only {len(self.workers)} of {self.size} workers for {short_for:.0f} s"
                    if self.workers
                    else f"no worker can be had: none running for {short_for:.0f} s"
                )
        return found

    async def start(self) -> None:
        """Start every worker; one that fails is retried in the background."""
        self._note_size()
        started = await asyncio.gather(
            *(self._try_add_worker() for _ in range(self.size)), return_exceptions=True
        )
        for ok in started:
            if ok is not True:
                self._spawn(self._add_until_started())
        if self.checkpoints is not None:
            self._spawn(self._keep_checkpoint_current(self.checkpoints))

    async def _keep_checkpoint_current(self, checkpoints: Checkpoints) -> None:
        """Republish a lost or stale checkpoint in the background, with back-off, so an
        idle server heals (and ``/health`` says so) without waiting for a query to ask
        for a lease."""
        delay = self.CHECKPOINT_LOOK_EVERY
        while not self._closed:
            await asyncio.sleep(delay)
            if checkpoints.lost_or_stale:
                await self._republish(checkpoints)
            if checkpoints.lost_or_stale:
                delay = min(delay * 2, self.MAX_RETRY_DELAY)
            else:
                delay = self.CHECKPOINT_LOOK_EVERY

    async def _republish(self, checkpoints: Checkpoints) -> None:
        """:meth:`Checkpoints.ensure_current` off the event loop; a failure is logged and
        left in ``publish_error`` for ``/health``."""
        try:
            await asyncio.to_thread(checkpoints.ensure_current)
        except Exception as error:  # reported by /health; a query that needs it gets 503
            log.warning("could not republish the checkpoint: %s", error)

    async def _try_add_worker(self) -> bool:
        """One attempt to start a worker; a failure is counted, logged and answered False."""
        try:
            await self._add_worker()
        except Exception as error:  # any failure to start: retried by the caller
            self.start_failures += 1
            self._failures_in_a_row += 1
            self.last_start_error = (
                f"{type(error).__name__}: {error}" if str(error) else (type(error).__name__)
            )
            log.warning("a %s worker failed to start: %s", self.kind.name, self.last_start_error)
            return False
        self._failures_in_a_row = 0
        return True

    async def _add_until_started(self) -> None:
        """Start one worker, retrying with back-off until it runs or the pool stops.

        Each attempt first republishes the newest checkpoint if it is gone (a deleted
        checkpoints folder would make every warm-up fail).
        """
        delay = self.RETRY_DELAY
        while not self._closed and not await self._try_add_worker():
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.MAX_RETRY_DELAY)

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
        _, link = await asyncio.get_running_loop().create_unix_connection(_Link, sock=parent)
        worker = Worker(process, link)
        checkpoint: str | None = None
        try:
            if self.checkpoints is not None:
                checkpoint = await self._current_checkpoint(self.checkpoints)
            self.crashes.reach("worker.warm-up", pid=process.pid)
            # Open the checkpoint (or whatever the kind loads) before taking jobs, so no
            # client pays for it.
            async with asyncio.timeout(self.WARM_UP_TIMEOUT):
                await worker.ask(self.kind.warmup(checkpoint or ""))
        except BaseException:
            if checkpoint is not None and self.checkpoints is not None:
                self.checkpoints.release(checkpoint)
            worker.kill()
            with contextlib.suppress(ProcessLookupError):
                await asyncio.shield(process.wait())
            raise
        self._leases[worker] = [checkpoint] if checkpoint is not None else []
        if self._closed:
            self._forget(worker)
            worker.kill()
            return
        self.workers.append(worker)
        self._note_size()
        self._idle.append(worker)
        self._spawn(self._watch(worker))
        self._dispatch()

    async def _watch(self, worker: Worker) -> None:
        """Replace a worker that dies while idle (a busy one is replaced by its job)."""
        await worker.process.wait()
        if worker in self.workers and worker not in self._holder:
            self._replace(worker, "died")

    async def _current_checkpoint(self, checkpoints: Checkpoints) -> str:
        """A lease on the newest checkpoint, republished first if it was lost or is stale."""
        if checkpoints.lost_or_stale:
            await self._republish(checkpoints)
            current = checkpoints.current
            if current is None or not current.exists():
                raise DataUnavailable(
                    "the data cannot be read right now: its read-only checkpoint is gone and "
                    f"could not be republished ({checkpoints.publish_error}); the "
                    "operator is told by /health. Retry later.",
                    retry_after=5,
                )
        return checkpoints.lease()

    async def run(
        self, job: QueryJob | QueryBatch | DumpJob, timeout: float, *, client: str | None = None
    ) -> Outcome:
        """Run a query (or a batch, on one checkpoint, or a dump written to files) on the
        next free worker, over the newest checkpoint."""
        assert self.checkpoints is not None, "a query pool reads checkpoints"
        header, chunks = await self.ask(job, timeout, client=client)
        if isinstance(header, QueryProblem):
            raise _problem_error(header)
        return Outcome(chunks, bool(header))

    async def ask(
        self, job: Any, timeout: float, *, client: str | None = None
    ) -> tuple[Any, list[bytes]]:
        """Send ``job`` to the next free worker; the deadline covers waiting too.

        Past the deadline the worker is killed (its CPU stops at once) and replaced; a
        worker that dies answering is replaced too, and the kind's error says why.
        ``client`` names who asked (for the per-client shares); None is not limited. In a
        pool with checkpoints the job's ``checkpoint`` is set to a lease on the newest.
        """
        deadline = asyncio.get_running_loop().time() + timeout
        worker = await self._acquire(timeout, client)
        return await self._answer(worker, job, deadline, timeout)

    async def ask_shared(
        self,
        jobs: Callable[[int, int], Any],
        timeout: float,
        *,
        client: str | None = None,
        most: int = 2,
    ) -> list[tuple[Any, list[bytes]]]:
        """One piece of work shared among up to ``most`` workers: ``jobs(index, count)``
        is share ``index`` of ``count``; the answers come in that order.

        The first worker is got as by :meth:`ask` (waiting if need be, within the client's
        share), the others only if they are idle now: sharing borrows cores that would
        otherwise wait (nobody is queued while a worker is idle), beyond the client's
        share, and never queues (``count`` may be 1). A request that comes meanwhile
        waits at most until the shared work ends, as behind any busy worker. Each share
        has the same deadline and the same fate as an :meth:`ask`; if one fails, the
        others are let finish (their workers stay) and the first failure is raised.
        """
        deadline = asyncio.get_running_loop().time() + timeout
        workers = [await self._acquire(timeout, client)]
        while len(workers) < most and self._idle:
            worker = self._take_idle()
            self._hold(worker, client)
            workers.append(worker)
        count = len(workers)
        answers = await asyncio.gather(
            *(
                self._answer(worker, jobs(index, count), deadline, timeout)
                for index, worker in enumerate(workers)
            ),
            return_exceptions=True,
        )
        for outcome in answers:
            if isinstance(outcome, BaseException):
                raise outcome
        return cast(list[tuple[Any, list[bytes]]], answers)

    async def _answer(
        self, worker: Worker, job: Any, deadline: float, timeout: float
    ) -> tuple[Any, list[bytes]]:
        """``job``'s answer from ``worker`` (acquired for it), then the worker is free
        again; past ``deadline`` or on a crash it is replaced."""
        if self.checkpoints is not None:
            try:
                checkpoint = await self._current_checkpoint(self.checkpoints)
            except BaseException:
                self._release(worker)
                raise
            self._leases[worker].append(checkpoint)
            job = replace(job, checkpoint=checkpoint)
        try:
            header, chunks = await worker.ask(job, deadline)
        except TimeoutError:
            self._replace(worker, "timeout")
            raise self.kind.timed_out(timeout) from None
        except (ConnectionError, EOFError):
            self._replace(worker, "crash")
            raise self.kind.crashed() from None
        except BaseException:
            self._replace(worker, "cancelled")
            raise
        self._settle_leases(worker)
        self._release(worker)
        return header, chunks

    async def _acquire(self, timeout: float, client: str | None = None) -> Worker:
        """A worker for ``client``: at once, or after waiting in the queue (fair shares)."""
        if self._idle and self._may_hold(client):
            worker = self._take_idle()
            self._hold(worker, client)
            return worker
        if client is not None and self._queued[client] >= self.client_queue:
            raise Overloaded(
                f"the service is busy with your requests: {self._holding[client]} of yours "
                f"are running and {self._queued[client]} waiting, your share of the "
                f"{self.size} workers and the queue (IQKG_CLIENT_WORKER_SHARE, "
                "IQKG_CLIENT_QUEUE_SHARE); retry when one has finished.",
                retry_after=1,
            )
        if not self.workers and self._failures_in_a_row >= self.FAIL_FAST_AFTER:
            raise Overloaded(  # waiting would only run out the deadline
                f"no worker can be started right now: {self.last_start_error}",
                retry_after=5,
            )
        if len(self._waiters) >= self.queue_size:
            raise Overloaded(
                f"all {self.size} workers are busy and {len(self._waiters)} requests are "
                "waiting; retry shortly.",
                retry_after=1,
            )
        waiter = _Waiter(client, asyncio.get_running_loop().create_future())
        self._waiters.append(waiter)
        if client is not None:
            self._queued[client] += 1
        try:
            return await asyncio.wait_for(waiter.handed, timeout)
        except BaseException as error:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
            elif waiter.handed.done() and not waiter.handed.cancelled():
                self._release(waiter.handed.result())  # handed over just as we gave up
            if isinstance(error, TimeoutError):
                raise QueryTimeout(
                    f"no worker became free within the deadline of {timeout:g} s; the "
                    "service is busy, retry shortly."
                ) from None
            raise
        finally:
            if client is not None:
                self._queued[client] -= 1
                if self._queued[client] <= 0:
                    del self._queued[client]

    def _take_idle(self) -> Worker:
        """The idle worker to use next: one still on an older checkpoint first, else the
        one that finished last.

        Last finished, first used: while workers wait for work (the server, not the
        workers, is the bottleneck of cheap queries), one worker answers query after query
        with its caches warm (CPU caches, RocksDB's block cache); taken in turn, each
        worker's query cost ~25% more CPU (measured with ``wrk`` on query 12). A worker on
        an older checkpoint goes first so that, as in turn, every worker moves to a new
        checkpoint within as many queries as there are workers and the old folder can go.
        """
        current = self.checkpoints.current if self.checkpoints is not None else None
        if current is not None:
            newest = str(current)
            for worker in reversed(self._idle):
                held = self._leases.get(worker)
                if held and held[-1] != newest:
                    self._idle.remove(worker)
                    return worker
        return self._idle.pop()

    def _may_hold(self, client: str | None) -> bool:
        return client is None or self._holding[client] < self.client_workers

    def _hold(self, worker: Worker, client: str | None) -> None:
        self._holder[worker] = client
        if client is not None:
            self._holding[client] += 1

    def _unhold(self, worker: Worker) -> None:
        client = self._holder.pop(worker, None)
        if client is not None:
            self._holding[client] -= 1
            if self._holding[client] <= 0:
                del self._holding[client]

    def _dispatch(self) -> None:
        """Hand idle workers to the first waiters whose client is under its share."""
        while self._idle and self._waiters:
            waiter = next(
                (w for w in self._waiters if not w.handed.done() and self._may_hold(w.client)),
                None,
            )
            if waiter is None:
                return
            self._waiters.remove(waiter)
            worker = self._take_idle()
            self._hold(worker, waiter.client)
            waiter.handed.set_result(worker)

    def _release(self, worker: Worker) -> None:
        self._unhold(worker)
        self._idle.append(worker)
        self._dispatch()
        if self.checkpoints is not None and self.checkpoints.needs_pruning:
            self._spawn(self._prune())

    def _settle_leases(self, worker: Worker) -> None:
        """The worker has answered on its newest checkpoint: it no longer reads older ones."""
        held = self._leases.get(worker, [])
        for path in held[:-1]:
            if self.checkpoints is not None:
                self.checkpoints.release(path)
        self._leases[worker] = held[-1:]

    def _forget(self, worker: Worker) -> None:
        """Return every lease of a worker that is dead or about to be."""
        for path in self._leases.pop(worker, []):
            if self.checkpoints is not None:
                self.checkpoints.release(path)

    async def _prune(self) -> None:
        """Delete checkpoints no worker holds a lease on (see :mod:`~iqkg.query.checkpoints`)."""
        if self.checkpoints is not None:
            await asyncio.to_thread(self.checkpoints.prune)

    def _note_size(self) -> None:
        """Keep :attr:`short_since` true: when the pool became short, None when whole."""
        if len(self.workers) >= self.size:
            self.short_since = None
            self.last_start_error = None  # whole again: past failures no longer matter
        elif self.short_since is None:
            self.short_since = asyncio.get_running_loop().time()

    def _replace(self, worker: Worker, reason: str) -> None:
        """Kill ``worker`` now (its CPU stops) and start its successor in the background."""
        worker.kill()
        self._unhold(worker)
        if worker in self._idle:
            self._idle.remove(worker)
        if worker in self.workers:
            self.workers.remove(worker)
        self._note_size()
        self.on_restart(reason)
        log.warning(
            "%s worker %d killed (%s); starting a replacement", self.kind.name, worker.pid, reason
        )
        self._spawn(self._reap_and_add(worker))
        self._dispatch()  # its client's share is free again: an idle worker may now serve it

    async def _reap_and_add(self, worker: Worker) -> None:
        await worker.process.wait()
        self._forget(worker)  # only now is nothing reading its checkpoints
        if self.checkpoints is not None and self.checkpoints.needs_pruning:
            await self._prune()
        await self._add_until_started()

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
            self._forget(worker)
        self.workers.clear()
        self._idle.clear()


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
