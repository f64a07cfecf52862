"""cli/knowledge.py: ``load``, ``reason``, ``validate`` and ``check`` on good, invalid and
malformed input (real subprocesses)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.server import iqkg

DATA = Path(__file__).parents[1] / "data"
MINI = DATA / "knowledge-mini"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"IQKG_STORE": str(tmp_path / "store"), "IQKG_KNOWLEDGE_DIR": str(MINI)}


def test_load_is_idempotent(env: dict[str, str]) -> None:
    first = iqkg("load", env=env)
    assert first.stdout.startswith("loaded ontology, curated, inferred")
    second = iqkg("load", env=env)
    assert second.stdout.startswith("unchanged")
    export_a = iqkg("export", env=env).stdout
    iqkg("load", env=env)
    assert iqkg("export", env=env).stdout == export_a


def test_reason_writes_the_closure_with_its_record(env: dict[str, str]) -> None:
    iqkg("load", "--no-reason", env=env)
    written = iqkg("reason", env=env).stdout
    assert written.startswith("wrote ") and "graph/inferred" in written
    record = iqkg(
        "query",
        "SELECT ?n ?from WHERE { GRAPH ?meta { ?g <http://rdfs.org/ns/void#triples> ?n ; "
        "<http://www.w3.org/ns/prov#wasDerivedFrom> ?from FILTER(STRENDS(STR(?g), "
        '"graph/inferred")) } }',
        "--format",
        "json",
        env=env,
    ).stdout
    rows = json.loads(record)["results"]["bindings"]
    assert {row["n"]["value"] for row in rows} == {written.split()[1]}
    assert {row["from"]["value"].rsplit("/", 1)[1] for row in rows} == {"ontology", "curated"}


def test_validate_conforming_file(env: dict[str, str], tmp_path: Path) -> None:
    good = tmp_path / "good.ttl"
    good.write_text(
        "<https://w3id.org/iqkg/id/partner/p/n1> a <https://w3id.org/iqkg/def#Network> ;\n"
        '  <http://www.w3.org/2000/01/rdf-schema#label> "N1"@de .\n'
    )
    result = iqkg("validate", str(good), env=env)
    assert result.returncode == 0
    assert "conforms" in result.stdout


@pytest.mark.parametrize(
    ("lang", "message"),
    [("en", "A network needs a label."), ("de", "Ein Netzwerk braucht einen Namen.")],
)
def test_validate_invalid_file_explains_in_language(
    env: dict[str, str], tmp_path: Path, lang: str, message: str
) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "<https://w3id.org/iqkg/id/partner/p/n2> a <https://w3id.org/iqkg/def#Network> .\n"
    )
    result = iqkg("validate", str(bad), "--lang", lang, env=env, check=False)
    assert result.returncode == 1
    assert message in result.stdout
    assert ": id:partner/p/n2\n" in result.stdout  # the resource, as a prefixed name


def test_validate_as_a_partner_checks_ownership_as_submit_does(
    env: dict[str, str], tmp_path: Path
) -> None:
    foreign = tmp_path / "foreign.ttl"
    foreign.write_text(
        "<https://example.org/n3> a <https://w3id.org/iqkg/def#Network> ;\n"
        '  <http://www.w3.org/2000/01/rdf-schema#label> "N3"@de .\n'
    )
    plain = iqkg("validate", str(foreign), env=env, check=False)
    assert "Ownership was NOT checked" in plain.stdout
    iqkg("partner", "add", "Partner P", "--slug", "p", env=env)
    as_p = iqkg("validate", "--partner", "p", str(foreign), env=env, check=False)
    assert as_p.returncode == 1 and "outside your IRI space" in as_p.stdout
    assert "Checked as partner p," in as_p.stdout and as_p.stderr == ""
    as_q = iqkg("validate", "--partner", "q", str(foreign), "--lang", "de", env=env, check=False)
    assert "Geprüft als Partner q," in as_q.stdout and "no partner 'q' is registered" in as_q.stderr
    bad = iqkg("validate", "--partner", "Not A Slug", str(foreign), env=env, check=False)
    assert bad.returncode == 2 and "--partner takes a partner's slug" in bad.stderr


def test_validate_json_report(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "<https://w3id.org/iqkg/id/partner/p/n2> a <https://w3id.org/iqkg/def#Network> .\n"
    )
    result = iqkg("validate", str(bad), "--format", "json", env=env, check=False)
    report = json.loads(result.stdout)
    assert report["conforms"] is False
    assert report["results"][0]["sourceShape"] == "https://w3id.org/iqkg/shapes#NetworkLabel"


def test_validate_malformed_turtle_gives_file_line_column(
    env: dict[str, str], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix ex: <http://example.org/> .\n\nex:a ex:b .\n")
    result = iqkg("validate", str(broken), env=env, check=False)
    assert result.returncode == 2
    assert f"{broken}:3:" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_missing_file(env: dict[str, str], tmp_path: Path) -> None:
    result = iqkg("validate", str(tmp_path / "nope.ttl"), env=env, check=False)
    assert result.returncode == 2 and "no such file" in result.stderr


def test_check_passes_on_consistent_knowledge(env: dict[str, str]) -> None:
    result = iqkg("check", env=env, check=False)
    assert "query 01-networks: ok" in result.stdout
    assert "query 02-organisations: ok" in result.stdout
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_fails_on_wrong_expected_answer(tmp_path: Path) -> None:
    import shutil

    knowledge = tmp_path / "knowledge"
    shutil.copytree(MINI, knowledge)
    (knowledge / "queries" / "01-networks.csv").write_text("network,label\r\nx,y\r\n")
    result = iqkg("check", env={"IQKG_KNOWLEDGE_DIR": str(knowledge)}, check=False)
    assert result.returncode == 1
    assert "query 01-networks: FAILED" in result.stdout
