"""publish/dumps.py and the worker's writing (query/dumping.py, called here in-process):
the dumps hold exactly the public quads (graphs kept, or their union), are written once
per dataset version, and replace the previous version's."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, RdfFormat, parse

from iqkg.publish.dumps import DUMP_FORMATS, Dumps
from iqkg.rdf.iris import OWL, RDFS, IriScheme
from iqkg.store.dataset import Dataset, dataset_iri
from tests.publish.conftest import current_dumps, public_quads

IRIS = IriScheme("https://data.example.org/kg/")
LABEL = NamedNode(RDFS + "label")
A, B = NamedNode(IRIS.resource("project", "a")), NamedNode(IRIS.resource("project", "b"))


def _set_version(dataset: Dataset, version: str) -> None:
    meta, subject, predicate = (
        NamedNode(IRIS.graph("meta")),
        NamedNode(dataset_iri(IRIS)),
        NamedNode(OWL + "versionInfo"),
    )
    for quad in list(dataset.store.quads_for_pattern(subject, predicate, None, meta)):
        dataset.store.remove(quad)
    dataset.store.add(Quad(subject, predicate, Literal(version), meta))


def _dataset() -> Dataset:
    dataset = Dataset.open(None, IRIS)
    curated, submission = NamedNode(IRIS.graph("curated")), NamedNode(IRIS.graph("submission/s"))
    dataset.store.extend(
        [
            Quad(A, LABEL, Literal("A", language="en"), curated),
            Quad(A, LABEL, Literal("A", language="en"), submission),  # in two graphs
            Quad(B, LABEL, Literal("B"), submission),
            Quad(B, LABEL, Literal("hidden"), NamedNode(IRIS.graph("private/p"))),
            Quad(B, LABEL, Literal("old"), NamedNode(IRIS.graph("archive/s/1"))),
            Quad(B, LABEL, Literal("stored"), DefaultGraph()),  # the store's default graph
        ]
    )
    _set_version(dataset, "v1")
    return dataset


def _parse(path: Path, gzipped: bool, syntax: RdfFormat) -> set[Quad]:
    data = gzip.decompress(path.read_bytes()) if gzipped else path.read_bytes()
    return set(parse(data, format=syntax))


def test_public_quads_keep_their_graph_and_leave_hidden_ones_out() -> None:
    quads = set(public_quads(_dataset()))
    graphs = {q.graph_name for q in quads}
    named = {NamedNode(IRIS.graph(g)) for g in ("curated", "submission/s", "meta")}
    assert graphs == {DefaultGraph(), *named}
    assert all(q.object not in (Literal("hidden"), Literal("old")) for q in quads)
    assert len(quads) == 5  # four labels (one of them twice) and the version


@pytest.mark.parametrize("fmt", DUMP_FORMATS, ids=lambda f: f.name)
def test_each_dump_holds_the_public_dataset(tmp_path: Path, fmt: object) -> None:
    dataset = _dataset()
    dumps = current_dumps(Dumps(tmp_path / "dumps"), dataset)
    dump = dumps.file(fmt.name)  # type: ignore[attr-defined]
    assert dump is not None and dump.size == dump.path.stat().st_size
    found = _parse(dump.path, dump.format.gzipped, dump.format.syntax.format)
    expected = set(public_quads(dataset))
    if dump.format.union:
        assert {q.triple for q in found} == {q.triple for q in expected}
        assert len(found) == len({q.triple for q in expected})  # each triple once
    else:
        assert found == expected
    assert dump.format.media_type == (
        "application/gzip" if dump.format.gzipped else dump.format.syntax.media_type
    )


def test_dumps_are_made_once_per_version_and_replaced(tmp_path: Path) -> None:
    dataset, directory = _dataset(), tmp_path / "dumps"
    dumps = Dumps(directory)
    first = current_dumps(dumps, dataset)
    assert first.version == "v1" and first.file("no-such-dump") is None
    written = {f.path: f.path.stat().st_mtime_ns for f in first.files}
    again = current_dumps(dumps, dataset)
    assert again.generated == first.generated
    assert {f.path: f.path.stat().st_mtime_ns for f in again.files} == written

    dataset.store.add(Quad(B, LABEL, Literal("new"), NamedNode(IRIS.graph("curated"))))
    _set_version(dataset, "v2")
    second = current_dumps(dumps, dataset)
    assert second.version == "v2"
    assert sorted(p.name for p in directory.iterdir()) == ["v2"]
    nq = second.file("iqkg.nq.gz")
    assert nq is not None
    assert Literal("new") in {q.object for q in _parse(nq.path, True, RdfFormat.N_QUADS)}


def test_a_half_written_version_is_rebuilt(tmp_path: Path) -> None:
    """Without its ``complete`` marker a version's folder is not trusted."""
    dataset, directory = _dataset(), tmp_path / "dumps"
    (directory / "v1").mkdir(parents=True)
    (directory / "v1" / "iqkg.ttl").write_text("garbage")
    dump = current_dumps(Dumps(directory), dataset).file("iqkg.ttl")
    assert dump is not None
    assert _parse(dump.path, False, RdfFormat.TURTLE)
