"""``server/services.py``: the routes share one typed ``Services``, never ``app.state``."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from iqkg.server.app import create_app
from iqkg.server.services import STATE_KEY, Services
from iqkg.settings import Settings
from tests.server.conftest import SPARQL_KNOWLEDGE
from tests.support.server import ROOT, iqkg

SERVER_SOURCES = ROOT / "src" / "iqkg" / "server"


def test_the_app_keeps_its_services_in_lifespan_state_only(tmp_path: Path) -> None:
    store = tmp_path / "store"
    iqkg("load", env={"IQKG_STORE": str(store), "IQKG_KNOWLEDGE_DIR": str(SPARQL_KNOWLEDGE)})
    settings = Settings(
        store=store, knowledge_dir=SPARQL_KNOWLEDGE, query_workers=1, concurrent_validations=1
    )
    app = create_app(settings)
    with TestClient(app) as client:
        assert client.get("/health").json()["status"] == "ok"
        services = client.app_state[STATE_KEY]
        assert isinstance(services, Services)
        assert services.settings is settings
        assert set(client.app_state) == {STATE_KEY}
        # Starlette's State keeps its attributes in ``_state``: nothing was set on it.
        assert vars(app.state)["_state"] == {}
    assert vars(app.state)["_state"] == {}


def test_no_server_module_reads_or_writes_app_state() -> None:
    offenders = [
        f"{path.name}:{number}"
        for path in sorted(SERVER_SOURCES.glob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "app.state" in line
    ]
    assert offenders == []
