"""The engines under test, behind one small interface.

Each engine is started over the same N-Triples file, answers the query mix and is stopped
again. HTTP engines are real servers in their own process (group) on a free loopback port;
the benchmark times a request from sending it to having read the whole body, and counts
rows only afterwards. The in-process pyoxigraph engine times evaluation plus iterating over
every solution, which is the least any server must do: the engine's limit.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from benchmarks.generate import BENCH_GRAPH
from benchmarks.mix import BenchQuery

SELECT_ACCEPT = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"
REQUEST_TIMEOUT = 300.0

_RDF_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


class EngineUnavailable(Exception):
    """The engine cannot run here (not installed, no endpoint yet); the run skips it."""


class QueryFailed(Exception):
    """A query returned an error or an unreadable answer."""


@dataclass(frozen=True)
class Timed:
    seconds: float
    rows: int


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Engine(ABC):
    """One system under test."""

    name: str = ""
    label: str = ""
    #: The SPARQL endpoint (HTTP engines only), for the throughput test.
    endpoint: str | None = None
    #: The server process (HTTP engines only), for memory sampling.
    pid: int | None = None
    #: Runs inside the benchmark process (memory is this process's growth).
    in_process: bool = False
    #: Told the server's pid as soon as it is spawned (to start memory sampling).
    on_spawn: Callable[[int], None] | None = None

    def check_available(self) -> None:  # noqa: B027 (optional hook, most engines need none)
        """Raise :class:`EngineUnavailable` with a reason when the engine cannot run."""

    @abstractmethod
    def start(self, data: Path, workdir: Path) -> None: ...

    @abstractmethod
    def execute(self, query: BenchQuery) -> Timed: ...

    @abstractmethod
    def stop(self) -> None: ...

    def died(self) -> str | None:
        """Why the engine is gone, or None while it runs."""
        return None


# --- in-process pyoxigraph --------------------------------------------------------------


class InProcessOxigraph(Engine):
    name, label = "pyoxigraph", "pyoxigraph (in-process)"
    in_process = True

    def __init__(self) -> None:
        self.store: ox.Store | None = None

    def start(self, data: Path, workdir: Path) -> None:
        # On disk (RocksDB) like iqkg's store, data in a named graph, queried as the union.
        self.store = ox.Store(str(workdir / "oxigraph"))
        self.store.bulk_load(
            path=str(data), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(BENCH_GRAPH)
        )
        self.store.optimize()

    def execute(self, query: BenchQuery) -> Timed:
        assert self.store is not None
        started = time.perf_counter()
        result = self.store.query(query.text, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryBoolean):
            seconds, rows = time.perf_counter() - started, int(bool(result))
        elif isinstance(result, ox.QueryTriples):
            triples = list(result)
            seconds, rows = time.perf_counter() - started, len(set(triples))
        else:
            rows = sum(1 for _ in result)
            seconds = time.perf_counter() - started
        return Timed(seconds, rows)

    def stop(self) -> None:
        self.store = None


# --- HTTP engines -------------------------------------------------------------------------


def count_rows(query: BenchQuery, body: bytes, content_type: str) -> int:
    """Rows of a SPARQL JSON result, or distinct triples of an RDF answer."""
    media = content_type.split(";")[0].strip().lower()
    if not query.is_graph:
        try:
            doc = json.loads(body)
        except ValueError as error:
            raise QueryFailed(f"not SPARQL JSON ({media}): {body[:200]!r}") from error
        if "boolean" in doc:
            return int(bool(doc["boolean"]))
        return len(doc["results"]["bindings"])
    syntax = _RDF_FORMATS.get(media)
    if syntax is None:
        raise QueryFailed(f"unexpected media type for {query.form}: {media!r}")
    triples = {quad.triple for quad in ox.parse(body, format=syntax)}
    return len(triples)


class HttpEngine(Engine):
    """An engine reached through the SPARQL 1.1 Protocol (``GET ?query=``)."""

    ready_timeout = 600.0
    #: What the client offers; ``gzip, deflate`` is what httpx, requests, curl
    #: --compressed and browsers send. A server that compresses pays for it on loopback.
    accept_encoding = "gzip, deflate"

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.client: httpx.Client | None = None
        self.log: Path | None = None

    def execute(self, query: BenchQuery) -> Timed:
        assert self.client is not None and self.endpoint is not None
        url = f"{self.endpoint}?{urlencode({'query': query.text})}"
        accept = GRAPH_ACCEPT if query.is_graph else SELECT_ACCEPT
        started = time.perf_counter()
        try:
            response = self.client.get(
                url, headers={"Accept": accept, "Accept-Encoding": self.accept_encoding}
            )
            body = response.content
        except httpx.HTTPError as error:
            raise QueryFailed(f"{type(error).__name__}: {error}") from error
        seconds = time.perf_counter() - started
        if response.status_code != 200:
            raise QueryFailed(f"HTTP {response.status_code}: {body[:300]!r}")
        return Timed(seconds, count_rows(query, body, response.headers.get("content-type", "")))

    def spawn(self, command: list[str], workdir: Path, env: dict[str, str] | None = None) -> None:
        """Start the server in its own process group, output to ``workdir/<name>.log``."""
        self.log = workdir / f"{self.name}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(env or {})},
                cwd=workdir,
                start_new_session=True,
            )
        self.pid = self.process.pid
        if self.on_spawn is not None:
            self.on_spawn(self.pid)

    def wait_ready(self, probe: str = "ASK {}") -> None:
        """Poll the endpoint until it answers a trivial query (or the server dies)."""
        assert self.endpoint is not None
        self.client = httpx.Client(timeout=REQUEST_TIMEOUT)
        deadline = time.monotonic() + self.ready_timeout
        url = f"{self.endpoint}?{urlencode({'query': probe})}"
        last = ""
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise EngineUnavailable(f"{self.label} exited: {self.log_tail()}")
            try:
                response = self.client.get(url, headers={"Accept": SELECT_ACCEPT})
                if response.status_code == 200:
                    return
                last = f"HTTP {response.status_code}: {response.text[:200]}"
                if response.status_code == 404:
                    raise EngineUnavailable(f"{self.label}: {self.endpoint} answers 404 ({last})")
            except httpx.TransportError as error:
                last = str(error)
            time.sleep(0.2)
        raise EngineUnavailable(f"{self.label} not ready in {self.ready_timeout:.0f} s: {last}")

    def died(self) -> str | None:
        """Why the server is gone (exit status and log tail), or None while it runs."""
        if self.process is None or self.process.poll() is None:
            return None
        return f"{self.label} exited with status {self.process.returncode}:\n{self.log_tail()}"

    def log_tail(self, lines: int = 15) -> str:
        if self.log is None or not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.process is None or self.process.poll() is not None:
            return
        # Only the group this engine started: the server and its own workers.
        pgid = self.process.pid
        os.killpg(pgid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.process.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):  # workers that outlived their parent
            os.killpg(pgid, signal.SIGKILL)


class Iqkg(HttpEngine):
    """iqkg with its result cache off: every request runs its query in a worker.

    The benchmark repeats each query, which a result cache would answer from memory; with
    the cache off the figures are what a fresh query costs (the goals are judged on this).
    """

    name, label = "iqkg", "iqkg (HTTP, result cache off)"
    #: The dumps get the client's patience: at 10M triples a query worker writes them in
    #: minutes, past the default IQKG_DUMP_TIMEOUT (300 s) on a loaded machine.
    #: wrk's connections all come from 127.0.0.1, which iqkg's fairness takes for one
    #: client and holds to half the workers and queue (most of 32 connections got 503s);
    #: they stand for distinct clients here, so one address may use the whole pool.
    settings: dict[str, str] = {  # noqa: RUF012
        "IQKG_RESULT_CACHE_BYTES": "0",
        "IQKG_DUMP_TIMEOUT": "1800",
        "IQKG_CLIENT_WORKER_SHARE": "1",
        "IQKG_CLIENT_QUEUE_SHARE": "1",
    }
    #: The dump the benchmark fetches (the first request writes every dump format).
    dump_name = "iqkg.nq.gz"
    dump_timeout = 1800.0

    def __init__(self) -> None:
        super().__init__()
        self.store_build: StoreBuild | None = None

    def start(self, data: Path, workdir: Path) -> None:
        store = workdir / "iqkg-store"
        # Build the store in a child process so its RocksDB lock is released before the
        # server opens it; its progress lines go to our standard error.
        started = time.perf_counter()
        built = subprocess.run(
            [sys.executable, "-m", "benchmarks.iqkg_store", "--store", str(store), str(data)],
            check=True,
            cwd=Path(__file__).parent.parent,
            stdout=subprocess.PIPE,
            text=True,
        )
        summary = json.loads(built.stdout.strip().splitlines()[-1])
        self.store_build = StoreBuild(
            quads=summary["quads"],
            load_seconds=summary["load_seconds"],
            build_seconds=time.perf_counter() - started,
            size_bytes=folder_bytes(store),
        )
        port = free_port()
        self.endpoint = f"http://127.0.0.1:{port}/sparql"
        self.spawn(
            [sys.executable, "-m", "iqkg", "serve", "--host", "127.0.0.1", "--port", str(port)],
            workdir,
            {"IQKG_STORE": str(store), **self.settings},
        )
        self.wait_ready()

    def fetch_dump(self) -> DumpFetch:
        """GET the published dump, timed to its last byte (written on first request)."""
        assert self.endpoint is not None
        url = self.endpoint.removesuffix("/sparql") + f"/dumps/{self.dump_name}"
        started = time.perf_counter()
        size = 0
        with (
            httpx.Client(timeout=self.dump_timeout) as client,
            client.stream("GET", url, headers={"Accept-Encoding": "identity"}) as response,
        ):
            for chunk in response.iter_raw():
                size += len(chunk)
        seconds = time.perf_counter() - started
        if response.status_code != 200:
            raise QueryFailed(f"dump: HTTP {response.status_code}")
        return DumpFetch(self.dump_name, seconds, size)


@dataclass(frozen=True)
class StoreBuild:
    """iqkg's store for the benchmark: bulk load, whole build (version stamp, compaction,
    swap) and size on disk."""

    quads: int
    load_seconds: float
    build_seconds: float
    size_bytes: int


@dataclass(frozen=True)
class DumpFetch:
    name: str
    seconds: float
    size_bytes: int


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


class IqkgCached(Iqkg):
    """iqkg as installed: repeated identical queries are answered from the result cache."""

    name, label = "iqkg-cached", "iqkg (HTTP, default: result cache on)"
    #: Defaults but for the fairness shares (see :attr:`Iqkg.settings`).
    settings: dict[str, str] = {  # noqa: RUF012
        "IQKG_CLIENT_WORKER_SHARE": "1",
        "IQKG_CLIENT_QUEUE_SHARE": "1",
    }


class RdflibEndpoint(HttpEngine):
    name, label = "rdflib", "rdflib-endpoint (HTTP)"

    def check_available(self) -> None:
        try:
            import rdflib_endpoint  # noqa: F401
        except ImportError as error:
            raise EngineUnavailable(
                "rdflib-endpoint is not installed (pip install -e '.[bench]')"
            ) from error

    def start(self, data: Path, workdir: Path) -> None:
        port = free_port()
        self.endpoint = f"http://127.0.0.1:{port}/sparql"
        self.spawn(
            [
                sys.executable,
                "-m",
                "benchmarks.rdflib_server",
                "--data",
                str(data),
                "--port",
                str(port),
            ],
            workdir,
            {"PYTHONPATH": str(Path(__file__).parent.parent)},
        )
        self.wait_ready()


class BareFastApi(HttpEngine):
    name, label = "bare", "bare FastAPI + pyoxigraph (HTTP)"

    def start(self, data: Path, workdir: Path) -> None:
        port = free_port()
        self.endpoint = f"http://127.0.0.1:{port}/sparql"
        self.spawn(
            [
                sys.executable, "-m", "benchmarks.bare_server", "--data", str(data),
                "--store", str(workdir / "store"), "--port", str(port),
            ],
            workdir,
            {"PYTHONPATH": str(Path(__file__).parent.parent)},
        )  # fmt: skip
        self.wait_ready()


def make_engines(names: list[str]) -> list[Engine]:
    from benchmarks.virtuoso import Virtuoso

    known: dict[str, type[Engine]] = {
        "pyoxigraph": InProcessOxigraph,
        "iqkg": Iqkg,
        "iqkg-cached": IqkgCached,
        "rdflib": RdflibEndpoint,
        "virtuoso": Virtuoso,
        "bare": BareFastApi,
    }
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"unknown engine(s) {unknown}; choose from {sorted(known)}")
    return [known[n]() for n in names]
