"""Streamed dumps: public graphs only, the union once per triple, the three files agree."""

from __future__ import annotations

import gzip
from pathlib import Path

from pyoxigraph import NamedNode, Quad, RdfFormat, parse

from iqkg.publish.dumps import Dumps
from iqkg.rdf.iris import IriScheme
from iqkg.store.dataset import Dataset

IRIS = IriScheme()
EX = "https://example.org/"


def _dataset() -> Dataset:
    dataset = Dataset.open(None, IRIS)
    a, b, hidden = IRIS.graph("test/a"), IRIS.graph("test/b"), IRIS.graph("private/test/h")
    dataset.store.update(
        f"""INSERT DATA {{
          GRAPH <{a}> {{ <{EX}s> <{EX}p> "shared" . <{EX}s> <{EX}p> "only a" . }}
          GRAPH <{b}> {{ <{EX}s> <{EX}p> "shared" . <{EX}t> <{EX}p> "only b" . }}
          GRAPH <{hidden}> {{ <{EX}s> <{EX}p> "secret" . }}
        }}"""
    )
    dataset.write([])  # a version, as every store has
    return dataset


def _quads(path: Path, fmt: RdfFormat) -> set[Quad]:
    return set(parse(gzip.decompress(path.read_bytes()), format=fmt))


def test_dumps_hold_the_public_graphs_and_the_union_once(tmp_path: Path) -> None:
    dataset = _dataset()
    dumps = Dumps(tmp_path).current(dataset)
    expected = {
        q
        for q in dataset.store.quads_for_pattern(None, None, None, None)
        if q.graph_name in dataset.public_graphs()
    }
    nquads, trig, turtle = (dumps.file(n) for n in ("iqkg.nq.gz", "iqkg.trig.gz", "iqkg.ttl"))
    assert nquads is not None and trig is not None and turtle is not None
    assert _quads(nquads.path, RdfFormat.N_QUADS) == expected
    assert _quads(trig.path, RdfFormat.TRIG) == expected
    assert "secret" not in gzip.decompress(nquads.path.read_bytes()).decode()
    union = [q.triple for q in parse(turtle.path.read_bytes(), format=RdfFormat.TURTLE)]
    assert len(union) == len(set(union))  # "shared" is in two graphs, written once
    assert {t.object.value for t in union if t.predicate == NamedNode(f"{EX}p")} == {
        "shared",
        "only a",
        "only b",
    }
