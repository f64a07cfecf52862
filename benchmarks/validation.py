"""Time validation and storage of 1k/10k/100k-triple submissions (README figures).

Run: ``python -m benchmarks.validation [sizes...]`` (``make bench`` runs it after the
SPARQL benchmark). Uses an on-disk store in a temporary folder with the curated data
loaded, and the real submission service without HTTP (checking in this process, as a
checking worker does it); the submissions are the conforming
synthetic partner projects the submission tests use (``tests/submissions/synthetic.py``).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from iqkg.rdf.formats import TURTLE
from iqkg.rdf.iris import IriScheme
from iqkg.settings import Settings
from iqkg.store.dataset import Dataset
from iqkg.store.loader import load_knowledge
from iqkg.submissions import Body, PartnerRegistry, SubmissionService
from iqkg.submissions.checking import LocalChecker
from iqkg.submissions.partners import Caller
from tests.submissions.synthetic import synthetic_turtle


def main(sizes: list[int]) -> None:
    settings = Settings()
    # RocksDB may still write its log while the folder goes: tolerate that at cleanup.
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        iris = IriScheme(settings.base)
        dataset = Dataset.open(Path(tmp) / "store", iris)
        load_knowledge(dataset, settings.knowledge_dir)
        registry = PartnerRegistry(Path(tmp) / "partners.sqlite")
        partner, _ = registry.add("Timing", "timing")
        checker = LocalChecker.from_folders(settings.knowledge_dir, iris, max_triples=10**7)
        service = SubmissionService(dataset, checker.check, registry)
        caller = Caller(partner=partner)
        print("triples  /validate  /submissions (validate + store)")
        for size in sizes:
            body = Body(synthetic_turtle("timing", size), TURTLE, TURTLE.media_type)
            started = time.perf_counter()
            checked = service.check(body, "timing")  # what POST /validate does
            validated = time.perf_counter()
            assert checked.report.conforms, checked.report.summary()
            service.create(caller, body)  # parse, check, validate and store: POST /submissions
            done = time.perf_counter()
            print(
                f"{len(checked.triples):>7}  {validated - started:>10.2f}s  "
                f"{done - validated:>15.2f}s"
            )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1_000, 10_000, 100_000])
