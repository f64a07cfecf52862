"""The fast SHACL engine gives the same results as pySHACL and as the W3C SHACL Core suite.

Two sets of cases, both data-driven over folders:

- every fixture of the project (``tests/data/{invalid,valid,submissions}``, the curated data
  alone, ``tests/data/knowledge-mini``) against the project's shapes: the fast validator and
  pySHACL must give the same results — focus node, path, value, source shape, constraint
  component, severity, and the messages where the shape has them — and no project shape may
  fall back to pySHACL;
- every test of the W3C SHACL Core suite (``tests/data/w3c-shacl/core``, from pySHACL's
  source distribution): the fast validator must give the report the test expects (top-level
  results and ``sh:conforms``) and pySHACL's results. Blank nodes are compared by what they
  are (their triples, recursively), not by label, so blank-node shapes, paths and focus
  nodes match by isomorphism.

A W3C test whose shapes the fast engine cannot evaluate still runs: those shapes fall back to
pySHACL, and ``tests/data/w3c-shacl/fallback.json`` lists them with the reason, so the list
can only change on purpose. ``tests/data/w3c-shacl/known-failures.json`` lists, with the
reason, the tests whose expected report the validator does not give (run as strict xfails)
and those where the fast engine and pySHACL differ (asserted to still differ).

Over both sets of cases, a check shared among workers (``Part(0, 2)`` and ``Part(1, 2)``)
must give, between its shares, exactly the results of the whole check.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from iqkg.rdf.convert import to_oxigraph_triples, to_rdflib_graph
from iqkg.rdf.iris import IriScheme
from iqkg.validation.core import Part
from iqkg.validation.report import ValidationReport
from iqkg.validation.shacl import ShaclValidator

ROOT = Path(__file__).parents[2]
DATA = ROOT / "tests" / "data"
W3C = DATA / "w3c-shacl"
SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
SHT = "http://www.w3.org/ns/shacl-test#"
TYPE = ox.NamedNode(RDF + "type")

Key = tuple[str | None, ...]


class Index:
    """Subject → (predicate, object) of some triples, to describe blank nodes.

    A subject is described by the first graph that has it as a subject: pySHACL's report
    keeps the label of a blank-node path but copies its lists under new labels.
    """

    def __init__(self, *graphs: Iterable[ox.Triple]) -> None:
        self.out: dict[object, list[tuple[ox.NamedNode, object]]] = {}
        for triples in graphs:
            mine: dict[object, list[tuple[ox.NamedNode, object]]] = {}
            for t in triples:
                if t.subject not in self.out:
                    mine.setdefault(t.subject, []).append((t.predicate, t.object))
            self.out.update(mine)

    def values(self, s: object, p: str) -> list[object]:
        return [o for q, o in self.out.get(s, ()) if q.value == p]

    def one(self, s: object, p: str) -> object | None:
        values = self.values(s, p)
        return values[0] if values else None

    def describe(self, term: object | None, depth: int = 0) -> str | None:
        """A blank node as its triples (recursively): equal for isomorphic structures."""
        if term is None:
            return None
        if not isinstance(term, ox.BlankNode):
            return str(term)
        if depth > 6:
            return "[…]"
        inner = sorted(
            f"{p} {self.describe(o, depth + 1)}"
            for p, o in set(self.out.get(term, ()))
            if not (p.value.startswith(SH) and p.value[len(SH) :] in _REPORT_FIELDS)
        )
        return "[" + "; ".join(inner) + "]"


_REPORT_FIELDS = {"detail", "result", "resultMessage"}


def result_keys(
    report: Iterable[object], index: Index, *, messages: Index | None = None
) -> Counter[Key]:
    """The results as comparable keys; messages only where ``messages`` (shapes) has them."""
    keys: Counter[Key] = Counter()
    for node in report:
        shape = index.one(node, SH + "sourceShape")
        texts: str | None = None
        if messages is not None and messages.values(shape, SH + "message"):
            texts = " | ".join(sorted(str(m) for m in index.values(node, SH + "resultMessage")))
        keys[
            (
                index.describe(index.one(node, SH + "focusNode")),
                index.describe(index.one(node, SH + "resultPath")),
                index.describe(index.one(node, SH + "value")),
                index.describe(shape),
                index.describe(index.one(node, SH + "sourceConstraintComponent")),
                index.describe(index.one(node, SH + "resultSeverity")),
                texts,
            )
        ] += 1
    return keys


def all_results(report: ValidationReport) -> list[object]:
    """Every sh:ValidationResult, sh:detail ones included (what ``read_report`` lists)."""
    result = ox.NamedNode(SH + "ValidationResult")
    return [t.subject for t in report.triples if t.predicate == TYPE and t.object == result]


def top_results(report: ValidationReport) -> list[object]:
    return [t.object for t in report.triples if t.predicate.value == SH + "result"]


def conforms(report: ValidationReport) -> bool:
    return next(t.object.value for t in report.triples if t.predicate.value == SH + "conforms") == (
        "true"
    )


# --- the project's shapes and fixtures --------------------------------------------------

FIXTURES = sorted(
    p
    for folder in ("invalid", "valid", "submissions")
    for p in (DATA / folder).iterdir()
    if p.is_file()
)


@cache
def project_validator(knowledge: Path) -> ShaclValidator:
    return ShaclValidator.from_folders(knowledge, IriScheme())


def read_fixture(path: Path) -> list[ox.Triple]:
    """The triples of a fixture, named graphs merged (the checking path refuses them)."""
    iris = IriScheme()
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
    assert fmt is not None, path
    quads = ox.parse(path=str(path), format=fmt, base_iri=iris.partner_space("example"))
    return list({ox.Triple(q.subject, q.predicate, q.object) for q in quads})


def assert_same_as_pyshacl(
    validator: ShaclValidator, data: list[ox.Triple], *, with_curated: bool = True
) -> ValidationReport:
    fast = validator.validate(data, with_curated=with_curated)
    reference = validator.reference.validate(data, with_curated=with_curated)
    shape_triples = to_oxigraph_triples(validator.shapes)
    shapes = Index(shape_triples)
    fast_keys = result_keys(all_results(fast), Index(fast.triples, shape_triples), messages=shapes)
    ref_keys = result_keys(
        all_results(reference), Index(reference.triples, shape_triples), messages=shapes
    )
    assert fast_keys == ref_keys
    assert fast.conforms == reference.conforms
    # What the API, the CLI and the pages show (blank-node paths have no stable label).
    assert rows(fast) == rows(reference)
    return fast


def rows(report: ValidationReport) -> list[str]:
    return sorted(
        json.dumps(
            {**r.as_json(), "resultPath": "_:path" if (r.path or "").startswith("_:") else r.path},
            sort_keys=True,
        )
        for r in report.results
    )


#: The two shares of a check shared between two workers.
HALVES = (Part(0, 2), Part(1, 2))


def assert_shares_add_up(
    validator: ShaclValidator, data: list[ox.Triple], *, with_curated: bool = True
) -> list[ValidationReport]:
    """The shares' results together are the whole's, as multisets of rows."""
    whole = validator.validate(data, with_curated=with_curated)
    shares = [validator.validate(data, with_curated=with_curated, part=p) for p in HALVES]
    assert sorted(row for share in shares for row in rows(share)) == rows(whole)
    assert whole.conforms == all(share.conforms for share in shares)
    return shares


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_same_as_pyshacl_whole_and_shared(path: Path) -> None:
    validator, data = project_validator(ROOT), read_fixture(path)
    assert_same_as_pyshacl(validator, data)
    assert_shares_add_up(validator, data)


@pytest.mark.parametrize("knowledge", [ROOT, DATA / "knowledge-mini"], ids=["iqkg", "mini"])
def test_curated_data_same_as_pyshacl_whole_and_shared(knowledge: Path) -> None:
    assert_same_as_pyshacl(project_validator(knowledge), [])
    assert_shares_add_up(project_validator(knowledge), [])


def test_many_results_same_as_pyshacl_and_shared_out() -> None:
    """The 2,000-subject body of the hostile benchmark, cut to 200 subjects."""
    network = ox.NamedNode("https://w3id.org/iqkg/def#RegionalNetwork")
    data = [
        ox.Triple(ox.NamedNode(f"https://w3id.org/iqkg/id/partner/x/n{i}"), TYPE, network)
        for i in range(200)
    ]
    report = assert_same_as_pyshacl(project_validator(ROOT), data)
    assert len(report.results) >= 200
    shares = assert_shares_add_up(project_validator(ROOT), data)
    # Both shares did part of the work, and none did another's.
    focuses = [{r.focus for r in share.results if "/partner/x/" in r.focus} for share in shares]
    assert all(len(found) >= 50 for found in focuses), [len(f) for f in focuses]
    assert not focuses[0] & focuses[1]


def test_no_project_shape_falls_back() -> None:
    assert project_validator(ROOT).fallback == {}
    assert project_validator(DATA / "knowledge-mini").fallback == {}


# --- the W3C SHACL Core test suite --------------------------------------------------------


def w3c_tests() -> list[tuple[str, Path, ox.NamedNode | ox.BlankNode]]:
    """(id, manifest file, entry) for each test the core manifests include."""
    found = []
    for folder_manifest in sorted((W3C / "core").glob("*/manifest.ttl")):
        for include in read_turtle(folder_manifest):
            if include.predicate.value != MF + "include":
                continue
            path = Path(include.object.value.removeprefix("file://"))
            triples = read_turtle(path)
            for t in triples:
                if t.predicate == TYPE and t.object.value in (SHT + "Validate",):
                    name = f"{path.parent.name}/{path.stem}"
                    found.append((name, path, t.subject))
    return found


def read_turtle(path: Path) -> list[ox.Triple]:
    return list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.as_uri()))


_KNOWN = json.loads((W3C / "known-failures.json").read_text())
#: test → why the validator does not give the report the W3C test expects (strict xfail).
KNOWN_FAILURES: dict[str, str] = _KNOWN["expected-report"]
#: test → why the fast engine's results differ from pySHACL's there (asserted to differ).
PYSHACL_DIFFERS: dict[str, str] = _KNOWN["pyshacl"]
#: test → {shape: reason} for the shapes that fall back to pySHACL (see fallback_of).
FALLBACK: dict[str, dict[str, str]] = json.loads((W3C / "fallback.json").read_text())
TESTS = w3c_tests()


def fallback_of(validator: ShaclValidator) -> dict[str, str]:
    """The shapes that fell back, and why, without the labels of blank nodes or the base."""

    def plain(text: str) -> str:
        return re.sub(r"_:\w+", "_:", text.replace(W3C.as_uri() + "/", ""))

    return {plain(shape): plain(reason) for shape, reason in validator.fallback.items()}


def _case(name: str, path: Path, entry: object) -> object:
    marks = []
    if name in KNOWN_FAILURES:
        marks.append(pytest.mark.xfail(reason=KNOWN_FAILURES[name], strict=True))
    return pytest.param(path, entry, id=name, marks=marks)


def read_case(
    path: Path, entry: ox.NamedNode | ox.BlankNode
) -> tuple[list[ox.Triple], Index, list[ox.Triple], list[ox.Triple]]:
    """A W3C test's manifest (as triples and indexed), data graph and shapes graph."""
    manifest = read_turtle(path)
    index = Index(manifest)
    action = index.one(entry, MF + "action")
    data_file = index.one(action, SHT + "dataGraph")
    shapes_file = index.one(action, SHT + "shapesGraph")
    assert isinstance(data_file, ox.NamedNode) and isinstance(shapes_file, ox.NamedNode)
    data = read_turtle(Path(data_file.value.removeprefix("file://")))
    return manifest, index, data, read_turtle(Path(shapes_file.value.removeprefix("file://")))


