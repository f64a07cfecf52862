"""What several sub-commands share: opening the store with a clear error."""

from __future__ import annotations

import argparse

from iqkg.errors import StoreUnavailable
from iqkg.rdf.iris import IriScheme
from iqkg.settings import Settings
from iqkg.store.dataset import Dataset


class StoreHeldByServer(StoreUnavailable):
    """Another process (typically ``iqkg serve``) holds the store's RocksDB lock.

    Commands that only read (``query``, ``export``) catch this and ask the server over
    HTTP instead; commands that write must not, so the message says what to do.
    """


def open_dataset(settings: Settings) -> Dataset:
    try:
        return Dataset.open(settings.store, IriScheme(settings.base))
    except OSError as error:
        # RocksDB reports a held lock as an I/O error naming the store's LOCK file.
        held = "LOCK" in str(error)
        kind = StoreHeldByServer if held else StoreUnavailable
        hint = (
            " If `iqkg serve` is running on it, stop it first (or use its /sparql endpoint)."
            if held
            else ""
        )
        raise kind(f"cannot open the store at {settings.store}: {error}.{hint}") from None


def add_report_arguments(parser: argparse.ArgumentParser, what: str) -> None:
    """``--lang`` and ``--format`` of a SHACL report: `validate` and `submit` print the
    same report, so they take the same options."""
    parser.add_argument(
        "--lang", choices=["de", "en"], default="en", help="language of the report (default en)"
    )
    parser.add_argument(
        "--format",
        choices=["text", "turtle", "json"],
        default="text",
        help=f"{what} as readable text (default), SHACL report in Turtle, or JSON",
    )
