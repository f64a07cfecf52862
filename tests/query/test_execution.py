"""query/execution.py: what a query worker does with one job, in process on a small
read-only store: the dataset a job is evaluated on (explicit graphs, the public union,
the stored default graph), the cut at the row limit, every syntax name, and errors as
problems rather than exceptions."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    parse,
    parse_query_results,
)

from iqkg.query import execution
from iqkg.query.execution import (
    NO_ROW_LIMIT,
    OpenCheckpoint,
    QueryAnswer,
    QueryBatch,
    QueryJob,
    QueryProblem,
    _LineCappedSink,
    _MayOverflow,
    _RowMarkSink,
    answer,
    answer_batch,
)
from iqkg.rdf.formats import GRAPH_SYNTAXES, RESULTS_SYNTAXES
from iqkg.rdf.iris import IriScheme

Term = NamedNode | BlankNode | Literal
IRIS = IriScheme("https://w3id.org/iqkg/")
P = NamedNode("urn:p")
CURATED, EDITORIAL = IRIS.graph("curated"), IRIS.graph("editorial")
PRIVATE, ARCHIVE = IRIS.graph("private/a"), IRIS.graph("archive/s1/v1")
#: Which subject lives in which graph (None: the store's default graph).
SUBJECTS = {
    "urn:curated": CURATED,
    "urn:editorial": EDITORIAL,
    "urn:private": PRIVATE,
    "urn:archive": ARCHIVE,
    "urn:default": None,
}
SUBJECTS_QUERY = "SELECT DISTINCT ?s { ?s ?p ?o }"


def _checkpoint(path: Path, quads: list[Quad]) -> OpenCheckpoint:
    store = Store(str(path))
    store.extend(quads)
    store.flush()
    del store  # a checkpoint is opened read-only, as the worker does
    return OpenCheckpoint(str(path), IRIS)


def _quad(subject: str, graph: str | None, value: str = "x") -> Quad:
    return Quad(
        NamedNode(subject), P, Literal(value), NamedNode(graph) if graph else DefaultGraph()
    )


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> OpenCheckpoint:
    """Public and hidden named graphs and a non-empty stored default graph."""
    path = tmp_path_factory.mktemp("mixed") / "store"
    return _checkpoint(path, [_quad(s, g) for s, g in SUBJECTS.items()])


@pytest.fixture(scope="module")
def lines(tmp_path_factory: pytest.TempPathFactory) -> OpenCheckpoint:
    """50 literals with a newline each in a public graph, one fact in a private one."""
    path = tmp_path_factory.mktemp("lines") / "store"
    quads = [_quad(f"urn:s:{i}", CURATED, f"v{i}\nline") for i in range(50)]
    return _checkpoint(path, [*quads, _quad("urn:hidden", PRIVATE)])


def _subjects(checkpoint: OpenCheckpoint, job: QueryJob) -> set[str]:
    result = answer(checkpoint, job)
    assert isinstance(result, QueryAnswer), result
    solutions = parse_query_results(result.body, format=QueryResultsFormat.JSON)
    assert isinstance(solutions, QuerySolutions)
    return {s["s"].value for s in solutions}


def _public_subjects(*, with_default: bool) -> set[str]:
    hidden = (PRIVATE, ARCHIVE)
    return {s for s, g in SUBJECTS.items() if g not in hidden and (with_default or g is not None)}


# The dataset of a job.


def test_hidden_graphs_are_found_once_when_the_checkpoint_is_opened(
    mixed: OpenCheckpoint,
) -> None:
    assert [g.value for g in mixed.public] == sorted([CURATED, EDITORIAL])
    assert not mixed.union_is_public  # hidden graphs exist, the default graph is not empty


def test_the_union_default_is_every_public_graph_and_the_stored_default(
    mixed: OpenCheckpoint,
) -> None:
    job = QueryJob(SUBJECTS_QUERY, "json")
    assert _subjects(mixed, job) == _public_subjects(with_default=True)
    named = QueryJob("SELECT DISTINCT ?s { GRAPH ?g { ?s ?p ?o } }", "json")
    assert _subjects(mixed, named) == _public_subjects(with_default=False)


def test_without_union_the_default_graph_is_the_stored_one(mixed: OpenCheckpoint) -> None:
    job = QueryJob(SUBJECTS_QUERY, "json", union_default=False)
    assert _subjects(mixed, job) == {"urn:default"}
    named = QueryJob("SELECT DISTINCT ?s { GRAPH ?g { ?s ?p ?o } }", "json", union_default=False)
    assert _subjects(mixed, named) == _public_subjects(with_default=False)


def test_oxigraphs_own_union_is_used_only_when_it_is_the_public_union(tmp_path: Path) -> None:
    clean = _checkpoint(tmp_path / "clean", [_quad("urn:a", CURATED), _quad("urn:b", EDITORIAL)])
    assert clean.union_is_public
    assert _subjects(clean, QueryJob(SUBJECTS_QUERY, "json")) == {"urn:a", "urn:b"}
    # A hidden graph alone, or a stored default graph alone, rules it out.
    assert not _checkpoint(tmp_path / "hidden", [_quad("urn:a", PRIVATE)]).union_is_public
    assert not _checkpoint(tmp_path / "default", [_quad("urn:a", None)]).union_is_public


@pytest.mark.parametrize(
    ("default_graphs", "named_graphs", "default_subjects", "named_subjects"),
    [
        ((CURATED,), None, {"urn:curated"}, set()),
        ((CURATED, EDITORIAL), (), {"urn:curated", "urn:editorial"}, set()),
        ((CURATED,), (EDITORIAL,), {"urn:curated"}, {"urn:editorial"}),
        # Hidden graphs and names that are no IRI are dropped from what the job names.
        (
            (CURATED, PRIVATE, "not an IRI"),
            (ARCHIVE, EDITORIAL),
            {"urn:curated"},
            {"urn:editorial"},
        ),
        # Only named graphs named (SPARQL 1.1 Query §13.2): the default graph is empty,
        # not the stored one, and never the union.
        ((), (PRIVATE, ARCHIVE), set(), set()),
        ((), (EDITORIAL,), set(), {"urn:editorial"}),
        # Nothing visible left as the default graph: an empty one (a hidden name names
        # no graph).
        ((PRIVATE,), (), set(), set()),
        (("urn:no-such-graph",), (), set(), set()),
    ],
)
def test_an_explicit_dataset_holds_only_the_visible_graphs_it_names(
    mixed: OpenCheckpoint,
    default_graphs: tuple[str, ...] | None,
    named_graphs: tuple[str, ...] | None,
    default_subjects: set[str],
    named_subjects: set[str],
) -> None:
    job = QueryJob(SUBJECTS_QUERY, "json", default_graphs, named_graphs)
    assert _subjects(mixed, job) == default_subjects
    in_named = QueryJob(
        "SELECT DISTINCT ?s { GRAPH ?g { ?s ?p ?o } }", "json", default_graphs, named_graphs
    )
    assert _subjects(mixed, in_named) == named_subjects


def test_a_graph_named_in_the_query_text_cannot_reach_a_hidden_graph(
    mixed: OpenCheckpoint,
) -> None:
    graph = QueryJob(f"SELECT ?s {{ GRAPH <{PRIVATE}> {{ ?s ?p ?o }} }}", "json")
    assert _subjects(mixed, graph) == set()
    # The job's dataset is explicit, so a FROM the server misread changes nothing.
    expected = {True: _public_subjects(with_default=True), False: {"urn:default"}}
    for union, subjects in expected.items():
        misread = QueryJob(
            f"SELECT ?s FROM <{ARCHIVE}> {{ ?s ?p ?o }}", "json", union_default=union
        )
        assert _subjects(mixed, misread) == subjects


def test_relative_iris_resolve_against_the_base(mixed: OpenCheckpoint) -> None:
    job = QueryJob("SELECT ?s { ?s <p> ?o }", "json", base_iri="urn:")
    assert _subjects(mixed, job) == _public_subjects(with_default=True)
    own_base = QueryJob(
        "BASE <http://other.example/> SELECT ?s { ?s <p> ?o }", "json", base_iri="urn:"
    )
    assert _subjects(mixed, own_base) == set()


# The row limit.


def _rows(body: bytes, syntax: str) -> list[dict[str, Term]]:
    """The rows of a SELECT answer; CSV (which pyoxigraph does not read back) as text."""
    if syntax == "csv":
        header, *rows = csv.reader(io.StringIO(body.decode("utf-8"), newline=""))
        return [{n: Literal(v) for n, v in zip(header, row, strict=True)} for row in rows]
    format = next(s.format for s in RESULTS_SYNTAXES if s.name == syntax)
    solutions = parse_query_results(body, format=format)
    assert isinstance(solutions, QuerySolutions)
    return [{v.value: s[v] for v in solutions.variables if s[v] is not None} for s in solutions]


@pytest.mark.parametrize(
    ("writes", "max_lines", "kept", "truncated"),
    [
        ([b"a\nb\n"], 2, b"a\nb\n", False),  # exactly full: not cut
        ([b"a\nb\n", b""], 2, b"a\nb\n", False),  # an empty write after it is no row
        ([b"a\n", b"b\n", b"c\n"], 2, b"a\nb\n", True),
        ([b"a\nb\nc\nd\n"], 3, b"a\nb\nc\n", True),  # cut inside one write
        ([b"a\nb", b"\nc\n"], 2, b"a\nb\n", True),  # a row split over writes
        ([b"a\nb"], 1, b"a\n", True),  # a partial row past the limit is dropped
        ([b"a\n"], 0, b"", True),
    ],
)
def test_the_sink_keeps_whole_lines_up_to_its_limit(
    writes: list[bytes], max_lines: int, kept: bytes, truncated: bool
) -> None:
    sink = _LineCappedSink(max_lines)
    stopped = False
    for data in writes:
        try:
            assert sink.write(data) == len(data)
        except Exception as error:  # _Full: the serialiser is stopped
            assert type(error).__name__ == "_Full"
            stopped = True
            break
    assert sink.value() == kept
    assert sink.truncated == truncated == stopped


@pytest.mark.parametrize(
    ("writes", "max_marks", "stopped_at", "cut"),
    [
        ([b"[{},{},{}]"], 2, None, None),  # exactly at the bound: kept
        ([b"[{},{},{},{}]"], 2, 0, 8),
        ([b"[{}", b",{},{}]"], 1, 1, 5),  # counted in the write that holds it
        ([b"[{}", b"}", b",{", b"}]"], 0, 2, 3),  # a mark split over three writes counts once
        ([b"[{},{", b"},{", b"}]"], 1, 1, 5),
        ([b"}", b",", b"{", b"}"], 0, 2, 0),
        ([b"", b"}},", b"{}"], 0, 2, 1),
    ],
)
def test_the_row_mark_sink_stops_when_the_marks_pass_its_bound(
    writes: list[bytes], max_marks: int, stopped_at: int | None, cut: int | None
) -> None:
    sink = _RowMarkSink(b"},{", max_marks)
    for index, data in enumerate(writes):
        if index == stopped_at:
            with pytest.raises(_MayOverflow):
                sink.write(data)
            # The write that passed the bound is kept; the cut is where its mark starts.
            assert sink.value() == b"".join(writes[: index + 1])
            assert sink.cut == cut and sink.value()[cut:].startswith(b"},{")
            return
        assert sink.write(data) == len(data)
    assert stopped_at is None and sink.cut is None
    assert sink.value() == b"".join(writes)


@pytest.fixture(scope="module")
def marked(tmp_path_factory: pytest.TempPathFactory) -> OpenCheckpoint:
    """20 literals holding what JSON and XML write between rows, as text."""
    path = tmp_path_factory.mktemp("marked") / "store"
    text = 'a},{"b":{},{}<result></result>'
    return _checkpoint(path, [_quad(f"urn:s:{i:02}", CURATED, f"{text}{i}") for i in range(20)])


@pytest.fixture(scope="module")
def ends(tmp_path_factory: pytest.TempPathFactory) -> OpenCheckpoint:
    """20 literals ending in what stands between two JSON solutions, half with a language."""
    path = tmp_path_factory.mktemp("ends") / "store"
    values = [Literal(f"{i}}}}},{{", language="de" if i % 2 else None) for i in range(20)]
    return _checkpoint(
        path,
        [Quad(NamedNode(f"urn:s:{i:02}"), P, v, NamedNode(CURATED)) for i, v in enumerate(values)],
    )


@pytest.mark.parametrize("syntax", [s.name for s in RESULTS_SYNTAXES])
@pytest.mark.parametrize(("limit", "cut"), [(1, True), (19, True), (20, False), (21, False)])
def test_rows_that_look_like_row_marks_are_cut_exactly(
    marked: OpenCheckpoint, syntax: str, limit: int, cut: bool
) -> None:
    query = "SELECT ?s ?o { ?s ?p ?o } ORDER BY ?s"
    result = answer(marked, QueryJob(query, syntax, row_limit=limit))
    assert isinstance(result, QueryAnswer)
    assert result.truncated == cut
    rows = _rows(result.body, syntax)
    assert [row["o"].value for row in rows] == [
        f'a}},{{"b":{{}},{{}}<result></result>{i}' for i in range(min(limit, 20))
    ]


def _counting_tsv_way(monkeypatch: pytest.MonkeyPatch) -> list[QueryJob]:
    """The jobs that take the TSV way from now on (each evaluates its query again)."""
    taken: list[QueryJob] = []
    tsv_way = execution._solutions

    def counted(result: QuerySolutions, job: QueryJob) -> QueryAnswer:
        taken.append(job)
        return tsv_way(result, job)

    monkeypatch.setattr(execution, "_solutions", counted)
    return taken


@pytest.mark.parametrize("syntax", ["json", "xml"])
@pytest.mark.parametrize("limit", [1, 7, 49])
def test_an_answer_past_the_limit_is_cut_where_it_was_written(
    lines: OpenCheckpoint, syntax: str, limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One evaluation, and the very bytes the exact TSV way writes."""
    job = QueryJob("SELECT ?s ?o { ?s ?p ?o } ORDER BY ?s", syntax, row_limit=limit)
    evaluated = lines.evaluate(job)
    assert isinstance(evaluated, QuerySolutions)
    exact = execution._solutions(evaluated, job)
    taken = _counting_tsv_way(monkeypatch)
    result = answer(lines, job)
    assert isinstance(result, QueryAnswer)
    assert (result.body, result.truncated) == (exact.body, True)
    assert taken == []


