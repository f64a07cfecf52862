"""At most N validations run at once; the next waits briefly, then gets a 503 to retry."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from rdflib import Graph

from iqkg.errors import Overloaded
from iqkg.rdf.formats import TURTLE
from iqkg.rdf.iris import IriScheme
from iqkg.store.dataset import Dataset
from iqkg.submissions import Body, PartnerRegistry, SubmissionService
from iqkg.validation.report import ValidationReport


class SlowValidator:
    """Stands in for the SHACL validator: holds its slot until told to finish."""

    def __init__(self) -> None:
        self.curated, self.ontology = Graph(), Graph()
        self.started, self.finish = threading.Event(), threading.Event()

    def validate(self, triples: object) -> ValidationReport:
        self.started.set()
        self.finish.wait(10)
        return ValidationReport(results=[], graph=Graph())


def test_a_validation_beyond_the_limit_is_told_to_retry(tmp_path: Path) -> None:
    validator = SlowValidator()
    service = SubmissionService(
        Dataset.open(None, IriScheme()),
        validator,  # type: ignore[arg-type]
        PartnerRegistry(tmp_path / "partners.sqlite"),
        max_triples=100,
        concurrent_validations=1,
        validation_wait=0.2,
    )
    body = Body(b"<urn:x:s> <urn:x:p> <urn:x:o> .", TURTLE, TURTLE.media_type)
    first = threading.Thread(target=service.check, args=(body, None))
    first.start()
    assert validator.started.wait(5)
    with pytest.raises(Overloaded) as refused:
        service.check(body, None)
    assert refused.value.retry_after > 0
    validator.finish.set()
    first.join(5)
    assert service.check(body, None).report.conforms  # the slot is free again
