"""validation/report.py: a pySHACL report graph read into rows, grouped into problems as a
person reads them (one per resource, rule and message), counted in the right number in
German and English, and trimmed of results that only follow from another problem."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import RDF, SH, BNode, Graph, Literal, URIRef

from iqkg.validation.report import (
    ValidationReport,
    ValidationResult,
    counted,
    pick_message,
    read_report,
    report_prefixes,
    short_name,
    without_results_on,
)

BASE = "https://data.example.org/kg/"
NAMES = report_prefixes(BASE)
ID, IQ, SHAPES = BASE + "id/", BASE + "def#", BASE + "shapes#"
A, B = ID + "project/a", ID + "project/b"


def _result(
    focus: str = A,
    path: str | None = IQ + "label",
    value: str | None = None,
    shape: str = SHAPES + "LabelShape",
    severity: str = "Violation",
    messages: dict[str, str] | None = None,
    constraint: str = str(SH.MinCountConstraintComponent),
) -> ValidationResult:
    return ValidationResult(focus, path, value, shape, constraint, severity,
                            {"en": "needs a label", "de": "braucht eine Bezeichnung"}
                            if messages is None else messages)  # fmt: skip


def _report_graph() -> Graph:
    graph = Graph()
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    rows = [
        (A, IQ + "label", None, "Warning", [("has no label", "en")]),
        (B, IQ + "year", Literal("20x1"), "Violation",
         [("year is not a year", "en"), ("kein Jahr", "de")]),
        (A, IQ + "partOf", URIRef(ID + "programme/x"), None, []),
    ]  # fmt: skip
    for focus, path, value, severity, messages in rows:
        node = BNode()
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, URIRef(focus)))
        graph.add((node, SH.resultPath, URIRef(path)))
        graph.add((node, SH.sourceShape, URIRef(SHAPES + "S")))
        graph.add((node, SH.sourceConstraintComponent, SH.DatatypeConstraintComponent))
        if value is not None:
            graph.add((node, SH.value, value))
        if severity:
            graph.add((node, SH.resultSeverity, SH[severity]))
        for text, lang in messages:
            graph.add((node, SH.resultMessage, Literal(text, lang=lang)))
    return graph


def test_read_report_rows_most_severe_first() -> None:
    report = read_report(_report_graph())
    assert [(r.focus, r.severity) for r in report.results] == [
        (A, "Violation"),  # no sh:resultSeverity: a Violation (SHACL §3.6.1 default)
        (B, "Violation"),
        (A, "Warning"),
    ]
    year = report.results[1]
    assert (year.path, year.value, year.shape) == (IQ + "year", "20x1", SHAPES + "S")
    assert year.messages == {"en": "year is not a year", "de": "kein Jahr"}
    assert year.constraint == str(SH.DatatypeConstraintComponent)
    assert report.results[0].value == ID + "programme/x"
    assert len(report.triples) == len(_report_graph())
    assert not report.conforms


def test_empty_report_conforms() -> None:
    report = ValidationReport([], [])
    assert report.conforms
    assert report.summary("en") == "The data conforms to the iqkg shapes."
    assert report.as_text("de") == "Die Daten entsprechen den iqkg-Shapes."


@pytest.mark.parametrize(
    ("n", "severity", "lang", "expected"),
    [
        (1, "Violation", "en", "1 violation"),
        (2, "Violation", "en", "2 violations"),
        (0, "Warning", "en", "0 warnings"),
        (1, "Violation", "de", "1 Verstoß"),
        (3, "Violation", "de", "3 Verstöße"),
        (1, "Warning", "de", "1 Warnung"),
        (2, "Warning", "de", "2 Warnungen"),
        (2, "Warning", "fr", "2 warnings"),  # unknown language: English
    ],
)
def test_counted(n: int, severity: str, lang: str, expected: str) -> None:
    assert counted(n, severity, lang) == expected


def test_one_problem_per_resource_rule_and_message() -> None:
    report = ValidationReport(
        [
            _result(value="x"),
            _result(value="x"),  # reported twice
            _result(path=IQ + "altLabel", value="y"),  # same rule, another property
            _result(constraint=str(SH.ClassConstraintComponent), value="x"),  # another way
            _result(shape=SHAPES + "Other"),
            _result(focus=B),
            _result(severity="Warning"),
        ],
        [],
    )
    grouped = report.grouped(NAMES)
    assert [focus for focus, _ in grouped] == ["id:project/a", "id:project/b"]
    problems = grouped[0][1]
    assert [(p.severity, p.shape) for p in problems] == [
        ("Violation", "iqsh:LabelShape"),
        ("Violation", "iqsh:Other"),
        ("Warning", "iqsh:LabelShape"),
    ]
    assert problems[0].paths == ("iq:altLabel", "iq:label")
    assert problems[0].values == ("x", "y")
    assert report.problem_counts() == {"Violation": 3, "Warning": 1}
    assert report.summary("en") == "The data does not conform: 3 violations, 1 warning."
    assert report.summary("de") == "Die Daten sind nicht gültig: 3 Verstöße, 1 Warnung."


def test_without_messages_the_constraint_tells_problems_apart() -> None:
    report = ValidationReport(
        [
            _result(messages={}),
            _result(messages={}, constraint=str(SH.ClassConstraintComponent)),
        ],
        [],
    )
    ((_, problems),) = report.grouped()
    assert [p.message() for p in problems] == [
        "MinCountConstraintComponent",
        "ClassConstraintComponent",
    ]


def test_blank_node_paths_are_not_shown() -> None:
    report = ValidationReport([_result(path="_:b0"), _result(path=None)], [])
    ((_, (problem,)),) = report.grouped(NAMES)
    assert problem.paths == ()
    assert "[" not in report.as_text("en", NAMES).splitlines()[3]


def test_warnings_only_conform() -> None:
    report = ValidationReport(
        [_result(severity="Warning"), _result(severity="Warning", focus=B)], []
    )
    assert report.conforms
    assert report.summary("en") == "The data conforms, with 2 warnings."


def test_infos_alone_conform_without_a_count() -> None:
    report = ValidationReport([_result(severity="Info")], [])
    assert report.conforms
    assert report.summary("en") == "The data conforms to the iqkg shapes."
    assert report.summary("de") == "Die Daten entsprechen den iqkg-Shapes."


def test_text_in_both_languages() -> None:
    report = ValidationReport([_result(value="x")], [], ownership="iq-nrw")
    en = report.as_text("en", NAMES).splitlines()
    assert en == [
        "The data does not conform: 1 violation.",
        "Checked as partner iq-nrw, with the ownership rules of submissions.",
        "",
        "Resource: id:project/a",
        "  Violation [iq:label]: needs a label (Value: x)",
        "    Shape: iqsh:LabelShape",
    ]
    de = report.as_text("de", NAMES)
    assert (
        "Ressource: id:project/a" in de
        and "Verstoß [iq:label]: braucht eine Bezeichnung (Wert: x)" in de
    )


@pytest.mark.parametrize(
    ("ownership", "checked", "partner", "note"),
    [
        (None, None, None, None),
        (False, False, None, "NOT checked"),
        ("p1", True, "p1", "partner p1"),
    ],
)
def test_json(
    ownership: str | bool | None, checked: bool | None, partner: str | None, note: str | None
) -> None:
    report = ValidationReport(
        [_result(), _result(severity="Warning", focus=B)], [], ownership=ownership
    )
    answer = report.as_json("de")
    assert (answer["conforms"], answer["violations"], answer["warnings"], answer["lang"]) == (
        False,
        1,
        1,
        "de",
    )
    assert answer["results"][0]["message"] == "braucht eine Bezeichnung"
    assert answer["results"][0]["focusNode"] == A
    if ownership is None:
        assert "ownershipChecked" not in answer
    else:
        assert (answer["ownershipChecked"], answer["partner"]) == (checked, partner)
        assert note in report.as_json("en")["ownershipNote"]


@pytest.mark.parametrize(
    ("messages", "lang", "expected"),
    [
        ({"de": "Deutsch", "en": "English", "": "plain"}, "de", "Deutsch"),
        ({"de": "Deutsch", "en": "English"}, "fr", "English"),
        ({"de": "Deutsch", "": "plain"}, "en", "plain"),
        ({"fr": "français"}, "en", "français"),
        ({}, "en", "MinCountConstraintComponent"),
    ],
)
def test_pick_message(messages: dict[str, str], lang: str, expected: str) -> None:
    assert pick_message(messages, lang, str(SH.MinCountConstraintComponent)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (IQ + "label", "iq:label"),
        (ID + "network/bayern", "id:network/bayern"),
        (SHAPES + "LabelShape", "iqsh:LabelShape"),
        (BASE + "def#", BASE + "def#"),  # the namespace alone is no name
        ("a value with " + IQ, "a value with " + IQ),
        ("20x1", "20x1"),
        (None, None),
    ],
)
def test_short_name(text: str | None, expected: str | None) -> None:
    assert short_name(text, NAMES) == expected
    assert short_name(text, None) == text


def test_without_results_on_drops_rows_and_their_nodes() -> None:
    report = read_report(_report_graph())
    report.ownership = "p1"
    trimmed = without_results_on(report, {A})
    assert [r.focus for r in trimmed.results] == [B]
    assert trimmed.ownership == "p1"
    focus = ox.NamedNode(str(SH.focusNode))
    assert {t.object for t in trimmed.triples if t.predicate == focus} == {ox.NamedNode(B)}
    results = [t for t in trimmed.triples if t.predicate == ox.NamedNode(str(SH.result))]
    assert len(results) == 1
    assert without_results_on(report, set()) is report