@pytest.mark.parametrize(
    ("fixture", "query", "limit", "syntax", "tsv_way"),
    [
        ("marked", "SELECT ?s ?o { ?s ?p ?o } ORDER BY ?s", 19, "json", True),  # }},{ in text
        ("marked", "SELECT ?s ?o { ?s ?p ?o } ORDER BY ?s", 19, "xml", False),  # &lt;result>
        ("ends", "SELECT ?s ?o { ?s ?p ?o } ORDER BY ?s", 5, "json", True),  # }},{"} and }},{",
        ("lines", "SELECT ?z { ?s ?p ?o OPTIONAL { ?s <urn:none> ?z } }", 9, "json", True),
        ("lines", "SELECT ?z { ?s ?p ?o OPTIONAL { ?s <urn:none> ?z } }", 9, "xml", False),
        ("lines", "SELECT ?s { ?s ?p ?o }", 0, "json", True),  # nothing to cut from
    ],
)
def test_a_cut_not_shown_exact_takes_the_tsv_way(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    fixture: str,
    query: str,
    limit: int,
    syntax: str,
    tsv_way: bool,
) -> None:
    checkpoint = request.getfixturevalue(fixture)
    taken = _counting_tsv_way(monkeypatch)
    result = answer(checkpoint, QueryJob(query, syntax, row_limit=limit))
    assert isinstance(result, QueryAnswer) and result.truncated
    assert len(_rows(result.body, syntax)) == limit
    assert len(taken) == int(tsv_way)


