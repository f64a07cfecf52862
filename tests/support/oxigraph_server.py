"""The Oxigraph server (``oxigraph serve``, PyPI package ``oxigraph``) on a free loopback
port in a folder, for the remote store's tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.server import free_port


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` command beside this Python (the venv), else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.exists() else shutil.which("oxigraph")


@dataclass(frozen=True)
class OxigraphServer:
    url: str
    process: subprocess.Popen[bytes]

    @property
    def query_url(self) -> str:
        return f"{self.url}/query"

    @property
    def update_url(self) -> str:
        return f"{self.url}/update"


@contextmanager
def oxigraph_server(folder: Path, *, timeout_s: int = 60) -> Iterator[OxigraphServer]:
    """Start ``oxigraph serve`` on ``folder``; wait until it answers; stop it after.

    ``--timeout-s`` bounds what iqkg cannot stop by closing the connection (an engine
    computing before its first solution); iqkg's deadlines are shorter and fire first.
    """
    binary = oxigraph_binary()
    if binary is None:
        raise RuntimeError("the oxigraph command is missing: pip install -e '.[test]'")
    port = free_port()
    log = (folder / "oxigraph.log").open("wb")
    process = subprocess.Popen(
        [
            binary,
            "serve",
            "--location",
            str(folder / "oxigraph"),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout-s",
            str(timeout_s),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = OxigraphServer(f"http://127.0.0.1:{port}", process)
    try:
        _wait_until_it_answers(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_it_answers(server: OxigraphServer) -> None:
    give_up = time.monotonic() + 30
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(f"oxigraph serve exited with {server.process.returncode}")
        try:
            answer = httpx.post(
                server.query_url,
                data={"query": "ASK {}"},
                headers={"Accept": "application/sparql-results+json"},
                timeout=2,
            )
            if answer.status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > give_up:
            raise RuntimeError("oxigraph serve did not answer within 30 s")
        time.sleep(0.05)
