"""Virtuoso 7 (Debian's ``virtuoso-opensource-7-bin``), started by the benchmark.

Each run gets its own database directory and ``virtuoso.ini`` (SQL and HTTP ports on
127.0.0.1 only, chosen free), loads the N-Triples file into the benchmark graph with the
bulk loader (``ld_dir`` + ``rdf_loader_run`` + ``checkpoint``, via ``isql-vt``), answers
on ``/sparql`` and is shut down at the end. Queries name no graph, so Virtuoso's default
graph is the union of all its graphs, as for iqkg. Virtuoso's own system graphs use no
iqkg term, so they add no rows to the mix.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from benchmarks.engines import EngineUnavailable, HttpEngine, free_port
from benchmarks.generate import BENCH_GRAPH

SERVER = "virtuoso-t"
ISQL = "isql-vt"
PASSWORD = "dba"  # the default of a fresh database, reachable on loopback only

# Buffers: 8 KiB pages; 340 000 is the vendor's suggestion for a 4 GB machine, ample for
# 1M triples. Thread counts allow the 32 concurrent clients of the throughput test.
INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
ServerThreads = 64
CheckpointInterval = 0
NumberOfBuffers = 340000
MaxDirtyBuffers = 250000
DirsAllowed = ., {dir}
VADInstallDir = {dir}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 48
MaxClientConnections = 64
MaxKeepAlives = 64
KeepAliveTimeout = 10
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 10000000
"""


class Virtuoso(HttpEngine):
    name, label = "virtuoso", "Virtuoso 7 (HTTP)"

    def __init__(self) -> None:
        super().__init__()
        self.sql_port = 0
        self.directory: Path | None = None

    def check_available(self) -> None:
        missing = [p for p in (SERVER, ISQL) if shutil.which(p) is None]
        if missing:
            raise EngineUnavailable(
                f"{', '.join(missing)} not found: apt-get install virtuoso-opensource-7-bin"
            )

    def isql(self, statements: str, timeout: float = 1800) -> str:
        result = subprocess.run(
            [ISQL, f"127.0.0.1:{self.sql_port}", "dba", PASSWORD, f"exec={statements}"],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        output = result.stdout + result.stderr
        if result.returncode != 0 or "*** Error" in output:
            raise EngineUnavailable(f"isql failed: {statements[:80]}…\n{output[-800:]}")
        return output

    def start(self, data: Path, workdir: Path) -> None:
        self.directory = directory = workdir / "virtuoso"
        directory.mkdir()
        try:
            os.link(data, directory / "data.nt")
        except OSError:
            shutil.copyfile(data, directory / "data.nt")
        self.sql_port, http_port = free_port(), free_port()
        ini = directory / "virtuoso.ini"
        ini.write_text(INI.format(dir=directory, sql_port=self.sql_port, http_port=http_port))
        self.endpoint = f"http://127.0.0.1:{http_port}/sparql"
        self.spawn([SERVER, "+foreground", "+configfile", str(ini)], directory)
        self._wait_sql()
        self.isql(
            f"ld_dir('{directory}', 'data.nt', '{BENCH_GRAPH}'); rdf_loader_run(); checkpoint;"
        )
        errors = self.isql(
            "SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;"
        )
        if "0 Rows" not in errors:
            raise EngineUnavailable(f"Virtuoso bulk load reported errors:\n{errors[-800:]}")
        self.wait_ready()

    def _wait_sql(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise EngineUnavailable(f"virtuoso-t exited: {self.log_tail()}")
            try:
                self.isql("SELECT 1;", timeout=10)
                return
            except (EngineUnavailable, subprocess.TimeoutExpired):
                time.sleep(0.5)
        raise EngineUnavailable(f"Virtuoso SQL port not ready in {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                self.isql("shutdown;", timeout=30)
                self.process.wait(timeout=30)
            except (EngineUnavailable, subprocess.TimeoutExpired):
                pass  # the process-group stop below ends it
        super().stop()
