"""settings.py: the environment, then the TOML file named by ``IQKG_CONFIG``, then the
defaults; driven by tests/data/settings/cases.json (see its README)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from iqkg.settings import Settings

CASES = json.loads((Path(__file__).parent / "data" / "settings" / "cases.json").read_text())


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No ``IQKG_*`` of the machine running the tests may leak into a case."""
    for name in list(os.environ):
        if name.upper().startswith("IQKG_"):
            monkeypatch.delenv(name)
    return monkeypatch


def _settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, case: dict[str, Any]) -> Settings:
    for name, value in case["env"].items():
        monkeypatch.setenv(name, value)
    if case["toml"] is not None:
        config = tmp_path / "iqkg.toml"
        config.write_text(case["toml"], encoding="utf-8")
        monkeypatch.setenv("IQKG_CONFIG", str(config))
    return Settings()


def _plain(value: object) -> object:
    return str(value) if isinstance(value, Path) else value


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_settings_case(
    case: dict[str, Any], clean_environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    if "error" in case:
        with pytest.raises(ValidationError) as raised:
            _settings(clean_environment, tmp_path, case)
        assert {str(e["loc"][0]) for e in raised.value.errors()} == {case["error"]}
        return
    settings = _settings(clean_environment, tmp_path, case)
    for field, expected in case["expect"].items():
        assert _plain(getattr(settings, field)) == expected, field


def test_toml_file_that_does_not_exist_is_no_source(
    clean_environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_environment.setenv("IQKG_CONFIG", str(tmp_path / "absent.toml"))
    assert Settings().base == Settings.model_fields["base"].default


def test_init_values_win_over_environment(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("IQKG_ROW_LIMIT", "7")
    assert Settings(row_limit=3).row_limit == 3


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        ("0.0.0.0", 8000, "http://127.0.0.1:8000"),
        ("", 80, "http://127.0.0.1:80"),
        ("::", 9000, "http://[::1]:9000"),
        ("::1", 9000, "http://[::1]:9000"),
        ("fe80::2", 1, "http://[fe80::2]:1"),
        ("kg.example.org", 443, "http://kg.example.org:443"),
    ],
)
def test_server_url_reaches_the_listener(
    clean_environment: pytest.MonkeyPatch, host: str, port: int, expected: str
) -> None:
    assert Settings(host=host, port=port).server_url == expected


def test_partners_file_beside_the_store(clean_environment: pytest.MonkeyPatch) -> None:
    store = Path("/srv/iqkg/main-store")
    assert Settings(store=store).partners_path == store.parent / "main-store-partners.sqlite"
    own = Path("/var/lib/partners.db")
    assert Settings(store=store, partners_db=own).partners_path == own


def test_knowledge_folders_under_knowledge_dir(
    clean_environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = Settings(knowledge_dir=tmp_path)
    assert (settings.ontology_dir, settings.shapes_dir, settings.data_dir) == (
        tmp_path / "ontology",
        tmp_path / "shapes",
        tmp_path / "data",
    )
    assert settings.queries_dir == tmp_path / "queries"


def test_default_knowledge_dir_is_the_checkout(clean_environment: pytest.MonkeyPatch) -> None:
    assert (Settings().knowledge_dir / "ontology").is_dir()


def test_store_password_read_from_its_file(
    clean_environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = tmp_path / "password"
    secret.write_text(" pass word \r\n", encoding="utf-8")
    assert Settings(store_password_file=secret).store_password() == " pass word "
    assert Settings().store_password() is None


def test_overrides_replace_only_given_values(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("IQKG_STORE", "/env/store")
    settings = Settings(row_limit=5)
    overridden = settings.with_overrides(store=None, row_limit=9)
    assert overridden.store == Path("/env/store")
    assert overridden.row_limit == 9
    assert settings.row_limit == 5
    assert settings.with_overrides(store=Path("/flag/store")).store == Path("/flag/store")
