"""Start the real iqkg server as a subprocess on a free loopback port, over a real store."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
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


#: What ``iqkg load`` reads besides the store: stores loaded with the same values are alike.
LOAD_INPUTS = ("IQKG_BASE", "IQKG_KNOWLEDGE_DIR")
#: With these set, a load is not an ordinary one (a configuration file may say anything;
#: a crash point must be met by the load itself): it runs for real.
LOAD_SPECIAL = ("IQKG_CONFIG", "IQKG_CRASH_AT")

_loaded: dict[tuple[str | None, ...], Path] = {}
_loading = threading.Lock()


def load_store(store: Path, env: dict[str, str]) -> None:
    """``iqkg load`` into ``store``, or a copy of a store loaded the same way before.

    The curated data takes seconds to load (the OWL RL closure most of it) and dozens of
    test servers start on it; each copy is a store ``iqkg load`` made with the same inputs
    in this test session, taken when no process has it open, so what is tested is the
    same. A store that exists already is loaded for real (a load over data is a test of
    its own).
    """
    merged = {**os.environ, **env}
    if store.exists() or any(merged.get(name) for name in LOAD_SPECIAL):
        iqkg("load", env=env)
        return
    key = tuple(merged.get(name) for name in LOAD_INPUTS)
    with _loading:
        template = _loaded.get(key)
        if template is None:
            folder = Path(tempfile.mkdtemp(prefix="iqkg-loaded-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            template = folder / "store"
            iqkg("load", env={**env, "IQKG_STORE": str(template)})
            _loaded[key] = template
    shutil.copytree(template, store)


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
        load_store(store, full_env)
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
