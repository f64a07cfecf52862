"""Sub-commands over the knowledge files and the store: load, validate, check, reason.

``query`` and ``export`` live in :mod:`iqkg.cli.reading` (they can ask a running server)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from iqkg.cli.common import add_report_arguments, open_dataset
from iqkg.errors import InputError
from iqkg.lint import read_rules, run_lint
from iqkg.query.catalogue import Catalogue, answer_matches, csv_rows
from iqkg.rdf.convert import to_rdflib_graph
from iqkg.rdf.formats import (
    SPARQL_CSV,
    rdf_syntax_for_path,
)
from iqkg.rdf.iris import GRAPH_INFERRED, IriScheme, is_slug
from iqkg.reasoning import UncheckedAxioms, check_consistency, infer
from iqkg.settings import Settings
from iqkg.store.dataset import Dataset
from iqkg.store.loader import load_knowledge, parse_rdf_file, reason_knowledge
from iqkg.submissions.checking import LocalChecker
from iqkg.submissions.partners import PartnerRegistry
from iqkg.validation.report import ValidationReport, report_prefixes
from iqkg.validation.shacl import ShaclValidator, read_folder


def register(subparsers: Any) -> None:
    load = subparsers.add_parser("load", help="load ontology/ and data/ into the store")
    load.add_argument("--force", action="store_true", help="reload even if nothing changed")
    load.add_argument("--no-reason", action="store_true", help="skip the OWL RL closure")
    load.set_defaults(func=cmd_load)

    validate = subparsers.add_parser(
        "validate",
        help="validate RDF files against the shapes (with --partner: as `iqkg submit` will)",
        description="Validate RDF files against the iqkg shapes, together with the ontology "
        "and the curated data. Without --partner the files are read together and the "
        "ownership rules of submissions are NOT checked (the report says so); with "
        "--partner SLUG each file is checked exactly as `iqkg submit` checks a submission "
        "of that partner, ownership included.",
    )
    validate.add_argument(
        "files",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="RDF files (format from the extension: .ttl, .nt, .jsonld, .rdf, .trig, .nq)",
    )
    validate.add_argument(
        "--partner",
        metavar="SLUG",
        help="check each file as a submission of partner SLUG: its resources must lie under "
        "{base}id/partner/SLUG/, be typed, and say nothing about curated resources",
    )
    add_report_arguments(validate, "the report")
    validate.set_defaults(func=cmd_validate)

    check = subparsers.add_parser(
        "check", help="ontology consistent, curated data conforms, catalogue answers right"
    )
    check.set_defaults(func=cmd_check)

    reason = subparsers.add_parser("reason", help="write the OWL RL closure to graph/inferred")
    reason.set_defaults(func=cmd_reason)


def cmd_load(args: argparse.Namespace, settings: Settings) -> int:
    started = time.perf_counter()
    dataset = open_dataset(settings)
    report = load_knowledge(
        dataset,
        settings.knowledge_dir,
        reasoner=None if args.no_reason else infer,
        force=args.force,
    )
    elapsed = time.perf_counter() - started
    state = "loaded " + ", ".join(report.changed) if report.changed else "unchanged"
    counts = ", ".join(f"{name}: {n}" for name, n in report.counts.items())
    print(f"{state} ({counts}) in {elapsed:.2f}s; store {settings.store}")
    return 0


def cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    iris = IriScheme(settings.base)
    for path in args.files:
        if not path.is_file():
            print(f"iqkg: {path}: no such file", file=sys.stderr)
            return 2
        rdf_syntax_for_path(path.name)
    if args.partner is None:
        triples: list[ox.Triple] = []
        for path in args.files:
            triples += parse_rdf_file(path, iris, label=str(path))
        report = ShaclValidator.from_folders(settings.knowledge_dir, iris).validate(triples)
        report.ownership = False
        _print_report(report, args, settings)
        return 0 if report.conforms else 1
    if not is_slug(args.partner):
        raise InputError(
            f"--partner takes a partner's slug (lower-case ASCII, e.g. 'iq-bayern'), "
            f"not {args.partner!r}; see `iqkg partner list`"
        )
    _note_unregistered(args.partner, settings)
    checker = LocalChecker.from_folders(
        settings.knowledge_dir, iris, settings.max_submission_triples
    )
    conforms = True
    for path in args.files:
        if len(args.files) > 1 and args.format == "text":
            print(f"== {path}")
        data, syntax = path.read_bytes(), rdf_syntax_for_path(path.name)
        checked = checker.check(data, syntax, args.partner, to_store=False)
        _print_report(checked.report, args, settings)
        conforms = conforms and checked.report.conforms
    return 0 if conforms else 1


def _note_unregistered(slug: str, settings: Settings) -> None:
    """Say so (on stderr) when this installation knows partners but not ``slug``: the
    check is still right for that IRI space, but submitting needs a registered partner."""
    if not settings.partners_path.exists():
        return
    known = {p.slug for p in PartnerRegistry(settings.partners_path).list()}
    if slug not in known:
        print(
            f"iqkg: note: no partner {slug!r} is registered in {settings.partners_path}; "
            f"checked as its IRI space {IriScheme(settings.base).partner_space(slug)} anyway",
            file=sys.stderr,
        )


def _print_report(report: ValidationReport, args: argparse.Namespace, settings: Settings) -> None:
    if args.format == "json":
        print(json.dumps(report.as_json(args.lang), ensure_ascii=False, indent=2))
    elif args.format == "turtle":
        print(report.serialize(ox.RdfFormat.TURTLE).decode("utf-8"))
    else:
        print(report.as_text(args.lang, report_prefixes(settings.base)))


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    """Check the knowledge files as a whole; independent of the on-disk store."""
    iris = IriScheme(settings.base)
    failures = 0
    started = time.perf_counter()
    ontology = read_folder(settings.ontology_dir, iris)
    curated = read_folder(settings.data_dir, iris) + read_folder(
        settings.data_dir / "editorial", iris
    )
    imports = read_folder(settings.ontology_dir / "imports", iris)
    consistency = check_consistency(
        to_rdflib_graph(ontology), to_rdflib_graph(curated), to_rdflib_graph(imports)
    )
    status = "ok" if consistency.consistent and not consistency.unsatisfiable else "FAILED"
    print(
        f"consistency of ontology + data + imported axioms (HermiT): {status} "
        f"{consistency.message}".rstrip()
    )
    failures += status != "ok"
    failures += _print_unchecked(consistency.unchecked)

    findings = run_lint(read_rules(settings.shapes_dir / "lint"), [*ontology, *imports, *curated])
    print(f"lint rules: {'ok' if not findings else 'FAILED'}")
    for finding in findings:
        print(f"  {finding}")
    failures += bool(findings)

    report = ShaclValidator.from_folders(settings.knowledge_dir, iris).validate([])
    print(f"curated data against shapes: {'ok' if not report.results else 'FAILED'}")
    if report.results:
        print(report.as_text("en", report_prefixes(settings.base)))
        failures += 1

    memory = Dataset.open(None, iris)
    load_knowledge(memory, settings.knowledge_dir, reasoner=infer)
    for query in Catalogue(settings.queries_dir):
        result = memory.query(query.sparql)
        if not isinstance(result, ox.QuerySolutions):
            print(f"query {query.name}: FAILED (catalogue queries must be SELECT)")
            failures += 1
            continue
        problem = answer_matches(query, csv_rows(result.serialize(format=SPARQL_CSV.format) or b""))
        print(f"query {query.name}: {'ok' if problem is None else 'FAILED: ' + problem}")
        failures += problem is not None
    print(
        f"{'all checks passed' if not failures else f'{failures} check(s) failed'} "
        f"in {time.perf_counter() - started:.2f}s"
    )
    return 0 if not failures else 1


def _print_unchecked(unchecked: UncheckedAxioms) -> int:
    """List the axioms HermiT could not check; 1 when checking them otherwise failed."""
    lines = unchecked.summary()
    if lines:
        print(f"not checked by HermiT (datatypes outside the OWL 2 map), {len(lines)}:")
        for line in lines:
            print(f"  {line}")
    print(f"those axioms' literals and ranges: {'ok' if not unchecked.problems else 'FAILED'}")
    for problem in unchecked.problems:
        print(f"  {problem}")
    return int(bool(unchecked.problems))


def cmd_reason(args: argparse.Namespace, settings: Settings) -> int:
    dataset = open_dataset(settings)
    try:
        count = reason_knowledge(dataset, infer)
    except LookupError:
        raise InputError("the store is empty; run `iqkg load` first") from None
    print(f"wrote {count} inferred triples to {dataset.iris.graph(GRAPH_INFERRED)}")
    return 0
