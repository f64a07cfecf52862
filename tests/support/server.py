"""Start the real iqkg server as a subprocess on a free loopback port, over a real store."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def iqkg(
    *args: str, env: dict[str, str] | None = None, check: bool = True, input_text: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the ``iqkg`` command (as ``python -m iqkg``) and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "iqkg", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=check,
        input=input_text,
        timeout=600,
    )


@dataclass
class RunningServer:
    """A server process and what a test needs to talk to it."""

    process: subprocess.Popen[bytes]
    port: int
    store: Path
    env: dict[str, str]
    log: Path
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, **kwargs)  # type: ignore[arg-type]

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        self.stop(signal.SIGKILL)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def start_server(
    store: Path,
    *,
    env: dict[str, str] | None = None,
    load: bool = True,
    port: int | None = None,
    timeout: float = 60,
) -> RunningServer:
    """Load the curated data into ``store`` (unless told not to) and start serving it."""
    full_env = {"IQKG_STORE": str(store), **(env or {})}
    if load:
        iqkg("load", env=full_env)
    port = port or free_port()
    log = store.parent / f"server-{port}.log"
    handle = log.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "iqkg", "serve", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, **full_env},
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = RunningServer(process, port, store, full_env, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{server.log_text()}")
        try:
            if httpx.get(f"{server.url}/health", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"server did not become healthy in {timeout}s:\n{server.log_text()}")
