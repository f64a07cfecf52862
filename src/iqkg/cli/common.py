"""What several sub-commands share: opening the store with a clear error."""

from __future__ import annotations

import argparse

from iqkg.rdf.iris import IriScheme
from iqkg.rdf.oxigraph_errors import store_opening_errors
from iqkg.settings import Settings
from iqkg.store.dataset import Dataset


def open_dataset(settings: Settings) -> Dataset:
    """The embedded store; :class:`~iqkg.errors.StoreHeldByServer` when another process
    (``iqkg serve``) has it, :class:`~iqkg.errors.StoreUnavailable` for other failures."""
    with store_opening_errors(str(settings.store)):
        return Dataset.open(settings.store, IriScheme(settings.base))


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
