"""``IQKG_STORE`` as a folder or a URL (``store/opening.py``, ``settings.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from iqkg.errors import InputError
from iqkg.settings import Settings
from iqkg.store.dataset import Dataset
from iqkg.store.engines import FUSEKI
from iqkg.store.opening import open_store
from iqkg.store.remote import RemoteStore


def test_a_folder_is_the_embedded_store(tmp_path: Path) -> None:
    settings = Settings(store=tmp_path / "store")
    assert settings.store_url is None
    assert isinstance(open_store(settings), Dataset)


def test_a_url_is_a_remote_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "password").write_text("s3cret\n")
    monkeypatch.setenv("IQKG_STORE", "https://triples.example.org/ds/query")
    monkeypatch.setenv("IQKG_STORE_UPDATE", "https://triples.example.org/ds/update")
    monkeypatch.setenv("IQKG_STORE_USER", "iqkg")
    monkeypatch.setenv("IQKG_STORE_PASSWORD_FILE", str(tmp_path / "password"))
    monkeypatch.setenv("IQKG_STORE_ENGINE", "fuseki")
    settings = Settings()
    assert settings.store_url == "https://triples.example.org/ds/query"
    assert settings.store == Path("var/store")  # the local folder beside it: the default
    assert settings.store_password() == "s3cret"
    store = open_store(settings)
    assert isinstance(store, RemoteStore)
    assert store.update_url == "https://triples.example.org/ds/update"
    assert store.engine == FUSEKI
    assert "s3cret" not in repr(store) + repr(settings)


def test_a_missing_password_file_is_a_clear_error(tmp_path: Path) -> None:
    settings = Settings(
        store="http://127.0.0.1:1/query",
        store_user="iqkg",
        store_password_file=tmp_path / "missing",
    )
    with pytest.raises(InputError, match="password file"):
        open_store(settings)
