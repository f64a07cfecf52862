"""What the routes share: one :class:`Services` object, built once by the lifespan.

``create_app``'s lifespan (:mod:`iqkg.server.app`) opens the dataset, asks each router
module that keeps state for its part (``build_sparql``, ``build_checking``, …) and yields
the assembled object as Starlette lifespan state; a route reaches it with
:func:`get_services` — as a dependency (``Annotated[Services, Depends(get_services)]``) or
called with the request. Nothing is kept on the application object: the type checker sees every
field, and a module that needs one says so by reading it here.

The parts' types live beside the routes that use them; they are imported here for type
checking only, so the router modules can import this one without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import Request

from iqkg.rdf.iris import IriScheme
from iqkg.settings import Settings
from iqkg.store.dataset import Dataset

if TYPE_CHECKING:
    from starlette.templating import Jinja2Templates

    from iqkg.server.publication import PublicationState
    from iqkg.server.queries import CatalogueCache
    from iqkg.server.search import SearchState
    from iqkg.server.sparql import SparqlState
    from iqkg.server.validation import CheckingState

#: The key of the lifespan state under which the lifespan yields the services.
STATE_KEY = "services"


@dataclass(frozen=True)
class Services:
    """Everything a route may use, built in the order of the fields."""

    #: The settings ``create_app`` was given (the one reader of ``IQKG_*`` made them).
    settings: Settings
    iris: IriScheme
    #: The on-disk store; this process is its single writer.
    dataset: Dataset
    #: Query workers, the served version, the result cache, the SPARQL metrics.
    sparql: SparqlState
    #: Checking workers and the submission service (partner registry, ledger).
    checking: CheckingState
    #: The search index and its builds in progress.
    search: SearchState
    #: VoID statistics and dumps of the current dataset version.
    publication: PublicationState
    #: The query catalogue (``queries/*.rq``), re-read when its folder changes.
    catalogue: CatalogueCache
    #: The one template setup of every HTML page (:mod:`iqkg.server.templates`).
    templates: Jinja2Templates


def get_services(request: Request) -> Services:
    """The services of the app serving ``request`` (a FastAPI dependency, or call it)."""
    # The lifespan state as uvicorn copies it into every request's scope: read directly,
    # not through ``request.state`` (which wraps it in an object first).
    services: Services = request.scope["state"][STATE_KEY]
    return services


def has_services(request: Request) -> bool:
    """Whether the lifespan has run for ``request`` (not so for a request it refused early)."""
    return isinstance(request.scope.get("state", {}).get(STATE_KEY), Services)