@pytest.mark.parametrize("syntax", [s.name for s in RESULTS_SYNTAXES])
@pytest.mark.parametrize(("limit", "cut"), [(0, True), (49, True), (50, False)])
def test_empty_solutions_count_as_rows(
    lines: OpenCheckpoint, syntax: str, limit: int, cut: bool
) -> None:
    query = "SELECT ?z { ?s ?p ?o OPTIONAL { ?s <urn:none> ?z } }"
    result = answer(lines, QueryJob(query, syntax, row_limit=limit))
    assert isinstance(result, QueryAnswer)
    assert result.truncated == cut
    if syntax != "csv":  # CSV's empty rows are blank lines, which the reader skips
        assert len(_rows(result.body, syntax)) == min(limit, 50)


@pytest.mark.parametrize("syntax", [s.name for s in RESULTS_SYNTAXES])
@pytest.mark.parametrize(("limit", "cut"), [(7, True), (49, True), (50, False), (51, False)])
def test_select_is_cut_at_the_row_limit_in_every_syntax(
    lines: OpenCheckpoint, syntax: str, limit: int, cut: bool
) -> None:
    result = answer(lines, QueryJob("SELECT ?s ?o { ?s ?p ?o }", syntax, row_limit=limit))
    assert isinstance(result, QueryAnswer)
    assert result.truncated == cut
    rows = _rows(result.body, syntax)
    assert len(rows) == min(limit, 50)  # the private graph's fact is never a row
    assert all(row["o"].value.endswith("\nline") for row in rows)


