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
from iqkg.rdf.convert import to_ntriples, to_rdflib_graph
from iqkg.rdf.formats import (
    SPARQL_CSV,
    rdf_syntax_for_path,
)
from iqkg.rdf.iris import GRAPH_EDITORIAL, GRAPH_INFERRED, IriScheme
from iqkg.reasoning import UncheckedAxioms, check_consistency, infer
from iqkg.settings import Settings
from iqkg.store.dataset import Dataset
from iqkg.store.interface import GraphChange
from iqkg.store.loader import load_knowledge, parse_rdf_file
from iqkg.store.reading import graph_triples
from iqkg.validation.shacl import ShaclValidator, read_folder


def register(subparsers: Any) -> None:
    load = subparsers.add_parser("load", help="load ontology/ and data/ into the store")
    load.add_argument("--force", action="store_true", help="reload even if nothing changed")
    load.add_argument("--no-reason", action="store_true", help="skip the OWL RL closure")
    load.set_defaults(func=cmd_load)

    validate = subparsers.add_parser("validate", help="validate RDF files against the shapes")
    validate.add_argument(
        "files",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="RDF files (format from the extension: .ttl, .nt, .jsonld, .rdf, .trig, .nq)",
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
    triples: list[ox.Triple] = []
    for path in args.files:
        if not path.is_file():
            print(f"iqkg: {path}: no such file", file=sys.stderr)
            return 2
        rdf_syntax_for_path(path.name)
        triples += parse_rdf_file(path, iris, label=str(path))
    validator = ShaclValidator.from_folders(settings.knowledge_dir, iris)
    report = validator.validate(triples)
    if args.format == "json":
        print(json.dumps(report.as_json(args.lang), ensure_ascii=False, indent=2))
    elif args.format == "turtle":
        print(report.serialize(ox.RdfFormat.TURTLE).decode("utf-8"))
    else:
        print(report.as_text(args.lang))
    return 0 if report.conforms else 1


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
        print(report.as_text("en"))
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
    iris = dataset.iris
    base = [
        *graph_triples(dataset, iris.graph("ontology")),
        *graph_triples(dataset, iris.graph("curated")),
        *graph_triples(dataset, iris.graph(GRAPH_EDITORIAL)),
    ]
    if not base:
        raise InputError("the store is empty; run `iqkg load` first")
    inferred = infer(base)
    graph = iris.graph(GRAPH_INFERRED)
    dataset.write_graphs([GraphChange(graph, "replace", to_ntriples(inferred))])
    print(f"wrote {len(set(inferred))} inferred triples to {graph}")
    return 0
