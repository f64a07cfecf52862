"""What several sub-commands share: opening the store with a clear error."""

from __future__ import annotations

from iqkg.errors import IqkgError
from iqkg.rdf.iris import IriScheme
from iqkg.settings import Settings
from iqkg.store.dataset import Dataset


class StoreUnavailable(IqkgError):
    """The on-disk store cannot be opened (typically: a running server holds its lock)."""


def open_dataset(settings: Settings) -> Dataset:
    try:
        return Dataset.open(settings.store, IriScheme(settings.base))
    except OSError as error:
        raise StoreUnavailable(
            f"cannot open the store at {settings.store}: {error}. If `iqkg serve` is running "
            "on it, stop it or use its /sparql endpoint instead."
        ) from None
