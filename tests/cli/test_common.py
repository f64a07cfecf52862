"""cli/common.py: opening the store says why it cannot, and tells a store held by another
process (a running server) from one that cannot be opened at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from iqkg.cli.common import open_dataset
from iqkg.errors import StoreHeldByServer, StoreUnavailable
from iqkg.settings import Settings


def test_opens_a_new_store(tmp_path: Path) -> None:
    dataset = open_dataset(Settings(store=tmp_path / "store", base="https://data.example.org/kg"))
    try:
        assert dataset.iris.base == "https://data.example.org/kg/"
        assert dataset.version == "0"
    finally:
        dataset.close()


def test_a_held_store_is_named_as_held(tmp_path: Path) -> None:
    settings = Settings(store=tmp_path / "store")
    holder = open_dataset(settings)
    try:
        with pytest.raises(StoreHeldByServer) as raised:
            open_dataset(settings)
        assert "iqkg serve" in raised.value.message
        assert str(settings.store) in raised.value.message
    finally:
        holder.close()


def test_a_store_that_cannot_be_opened_is_unavailable(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "store"
    not_a_folder.write_text("a file where the store should be")
    with pytest.raises(StoreUnavailable) as raised:
        open_dataset(Settings(store=not_a_folder))
    assert not isinstance(raised.value, StoreHeldByServer)
    assert "iqkg serve" not in raised.value.message
