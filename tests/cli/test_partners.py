"""cli/partners.py in-process: ``partner add|list|revoke`` on the partners file, the token
a ``submit`` uses (flags before the environment), and a server's JSON report read back
into the report offline validation prints."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest

from iqkg.cli import main
from iqkg.cli.partners import _token, report_from_json
from iqkg.errors import InputError
from iqkg.settings import Settings
from iqkg.submissions.partners import PartnerRegistry
from iqkg.validation.report import ValidationReport, ValidationResult


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith("IQKG_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("IQKG_BASE", "https://data.example.org/kg")
    return tmp_path / "store"


def test_add_list_revoke(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--store", str(store), "partner", "add", "Netzwerk Köln"]) == 0
    added = capsys.readouterr().out
    assert "registered partner 'netzwerk-koeln'" in added
    assert "IRI space: https://data.example.org/kg/id/partner/netzwerk-koeln/" in added
    token = added.rsplit(": ", 1)[1].strip()
    registry = PartnerRegistry(store.parent / "store-partners.sqlite")
    assert registry.authenticate(token).slug == "netzwerk-koeln"

    assert main(["--store", str(store), "partner", "list"]) == 0
    listed = capsys.readouterr().out
    assert listed.startswith("netzwerk-koeln\tNetzwerk Köln\tcreated ") and "active" in listed
    assert token not in listed

    assert main(["--store", str(store), "partner", "revoke", "netzwerk-koeln"]) == 0
    assert "revoked the token of 'netzwerk-koeln'" in capsys.readouterr().out
    main(["--store", str(store), "partner", "list"])
    assert "\trevoked " in capsys.readouterr().out


def test_errors_are_messages_with_exit_code_2(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--store", str(store), "partner", "list"]) == 0
    assert "no partners registered" in capsys.readouterr().out
    assert main(["--store", str(store), "partner", "add", "A", "--slug", "Not A Slug"]) == 2
    assert "is not a slug" in capsys.readouterr().err
    assert main(["--store", str(store), "partner", "revoke", "nobody"]) == 2
    assert "no partner with the slug 'nobody'" in capsys.readouterr().err
    main(["--store", str(store), "partner", "add", "A", "--slug", "a"])
    assert main(["--store", str(store), "partner", "add", "A again", "--slug", "a"]) == 2
    assert "exists already" in capsys.readouterr().err


def _args(**values: object) -> argparse.Namespace:
    return argparse.Namespace(**{"token": None, "token_file": None, **values})


def test_token_from_file_flag_or_environment(tmp_path: Path) -> None:
    from_env = Settings(token="env-token")
    file = tmp_path / "token"
    file.write_text("  file-token  \nsecond line\n", encoding="utf-8")
    assert _token(_args(token_file=file, token="flag-token"), from_env) == "file-token"
    assert _token(_args(token="flag-token"), from_env) == "flag-token"
    assert _token(_args(), from_env) == "env-token"
    with pytest.raises(InputError, match="no partner token"):
        _token(_args(), Settings(token=None))
    empty = tmp_path / "empty"
    empty.write_text("\n")
    with pytest.raises(InputError, match="holds no token"):
        _token(_args(token_file=empty), from_env)
    with pytest.raises(InputError, match="cannot read"):
        _token(_args(token_file=tmp_path / "absent"), from_env)


@pytest.mark.parametrize("ownership", [None, False, "p1"])
def test_server_report_reads_back_as_the_same_report(ownership: str | bool | None) -> None:
    sent = ValidationReport(
        [
            ValidationResult(
                "https://e/a",
                "https://e/p",
                "v",
                "https://e/S",
                "http://www.w3.org/ns/shacl#MinCountConstraintComponent",
                "Violation",
                {"en": "needs p", "de": "braucht p"},
            ),
            ValidationResult("https://e/b", None, None, "https://e/T", "c", "Warning", {}),
        ],
        [],
        ownership=ownership,
    )
    received = report_from_json(sent.as_json("en"))
    assert received.results == sent.results
    assert received.ownership == ownership
    for lang in ("en", "de"):
        assert received.as_text(lang) == sent.as_text(lang)


def test_server_report_defaults() -> None:
    received = report_from_json(
        {"results": [{"focusNode": "https://e/a"}], "ownershipChecked": True}
    )
    (result,) = received.results
    assert (result.severity, result.shape, result.messages) == ("Violation", "", {})
    assert received.ownership is True