@pytest.mark.parametrize(("path", "entry"), [_case(*t) for t in TESTS])
def test_w3c_core(path: Path, entry: ox.NamedNode | ox.BlankNode) -> None:
    manifest, index, data, shape_triples = read_case(path, entry)
    validator = ShaclValidator(to_rdflib_graph(shape_triples), Graph(), Graph())
    name = f"{path.parent.name}/{path.stem}"
    assert fallback_of(validator) == FALLBACK.get(name, {})

    fast = validator.validate(data, with_curated=False)
    reference = validator.reference.validate(data, with_curated=False)
    shapes = Index(shape_triples)
    graphs = (manifest, data, shape_triples)
    same = result_keys(all_results(fast), Index(fast.triples, *graphs), messages=shapes) == (
        result_keys(all_results(reference), Index(reference.triples, *graphs), messages=shapes)
    )
    assert same != (name in PYSHACL_DIFFERS), PYSHACL_DIFFERS.get(name, "differs from pySHACL")
    assert conforms(fast) == conforms(reference)

    expected = index.one(entry, MF + "result")
    assert expected is not None and not (
        isinstance(expected, ox.NamedNode) and expected.value == SHT + "Failure"
    ), "tests that expect a failure are not in the core suite's Validate entries"
    expected_conforms = index.one(expected, SH + "conforms")
    assert isinstance(expected_conforms, ox.Literal)
    # SHACL §3.6.1: sh:conforms is false if there is any result; iqkg lets Warnings and
    # Infos through (allow_warnings/allow_infos), so sh:conforms of its reports is not that.
    assert (not top_results(fast)) == (expected_conforms.value == "true")
    assert result_keys(top_results(fast), Index(fast.triples, *graphs)) == result_keys(
        index.values(expected, SH + "result"), Index(*graphs)
    )


def test_every_w3c_core_file_is_run() -> None:
    """No test file of the vendored suite is left out of the manifests read above."""
    run = {path for _, path, _ in TESTS}
    tests = {
        p
        for p in (W3C / "core").glob("*/*.ttl")
        if p.name != "manifest.ttl" and "Validate" in p.read_text()
    }
    assert tests <= run
    assert set(KNOWN_FAILURES) | set(PYSHACL_DIFFERS) <= {name for name, _, _ in TESTS}
    assert set(FALLBACK) <= {name for name, _, _ in TESTS}


@pytest.mark.parametrize(("path", "entry"), [pytest.param(*t[1:], id=t[0]) for t in TESTS])
def test_w3c_core_shares_add_up_to_the_whole(
    path: Path, entry: ox.NamedNode | ox.BlankNode
) -> None:
    """Blank-node and literal focus nodes, sh:targetNode, shapes left to pySHACL (share 0
    runs those whole): the W3C suite's graphs shared in two."""
    _, _, data, shape_triples = read_case(path, entry)
    validator = ShaclValidator(to_rdflib_graph(shape_triples), Graph(), Graph())
    assert_shares_add_up(validator, data, with_curated=False)
