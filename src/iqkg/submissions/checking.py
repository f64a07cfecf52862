"""Check untrusted RDF — parse, SHACL-validate, ownership — away from the server process.

Parsing a body can take a process down (Oxigraph's JSON-LD parser overflowed its stack on
3,000 nested scoped contexts: SIGSEGV), and validating one can take minutes, so the
server never does either. :class:`LocalChecker` is the work itself; the server runs it in
a pool of worker processes (:class:`WorkerChecker`) with a deadline, a memory cap and no
network, exactly like queries: a worker that dies costs that request a 400, a worker past
its deadline is killed (503 with ``Retry-After``), and the service goes on. What comes
back is flat: the triples and the report graph as N-Triples, which the server reads
without recursion, and the report's rows, and the digest of the canonical content
(:mod:`.canonical`) that tells a re-submission from new data.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, URIRef

from iqkg import errors
from iqkg.errors import InputError, IqkgError, Overloaded, QueryTimeout
from iqkg.query.workers import WorkerKind, WorkerPool, prepare_worker, serve_jobs
from iqkg.rdf.convert import ParsedOnUse, from_ntriples
from iqkg.rdf.formats import ALL_RDF_SYNTAXES, RdfSyntax
from iqkg.rdf.iris import IriScheme
from iqkg.rdf.oxigraph_errors import sparql_errors
from iqkg.submissions.canonical import (
    canonical_digest,
    ntriples_and_digest,
)
from iqkg.submissions.ownership import (
    ownership_problems,
    ownership_report,
    root_cause_first,
    stated_about_curated,
)
from iqkg.submissions.untrusted import parse_untrusted
from iqkg.validation.core import WHOLE, Part
from iqkg.validation.report import (
    ValidationReport,
    ValidationResult,
    sort_results,
    without_results_on,
)
from iqkg.validation.shacl import ShaclValidator, collector_paused, merge_reports

_NT = ox.RdfFormat.N_TRIPLES
_SYNTAXES = {syntax.name: syntax for syntax in ALL_RDF_SYNTAXES}

log = logging.getLogger("iqkg.submissions")

#: Seconds a worker may spend canonicalising a graph with blank nodes (waiting included).
#: Past it the graph is not compared with earlier submissions; nothing else depends on it.
CANONICAL_DEADLINE = 10.0


@dataclass(frozen=True)
class Checked:
    """Checked triples and their report: what a submission is accepted or rejected on.

    ``ntriples`` is the triples serialised once (made for the digest; empty for a check
    that stores nothing): the worker sends it and the store writes it as it is, and
    ``distinct`` counts the distinct triples, so the server never turns 100k triples into
    Python objects to store or count them (~0.3 s each way); there ``triples`` is
    :class:`~iqkg.rdf.convert.ParsedOnUse`.
    ``digest`` identifies the content (:func:`.canonical.canonical_digest`); None when it
    could not be computed (blank nodes beyond the canonicalisation deadline).
    """

    triples: Sequence[ox.Triple]
    ntriples: bytes
    report: ValidationReport
    distinct: int
    digest: str | None = None


class LocalChecker:
    """Parse with limits, validate, and check the ownership rules, in this process."""

    def __init__(self, validator: ShaclValidator, iris: IriScheme, max_triples: int) -> None:
        self.validator = validator
        self.iris = iris
        self.max_triples = max_triples
        #: Subjects of the curated data and ontology: a partner may not state anything
        #: about them.
        self.curated = frozenset(
            str(s)
            for graph in (validator.curated, validator.ontology)
            for s in graph.subjects()
            if isinstance(s, URIRef)
        )
        #: The ontology's classes: every partner resource must be typed with one of them.
        self.classes = frozenset(
            str(s)
            for kind in (OWL.Class, RDFS.Class)
            for s in validator.ontology.subjects(RDF.type, kind)
            if isinstance(s, URIRef)
        )

    @classmethod
    def from_folders(cls, knowledge_dir: Path, iris: IriScheme, max_triples: int) -> LocalChecker:
        return cls(ShaclValidator.from_folders(knowledge_dir, iris), iris, max_triples)

    def check(
        self,
        data: bytes,
        syntax: RdfSyntax,
        owner: str | None,
        *,
        to_store: bool = True,
        leftovers: list[object] | None = None,
        part: Part = WHOLE,
    ) -> Checked:
        """What ``iqkg submit`` would say about ``data``: its triples and their report.

        With an ``owner`` (a partner's slug) the ownership rules are checked too, exactly
        as a submission of that partner is checked; without one the report says that they
        were not. This one function serves the server's ``/submissions`` and
        ``/validate`` (through :class:`WorkerChecker`) and ``iqkg validate --partner``.

        The digest is computed here only for graphs without blank nodes, whose
        canonicalisation cannot run away; see :class:`WorkerChecker` for the others.
        Without ``to_store`` (``/validate``) neither N-Triples nor digest are made (~15%
        of the time at 100k triples): ``ntriples`` is empty and ``digest`` None. With
        ``leftovers`` what the check built is appended to it, to be freed by the caller
        when it has time (a worker: once it has answered; ~0.1 s at 100k triples).

        With a ``part`` only that share of the focus nodes and subjects is checked
        (:class:`~iqkg.validation.core.Part`; :class:`WorkerChecker` shares a large body
        among idle workers); N-Triples, digest and count are made by share 0 only.
        """
        with collector_paused():
            return self._check(data, syntax, owner, to_store, leftovers, part)

    def _check(
        self,
        data: bytes,
        syntax: RdfSyntax,
        owner: str | None,
        to_store: bool,
        leftovers: list[object] | None,
        part: Part,
    ) -> Checked:
        space = self.iris.partner_space(owner) if owner else self.iris.base
        triples = parse_untrusted(data, syntax, base_iri=space, max_triples=self.max_triples)
        if leftovers is not None:
            leftovers.append(triples)
        report = self.validator.validate(triples, leftovers=leftovers, part=part)
        ownership = ValidationReport(results=[], triples=[])
        if owner is not None:
            problems = ownership_problems(
                triples,
                space=space,
                iris=self.iris,
                curated=self.curated,
                classes=self.classes,
                part=part,
            )
            ownership = ownership_report(problems, space=space, iris=self.iris)
            # The root cause only: a statement about a curated resource can make that
            # resource break its own shape ("label missing or duplicated"), which the
            # partner fixes by dropping the statement, not by reading that message.
            report = without_results_on(report, stated_about_curated(problems))
        first = part.index == 0
        ntriples, digest = ntriples_and_digest(triples) if to_store and first else (b"", None)
        merged = root_cause_first(merge_reports(report, ownership), self.iris)
        merged.ownership = owner or False
        return Checked(triples, ntriples, merged, len(set(triples)) if first else 0, digest)


# --- in a worker process ---------------------------------------------------------------


@dataclass(frozen=True)
class CheckJob:
    """One body to check; an empty ``syntax`` is a warm-up.

    With ``validate`` off the body is only parsed (the operator's Graph Store writes),
    against ``base_iri``, up to ``max_triples``, its errors naming ``source``. With an
    ``update`` the job is a SPARQL Update to parse (and run against no data) before the
    writer runs it for real. With ``canonicalize`` the body is N-Triples already checked,
    to be digested only.
    """

    data: bytes = b""
    syntax: str = ""
    owner: str | None = None
    validate: bool = True
    base_iri: str = ""
    max_triples: int = 0
    source: str = "body"
    update: str | None = None
    canonicalize: bool = False
    to_store: bool = True
    part: Part = WHOLE


class CheckTimeout(Overloaded):
    """Checking one body (or update) ran past its deadline; the worker was stopped."""


@dataclass(frozen=True)
class CheckAnswer:
    """The worker's answer; the triples follow as the body (N-Triples)."""

    results: list[ValidationResult] = field(default_factory=list)
    report: bytes = b""
    digest: str | None = None
    blank_nodes: bool = False
    distinct: int = 0


@dataclass(frozen=True)
class CheckProblem:
    """An :class:`~iqkg.errors.IqkgError` raised in the worker, by class name."""

    error: str
    message: str
    detail: dict[str, Any]
    retry_after: int | None = None


def checker_worker_main(
    fd: int, base: str, knowledge_dir: str, max_triples: str, memory_mb: str
) -> None:
    """A checking worker: load shapes, ontology and curated data once, then check bodies."""
    prepare_worker(int(memory_mb), isolate=True)
    checker = LocalChecker.from_folders(Path(knowledge_dir), IriScheme(base), int(max_triples))
    leftovers: list[object] = []  # freed once the answer is sent

    def handle(job: CheckJob) -> tuple[object, bytes]:
        if job.canonicalize:
            triples = [quad.triple for quad in ox.parse(job.data, format=_NT)]
            return CheckAnswer(digest=canonical_digest(triples)), b""
        if job.update is None and not job.syntax:
            return CheckAnswer(), b""
        try:
            if job.update is not None:
                _preflight_update(job.update, job.base_iri)
                return CheckAnswer(), b""
            if not job.validate:
                triples = parse_untrusted(
                    job.data,
                    _SYNTAXES[job.syntax],
                    base_iri=job.base_iri,
                    max_triples=job.max_triples,
                    source=job.source,
                )
                return CheckAnswer(), ox.serialize(triples, format=_NT) or b""
            checked = checker.check(
                job.data,
                _SYNTAXES[job.syntax],
                job.owner,
                to_store=job.to_store,
                leftovers=leftovers,
                part=job.part,
            )
        except IqkgError as error:
            retry_after = error.retry_after if isinstance(error, Overloaded) else None
            problem = CheckProblem(type(error).__name__, error.message, error.detail, retry_after)
            return problem, b""
        report = ox.serialize(checked.report.triples, format=_NT) or b""
        # ntriples_and_digest gives None iff there are blank nodes; no N-Triples: nothing
        # to store, so nothing to digest (a check only, or a share other than 0).
        blank_nodes = bool(checked.ntriples) and checked.digest is None
        answer = CheckAnswer(
            checked.report.results, report, checked.digest, blank_nodes, checked.distinct
        )
        return answer, checked.ntriples

    serve_jobs(fd, handle, int(memory_mb), after=leftovers.clear)


def _preflight_update(update: str, base_iri: str) -> None:
    """Parse ``update`` the way the writer will, and run it against an empty store.

    Oxigraph parses an update only to run it; run against no data, every pattern is cheap,
    so what costs time here is the text itself (a chain of 30,000 ``+`` takes about a
    minute to parse) — time that would otherwise be spent in the server's writer, holding
    the write lock, with no deadline. Errors of evaluation against no data say nothing
    about the real store and are left to it.
    """
    with contextlib.suppress(RuntimeError, ValueError, OSError), sparql_errors("update"):
        ox.Store().update(update, base_iri=base_iri or None)


# --- the server's side ------------------------------------------------------------------


def checker_kind(base: str, knowledge_dir: Path, *, max_triples: int, memory_mb: int) -> WorkerKind:
    return WorkerKind(
        name="checker",
        entry="iqkg.submissions.checking:checker_worker_main",
        args=(base, str(knowledge_dir), str(max_triples), str(memory_mb)),
        warmup=lambda checkpoint: CheckJob(),
        crashed=lambda: InputError(
            "the RDF could not be read: its parser gave up (nested too deeply, or more "
            "memory than a submission may take). Flatten the document or split it."
        ),
        timed_out=lambda timeout: CheckTimeout(
            f"checking the RDF took longer than {timeout:g} s and was stopped; split it into "
            "smaller submissions.",
            retry_after=5,
        ),
    )


class WorkerChecker:
    """:class:`LocalChecker`'s work, done by a pool of worker processes with a deadline.

    A body of ``share_from`` bytes or more is shared among the checking workers that are
    idle when it comes (:meth:`WorkerPool.ask_shared`, :class:`Part`): each parses and
    indexes all of it and evaluates its share of the focus nodes and subjects, and the
    answers are joined here. At 100k triples two workers answer in ~35% less time for
    ~25% more CPU; with no idle worker the body is checked by one, as below the size.
    """

    def __init__(
        self, pool: WorkerPool, timeout: float, iris: IriScheme, *, share_from: int = 0
    ) -> None:
        self.pool = pool
        self.timeout = timeout
        self.iris = iris
        self.share_from = share_from

    async def check(
        self,
        data: bytes,
        syntax: RdfSyntax,
        owner: str | None,
        *,
        to_store: bool = True,
        client: str | None = None,
    ) -> Checked:
        """:meth:`LocalChecker.check` in a worker; ``client`` (who asks) is held to its
        share of the workers."""

        def job(index: int = 0, count: int = 1) -> CheckJob:
            return CheckJob(data, syntax.name, owner, to_store=to_store, part=Part(index, count))

        if 0 < self.share_from <= len(data):
            answers = await self.pool.ask_shared(job, self.timeout, client=client)
        else:
            answers = [await self.pool.ask(job(), self.timeout, client=client)]
        for header, _ in answers:
            if isinstance(header, CheckProblem):
                raise _rebuilt(header)
        header, chunks = answers[0]
        assert isinstance(header, CheckAnswer)
        body = b"".join(chunks)
        checked = await asyncio.to_thread(_read_answer, header, body)
        if len(answers) > 1:
            others = [cast(CheckAnswer, other) for other, _ in answers[1:]]
            checked = replace(checked, report=_joined(header, others, self.iris))
        checked.report.ownership = owner or False  # not sent back: the job said it
        if header.blank_nodes and checked.report.conforms:
            checked = replace(checked, digest=await self._canonical_digest(body))
        return checked

    async def _canonical_digest(self, ntriples: bytes) -> str | None:
        """The digest of a graph with blank nodes, from a worker with a short deadline.

        A worker that crashes or runs past :data:`CANONICAL_DEADLINE` is replaced as
        always; the content is then "not comparable", never an error for the partner.
        """
        job = CheckJob(ntriples, canonicalize=True)
        try:
            header, _ = await self.pool.ask(job, min(CANONICAL_DEADLINE, self.timeout))
        except IqkgError as error:
            log.warning("content not canonicalised, so not compared: %s", error.message)
            return None
        return header.digest if isinstance(header, CheckAnswer) else None

    async def parse(
        self, data: bytes, syntax: RdfSyntax, *, base_iri: str, max_triples: int, source: str
    ) -> list[ox.Triple]:
        """Only parse (no validation), in a worker: for the operator's Graph Store writes."""
        job = CheckJob(
            data,
            syntax.name,
            validate=False,
            base_iri=base_iri,
            max_triples=max_triples,
            source=source,
        )
        header, chunks = await self.pool.ask(job, self.timeout)
        if isinstance(header, CheckProblem):
            raise _rebuilt(header)
        body = b"".join(chunks)
        return await asyncio.to_thread(lambda: [q.triple for q in ox.parse(body, format=_NT)])

    async def preflight_update(self, update: str, base_iri: str, timeout: float) -> None:
        """Parse an operator's update in a worker, within ``timeout`` (504 past it)."""
        job = CheckJob(update=update, base_iri=base_iri)
        try:
            header, _ = await self.pool.ask(job, timeout)
        except CheckTimeout:
            raise QueryTimeout(
                f"the update could not even be parsed within {timeout:g} s and was refused "
                "before it reached the store; simplify it (long chains of operators or "
                "UNIONs take time in the square of their length)."
            ) from None
        if isinstance(header, CheckProblem):
            raise _rebuilt(header)


def _read_answer(answer: CheckAnswer, body: bytes) -> Checked:
    """The worker's answer as it came: the body's triples and the report's graph stay
    N-Triples until someone reads them (:attr:`Checked.triples`, :class:`ParsedOnUse`)."""
    results = ValidationReport(results=answer.results, triples=ParsedOnUse(answer.report))
    return Checked(ParsedOnUse(body), body, results, answer.distinct, answer.digest)


def _joined(first: CheckAnswer, others: list[CheckAnswer], iris: IriScheme) -> ValidationReport:
    """The report of a body checked in shares: their results in the order one worker
    would give them, their graphs joined under one report node when first read."""
    answers = [first, *others]
    results = sort_results([row for answer in answers for row in answer.results])

    def graph() -> Sequence[ox.Triple]:
        reports = [ValidationReport(a.results, from_ntriples(a.report)) for a in answers]
        # Shapes' structures (a complex path) copied by several shares are one: the
        # workers label the shapes' blank nodes alike (ShaclValidator).
        return list(dict.fromkeys(functools.reduce(merge_reports, reports).triples))

    return root_cause_first(ValidationReport(results, ParsedOnUse(graph)), iris)


def _rebuilt(problem: CheckProblem) -> IqkgError:
    """The worker's error as the same class here (message and detail kept)."""
    cls = getattr(errors, problem.error, None)
    if not (isinstance(cls, type) and issubclass(cls, IqkgError)):
        cls = InputError
    error = cls.__new__(cls)
    IqkgError.__init__(error, problem.message, detail=problem.detail)
    for key, value in problem.detail.items():
        setattr(error, key, value)
    if problem.retry_after is not None:
        error.retry_after = problem.retry_after  # type: ignore[attr-defined]
    return error
