"""Time validation of 1k/10k/100k(/1M)-triple submissions: fast engine vs pySHACL, same run.

Run: ``python -m benchmarks.validation [sizes...]`` (``make bench`` runs it after the
SPARQL benchmark; default sizes 1k, 10k, 100k; ``1000000`` adds 1M). Uses an on-disk store
in a temporary folder with the curated data loaded, and the real submission service without
HTTP (checking in this process, as a checking worker does it); the submissions are the
conforming synthetic partner projects the submission tests use
(``tests/submissions/synthetic.py``), plus the hostile benchmark's body of 2,000 typed
subjects without labels (14,000 results).

Then the same bodies go over HTTP to a real ``iqkg serve`` (its own store with the curated
data, a partner ``timing`` and limits raised for the largest body, settings otherwise as
installed): ``POST /validate`` (one warm-up, then the median of 5; the results must be the
same rows as in process) and, for conforming bodies, ``POST /submissions`` — the paths
partners use, checking workers (a body of 1 MB or more shared among the idle ones) and
IPC included.

For each body, both engines check it through the same service, one after the other (fast
first), and their reports must be identical (the results as the API shows them); pySHACL
is left out above ``--pyshacl-max`` triples (default 100k: it needs ~2 GB and minutes
for 1M). The fast engine's time is the median of 3 runs, pySHACL's one run. Peak RSS is
the benchmark process's (the checking worker's limit is ``IQKG_WORKER_MEMORY``, 4 GiB).
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import httpx

from benchmarks.engines import HttpEngine, free_port
from benchmarks.hostile import BIG_BODY
from iqkg.rdf.formats import N_TRIPLES, TURTLE
from iqkg.rdf.iris import IriScheme
from iqkg.settings import Settings
from iqkg.store.dataset import Dataset
from iqkg.store.loader import load_knowledge
from iqkg.submissions import Body, PartnerRegistry, SubmissionService
from iqkg.submissions.checking import Checked, LocalChecker
from iqkg.submissions.partners import Caller
from tests.submissions.synthetic import synthetic_turtle


def timed(action: Callable[[], Checked], runs: int) -> tuple[float, Checked]:
    times, checked = [], None
    for _ in range(runs):
        started = time.perf_counter()
        checked = action()
        times.append(time.perf_counter() - started)
    assert checked is not None
    return statistics.median(times), checked


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class IqkgForSubmissions(HttpEngine):
    """A real ``iqkg serve`` with the curated data and a partner ``timing``, whose limits
    let the largest body through: ``/validate`` and ``/submissions`` as partners use them
    (body over loopback, a checking worker, the report back as JSON)."""

    name, label = "iqkg-submissions", "iqkg (HTTP)"

    def start(self, data: Path, workdir: Path) -> None:
        raise NotImplementedError("no benchmark graph here: start_with() loads the curated data")

    def start_with(self, workdir: Path, max_triples: int) -> str:
        """Start the server; the partner's token."""
        env = {
            **os.environ,
            "IQKG_STORE": str(workdir / "http-store"),
            "IQKG_MAX_SUBMISSION_TRIPLES": str(max_triples + 1_000),
            "IQKG_MAX_SUBMISSION_BYTES": str(max(10_000_000, max_triples * 200)),
            "IQKG_VALIDATION_TIMEOUT": "600",
        }
        iqkg = [sys.executable, "-m", "iqkg"]
        subprocess.run([*iqkg, "load"], check=True, env=env, capture_output=True)
        added = subprocess.run(
            [*iqkg, "partner", "add", "Timing", "--slug", "timing"],
            check=True,
            env=env,
            capture_output=True,
            text=True,
        ).stdout
        token = re.search(r"iqkg_\S+", added)
        assert token, added
        port = free_port()
        self.endpoint = f"http://127.0.0.1:{port}/sparql"
        self.spawn([*iqkg, "serve", "--host", "127.0.0.1", "--port", str(port)], workdir, env)
        self.wait_ready()
        return token.group()

    def post(self, path: str, body: Body, token: str) -> tuple[float, httpx.Response]:
        assert self.client is not None and self.endpoint is not None
        url = self.endpoint.removesuffix("/sparql") + path
        headers = {
            "Content-Type": body.media_type,
            "Accept": "application/json",
            "Authorization": f"Bearer {token}",
        }
        started = time.perf_counter()
        response = self.client.post(url, content=body.data, headers=headers, timeout=900)
        return time.perf_counter() - started, response


