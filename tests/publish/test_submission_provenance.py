"""Facts from an accepted submission say so on the page, and VoID and the dumps follow
every write to the dataset."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import Literal, NamedNode, Triple

from iqkg.publish.describe import describe
from iqkg.publish.dumps import Dumps
from iqkg.publish.labels import Labels
from iqkg.publish.pages import PageBuilder
from iqkg.publish.void import compute_stats
from iqkg.rdf.iris import IriScheme
from iqkg.store.dataset import Dataset, GraphWrite
from iqkg.store.loader import load_knowledge
from tests.publish.conftest import current_dumps
from tests.support.server import ROOT

NETWORK = "https://w3id.org/iqkg/id/network/bayern"
NOTE = "http://www.w3.org/2004/02/skos/core#note"


def test_submitted_facts_name_their_submission(tmp_path: Path) -> None:
    dataset = Dataset.open(None, IriScheme())
    load_knowledge(dataset, ROOT)
    dumps = Dumps(tmp_path)
    before = compute_stats(dataset)
    first_dump = current_dumps(dumps, dataset)

    graph = dataset.iris.submission_graph("s-42")
    fact = Triple(
        NamedNode(NETWORK), NamedNode(NOTE), Literal("Gemeldet von Partner X", language="de")
    )
    provenance = Triple(
        NamedNode(graph),
        NamedNode("http://purl.org/dc/terms/title"),
        Literal("Submission s-42", language="en"),
    )
    dataset.write([GraphWrite(graph, [fact])], [provenance])

    description = describe(dataset, NETWORK)
    assert description is not None
    page = PageBuilder(Labels(dataset), "de").page(description)
    note = next(r for r in page.rows if r.predicate == NOTE)
    origin = note.values[0].origins[0]
    assert origin.is_submission
    assert origin.label.value == "Einreichung s-42"
    assert origin.href == "/graph/submission/s-42"
    assert any(g.iri == graph for g in page.graphs)

    after = compute_stats(dataset)
    assert after.version != before.version
    assert after.triples == before.triples + 1 + 1  # the fact and its provenance
    assert graph in after.graphs
    second_dump = current_dumps(dumps, dataset)
    assert second_dump.version != first_dump.version
    assert [p.name for p in tmp_path.iterdir()] == [second_dump.version]