@pytest.mark.parametrize("syntax", [s.name for s in GRAPH_SYNTAXES])
@pytest.mark.parametrize(("limit", "cut"), [(3, True), (50, False)])
def test_construct_is_cut_at_the_row_limit_in_every_syntax(
    lines: OpenCheckpoint, syntax: str, limit: int, cut: bool
) -> None:
    result = answer(lines, QueryJob("CONSTRUCT WHERE { ?s ?p ?o }", syntax, row_limit=limit))
    assert isinstance(result, QueryAnswer)
    assert result.truncated == cut
    format = next(s.format for s in GRAPH_SYNTAXES if s.name == syntax)
    triples = list(parse(result.body, format=format))
    assert len(triples) == min(limit, 50)
    assert all(isinstance(q.object, Literal) and "\n" in q.object.value for q in triples)


def test_turtle_answers_use_the_known_prefixes(lines: OpenCheckpoint) -> None:
    query = "CONSTRUCT { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?o } WHERE { ?s ?p ?o }"
    result = answer(lines, QueryJob(query, "turtle", row_limit=2))
    assert isinstance(result, QueryAnswer)
    assert b"@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#>" in result.body
    assert b"rdfs:label" in result.body
    assert len(list(parse(result.body, format=RdfFormat.TURTLE))) == 2


