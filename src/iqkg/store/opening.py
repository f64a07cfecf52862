"""Opening the store the settings name: the embedded one, or a remote one (issue 14).

``IQKG_STORE`` is a folder (embedded Oxigraph) or the http(s) URL of a SPARQL query
endpoint (:class:`~iqkg.store.remote.RemoteStore`); the rest of the ``IQKG_STORE_*``
settings only matter for a remote store. The server and the CLI still open the embedded
store themselves (its query workers and checkpoints are embedded-only); this is where
they will ask for either.
"""

from __future__ import annotations

from iqkg.errors import InputError
from iqkg.rdf.iris import IriScheme
from iqkg.settings import Settings
from iqkg.store.dataset import Dataset
from iqkg.store.engines import ENGINES
from iqkg.store.interface import SparqlStore
from iqkg.store.remote import RemoteStore


def open_store(settings: Settings) -> SparqlStore:
    """The store of ``settings``: remote when ``store_url`` is set, else the folder."""
    iris = IriScheme(settings.base)
    if settings.store_url is None:
        return Dataset.open(settings.store, iris)
    try:
        password = settings.store_password()
    except OSError as error:
        raise InputError(
            f"cannot read the store's password file {settings.store_password_file}: "
            f"{error.strerror or error}"
        ) from None
    return RemoteStore(
        settings.store_url,
        iris,
        update_url=settings.store_update,
        user=settings.store_user,
        password=password,
        engine=ENGINES[settings.store_engine],
    )
