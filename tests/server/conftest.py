"""Fixtures of the SPARQL endpoint tests: servers over the small test knowledge folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server import ROOT, RunningServer, start_server

SPARQL_KNOWLEDGE = ROOT / "tests" / "data" / "sparql" / "knowledge"
SPARQL_ADMIN_TOKEN = "sparql-admin-token-0123456789"
#: The row limit of ``sparql_server``: small, so truncation is cheap to provoke.
ROW_LIMIT = 20
MAX_QUERY_BYTES = 4000


def sparql_env(**extra: str) -> dict[str, str]:
    return {"IQKG_KNOWLEDGE_DIR": str(SPARQL_KNOWLEDGE), **extra}


@pytest.fixture(scope="session")
def sparql_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server over tests/data/sparql/knowledge with a small row limit and /update on."""
    store: Path = tmp_path_factory.mktemp("sparql") / "store"
    running = start_server(
        store,
        env=sparql_env(
            IQKG_ADMIN_TOKEN=SPARQL_ADMIN_TOKEN,
            IQKG_ROW_LIMIT=str(ROW_LIMIT),
            IQKG_MAX_QUERY_BYTES=str(MAX_QUERY_BYTES),
        ),
    )
    yield running
    running.stop()


# --- the pages of the site, one per type (test_pages.py, test_pages_browser.py) ------

#: What a browser sends (Chromium's Accept for a page).
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

#: One path per page type, its status, and a word of the page itself in German and English.
PAGE_TYPES: dict[str, tuple[str, int, str, str]] = {
    "home": ("/", 200, "Der Graph in Zahlen", "The graph in numbers"),
    "resource": ("/id/network/bayern.html", 200, "Quellen", "Sources"),
    "graph": ("/graph/curated.html", 200, "Aussagen", "Statements"),
    "ontology": ("/def.html", 200, "Klassen", "Classes"),
    "shapes": ("/shapes.html", 200, "Formen (SHACL)", "Shapes (SHACL)"),
    "editor": ("/sparql", 200, "Vorab deklarierte Präfixe", "Predeclared prefixes"),
    "catalogue": ("/queries", 200, "SPARQL anzeigen", "Show the SPARQL"),
    "submit": ("/submit", 200, "Daten prüfen und einreichen", "Validate and submit data"),
    "submissions": ("/submissions", 200, "Filtern", "Filter"),
    "submission": ("/submissions/{submission}", 200, "Validierungsbericht", "Validation report"),
    "report": ("/submissions/{submission}/report", 200, "Validierungsbericht", "Validation report"),
    "search": ("/search?q=bayern", 200, "Nach Art eingrenzen", "Narrow by kind"),
    "dumps": ("/dumps/", 200, "Datensatzversion", "Dataset version"),
    "void": ("/.well-known/void.html", 200, "Datensatzversion", "Dataset version"),
    "not found": ("/id/network/atlantis.html", 404, "Nicht gefunden", "Not found"),
    "error": ("/submissions?status=lost", 400, "Ungültige Anfrage", "Bad request"),
}
LAYOUT_PARTNER = "layout-partner"

#: One resource page of each main kind of the curated data (PAGE_TYPES has one resource;
#: the accessibility test checks these too, since each kind shows different panels).
RESOURCE_KINDS: dict[str, str] = {
    "programme": "/id/programme/iq.html",
    "phase": "/id/programme/iq-2015-2018.html",
    "network": "/id/network/bayern.html",
    "competence centre": "/id/competence-centre/anerkennung.html",
    "federal state": "/id/federal-state/bayern.html",
    "action field": "/id/action-field/anerkennung.html",
    "instrument": "/id/instrument/recognition-counselling.html",
    "target group": "/id/target-group/adult-migrants.html",
    "concept scheme": "/id/concept-scheme/target-groups.html",
    "organisation": "/id/organisation/bmas.html",
    "project": "/id/project/kp-iq.html",
    "law": "/id/law/bqfg.html",
    "source": "/id/source/kp-iq-2011-2014.html",
    "coordination": "/id/coordination/bayern-tuer-an-tuer-2016.html",
    "partner resource": "/id/partner/layout-partner/project-recognition-counselling.html",
}


@pytest.fixture(scope="session")
def submission_id(server: RunningServer) -> str:
    """An accepted submission on the session server (for the page of one submission)."""
    from tests.submissions.helpers import add_partner, fixture, submit

    token = add_partner(server, "Partner des Layouts", LAYOUT_PARTNER)
    with server.client() as client:
        response = submit(client, token, fixture("project.ttl", LAYOUT_PARTNER))
    assert response.status_code in (200, 201), response.text
    return str(response.json()["id"])