@pytest.mark.parametrize("syntax", [s.name for s in RESULTS_SYNTAXES])
def test_ask_answers_in_every_results_syntax(lines: OpenCheckpoint, syntax: str) -> None:
    format = next(s.format for s in RESULTS_SYNTAXES if s.name == syntax)
    for query, expected in (("ASK { ?s ?p ?o }", True), ("ASK { <urn:hidden> ?p ?o }", False)):
        result = answer(lines, QueryJob(query, syntax, row_limit=0))
        assert isinstance(result, QueryAnswer) and not result.truncated
        if syntax == "csv":  # pyoxigraph does not read CSV results back (lossy)
            assert result.body == str(expected).lower().encode()
        else:
            assert bool(parse_query_results(result.body, format=format)) is expected


# Problems.


def test_a_syntax_error_is_a_problem_with_its_position(lines: OpenCheckpoint) -> None:
    problem = answer(lines, QueryJob("SELECT * {\n  ?s ?p }", "json"))
    assert isinstance(problem, QueryProblem)
    assert (problem.kind, problem.line) == ("syntax", 2)
    assert problem.column is not None and problem.column > 1
    assert not problem.message.startswith("(")  # Oxigraph's words, no location tuple


def test_a_refused_evaluation_is_the_querys_fault(lines: OpenCheckpoint) -> None:
    problem = answer(lines, QueryJob("SELECT (<urn:f>(1) AS ?x) {}", "json"))
    assert isinstance(problem, QueryProblem)
    assert problem.kind == "evaluation" and "urn:f" in problem.message


# Batches.


def test_a_batch_answers_every_query_on_one_checkpoint(lines: OpenCheckpoint) -> None:
    batch = QueryBatch(
        (
            QueryJob("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "tsv", row_limit=NO_ROW_LIMIT),
            QueryJob("ASK { ?s ?p ?o }", "json"),
        )
    )
    result = answer_batch(lines, batch)
    assert isinstance(result, QueryAnswer) and not result.truncated
    count, asked = json.loads(result.body)  # every answer as SPARQL JSON results
    assert count["results"]["bindings"][0]["n"]["value"] == "50"  # private graph not seen
    assert asked["boolean"] is True
    broken = QueryBatch((batch.jobs[1], QueryJob("SELECT * { ?s ?p }", "json")))
    problem = answer_batch(lines, broken)
    assert isinstance(problem, QueryProblem) and problem.kind == "syntax"


def test_a_batch_is_truncated_when_one_of_its_answers_is(lines: OpenCheckpoint) -> None:
    batch = QueryBatch(
        (QueryJob("ASK {}", "json"), QueryJob("SELECT ?s { ?s ?p ?o }", "json", row_limit=5))
    )
    result = answer_batch(lines, batch)
    assert isinstance(result, QueryAnswer) and result.truncated
    asked, cut = json.loads(result.body)
    assert asked["boolean"] is True and len(cut["results"]["bindings"]) == 5
