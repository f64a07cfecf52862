"""Virtuoso 7 (Debian ``virtuoso-opensource-7-bin``) on free loopback ports in a folder,
for the remote store's tests (marker ``remote_store``). Configured as
``benchmarks/virtuoso.py`` does, plus SPARQL Update for the anonymous SPARQL user (the
database listens on loopback only) and no result cap below the contract's needs."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.server import free_port

SERVER, ISQL = "virtuoso-t", "isql-vt"

INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
ServerThreads = 8
CheckpointInterval = 0
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
DirsAllowed = ., {dir}
VADInstallDir = {dir}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 8
MaxClientConnections = 8
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 30
"""


def virtuoso_available() -> bool:
    return shutil.which(SERVER) is not None and shutil.which(ISQL) is not None


@dataclass(frozen=True)
class VirtuosoServer:
    url: str
    sql_port: int
    process: subprocess.Popen[bytes]

    @property
    def endpoint(self) -> str:
        return f"{self.url}/sparql"

    def isql(self, statements: str, timeout: float = 60) -> str:
        result = subprocess.run(
            [ISQL, f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statements}"],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        output = result.stdout + result.stderr
        if result.returncode != 0 or "*** Error" in output:
            raise RuntimeError(f"isql failed: {statements[:80]}\n{output[-800:]}")
        return output


@contextmanager
def virtuoso_server(folder: Path) -> Iterator[VirtuosoServer]:
    directory = folder / "virtuoso"
    directory.mkdir()
    sql_port, http_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(INI.format(dir=directory, sql_port=sql_port, http_port=http_port))
    log = (directory / "stdout.log").open("wb")
    process = subprocess.Popen(
        [SERVER, "+foreground", "+configfile", str(ini)],
        cwd=directory,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = VirtuosoServer(f"http://127.0.0.1:{http_port}", sql_port, process)
    try:
        _wait_sql(server)
        server.isql('grant SPARQL_UPDATE to "SPARQL";')
        yield server
    finally:
        try:
            server.isql("shutdown;", timeout=30)
            process.wait(timeout=30)
        except (RuntimeError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
        log.close()


def _wait_sql(server: VirtuosoServer) -> None:
    give_up = time.monotonic() + 120
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited with {server.process.returncode}")
        try:
            server.isql("SELECT 1;", timeout=10)
            return
        except (RuntimeError, subprocess.TimeoutExpired):
            if time.monotonic() > give_up:
                raise RuntimeError("Virtuoso's SQL port did not answer within 120 s") from None
            time.sleep(0.5)