def main(sizes: list[int], pyshacl_max: int) -> None:
    settings = Settings()
    # RocksDB may still write its log while the folder goes: tolerate that at cleanup.
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        iris = IriScheme(settings.base)
        dataset = Dataset.open(Path(tmp) / "store", iris)
        load_knowledge(dataset, settings.knowledge_dir)
        registry = PartnerRegistry(Path(tmp) / "partners.sqlite")
        partner, _ = registry.add("Timing", "timing")
        checker = LocalChecker.from_folders(settings.knowledge_dir, iris, max_triples=10**7)
        service = SubmissionService(dataset, iris, checker.check, registry)
        # The reference: the same checker and service with pySHACL as the validator.
        reference_checker = LocalChecker(
            cast(Any, checker.validator.reference), iris, max_triples=10**7
        )
        reference = SubmissionService(dataset, iris, reference_checker.check, registry)
        caller = Caller(partner=partner)

        bodies = [
            (f"{size:,} triples", Body(synthetic_turtle("timing", size), TURTLE, TURTLE.media_type))
            for size in sizes
        ]
        bodies.append(
            ("2,000 subjects, no labels", Body(BIG_BODY, N_TRIPLES, N_TRIPLES.media_type))
        )
        server = IqkgForSubmissions()
        token = server.start_with(Path(tmp), max(sizes, default=0))
        try:
            measure(bodies, service, reference, caller, pyshacl_max, server, token)
        finally:
            server.stop()


def measure(
    bodies: list[tuple[str, Body]],
    service: SubmissionService,
    reference: SubmissionService,
    caller: Caller,
    pyshacl_max: int,
    server: IqkgForSubmissions,
    token: str,
) -> None:
    """One table row per body: in process (both engines), then over HTTP."""
    print(
        "| submission | triples | results | fast `/validate` | pySHACL `/validate` | "
        "speed-up | fast validate + store | `POST /validate` (HTTP) | "
        "`POST /submissions` (HTTP) | peak RSS |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, body in bodies:
        fast_time, checked = timed(functools.partial(service.check, body, "timing"), 3)
        triples = len(checked.triples)
        if triples <= pyshacl_max:
            ref_time, ref_checked = timed(functools.partial(reference.check, body, "timing"), 1)
            same = [r.as_json() for r in checked.report.results] == [
                r.as_json() for r in ref_checked.report.results
            ]
            assert same, f"{label}: the fast engine's report differs from pySHACL's"
            ref, ratio = f"{ref_time:.2f} s", f"{ref_time / fast_time:.1f}×"
        else:
            ref, ratio = "—", "—"
        stored = http_stored = "—"
        if checked.report.conforms:
            started = time.perf_counter()
            service.create(caller, body)  # parse, check, validate and store
            stored = f"{time.perf_counter() - started:.2f} s"
        # As the query mix: a warm-up first (the workers' first body of a size grows their
        # heaps), then the median of five.
        answers = [server.post("/validate", body, token) for _ in range(6)][1:]
        for _, response in answers:
            assert response.status_code == 200, response.text[:300]
            answer = response.json()
            expected = [r.as_json(answer["lang"]) for r in checked.report.results]
            assert answer["results"] == expected, f"{label}: /validate differs from in process"

        http_validate = statistics.median(seconds for seconds, _ in answers)
        if checked.report.conforms:
            seconds, response = server.post("/submissions", body, token)
            assert response.status_code == 201, response.text[:300]
            http_stored = f"{seconds:.2f} s"
        print(
            f"| {label} | {triples:,} | {len(checked.report.results):,} | "
            f"{fast_time:.2f} s | {ref} | {ratio} | {stored} | {http_validate:.2f} s | "
            f"{http_stored} | {peak_rss_mb():,.0f} MB |",
            flush=True,
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1_000, 10_000, 100_000])
    parser.add_argument("--pyshacl-max", type=int, default=100_000)
    args = parser.parse_args()
    main(args.sizes, args.pyshacl_max)
