"""What the remote store adds to the contract (``store/remote.py``): credentials kept
secret, failures of the store mapped to iqkg's errors, deadlines on the engine, nothing
fetched from the network. The contract itself runs on it through ``STORES``."""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from iqkg.errors import InputError, QueryRefused, QueryTimeout, StoreUnavailable
from iqkg.store.interface import WHOLE_STORE, GraphChange, QueryDataset
from iqkg.store.remote import RemoteStore
from tests.store.conftest import EX, IRIS, A
from tests.support.listener import Listener
from tests.support.oxigraph_server import OxigraphServer, oxigraph_server
from tests.support.server import free_port

PASSWORD = "pw-that-must-never-show-7f3a"
RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[OxigraphServer]:
    # --timeout-s 5: a query the engine computes before answering stops there too.
    with oxigraph_server(tmp_path, timeout_s=5) as running:
        yield running


def _remote(
    server: OxigraphServer, *, user: str | None = None, password: str | None = None
) -> RemoteStore:
    return RemoteStore(
        server.query_url, IRIS, update_url=server.update_url, user=user, password=password
    )


def _mocked(answer: Callable[[httpx.Request], httpx.Response]) -> RemoteStore:
    return RemoteStore("http://store.invalid/query", IRIS, transport=httpx.MockTransport(answer))


def _big_graph(store: RemoteStore) -> None:
    body = "".join(f"<{EX}s{n}> <{EX}p> <{EX}o{n}> .\n" for n in range(300)).encode()
    store.write_graphs([GraphChange(A, "replace", body)])


def test_credentials_go_in_a_header_and_nowhere_else(
    oxigraph: OxigraphServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    store = _remote(oxigraph, user="iqkg", password=PASSWORD)
    store.write_graphs([GraphChange(A, "replace", f"<{EX}s> <{EX}p> <{EX}o> .\n".encode())])
    assert store.ask("ASK { ?s ?p ?o }")
    messages = [repr(store)]
    for failing in (
        lambda: store.select("SELECT nonsense"),
        lambda: store.update("DROP GRAPH <https://example.org/missing>"),
    ):
        with pytest.raises(InputError) as caught:
            failing()
        messages.append(str(caught.value))
    unreachable = RemoteStore(
        f"http://127.0.0.1:{free_port()}/query", IRIS, user="iqkg", password=PASSWORD
    )
    with pytest.raises(StoreUnavailable) as down:
        unreachable.ask("ASK {}")
    messages += [str(down.value), *unreachable.health().problems]
    secrets = (PASSWORD, base64.b64encode(f"iqkg:{PASSWORD}".encode()).decode())
    for text in [*messages, caplog.text]:
        assert not any(secret in text for secret in secrets)


def test_credentials_reach_the_store_as_basic_auth() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization", ""))
        return httpx.Response(200, json={"head": {}, "boolean": True})

    store = RemoteStore(
        "http://store.invalid/query",
        IRIS,
        user="iqkg",
        password=PASSWORD,
        transport=httpx.MockTransport(answer),
    )
    assert store.ask("ASK {}", dataset=WHOLE_STORE)
    assert seen == ["Basic " + base64.b64encode(f"iqkg:{PASSWORD}".encode()).decode()]


def test_a_url_with_credentials_is_refused() -> None:
    with pytest.raises(InputError, match="IQKG_STORE_USER") as caught:
        RemoteStore(f"http://iqkg:{PASSWORD}@127.0.0.1:1/query", IRIS)
    assert PASSWORD not in str(caught.value)


def test_an_unreachable_store_is_a_clear_error() -> None:
    store = RemoteStore(f"http://127.0.0.1:{free_port()}/query", IRIS)
    with pytest.raises(StoreUnavailable, match="cannot be reached"):
        store.select("SELECT * WHERE { ?s ?p ?o }")
    with pytest.raises(StoreUnavailable, match="cannot be reached"):
        store.write_graphs([])
    health = store.health()
    assert not health.ok
    assert "cannot be reached" in health.problems[0]


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_failing_store_is_store_unavailable(status: int) -> None:
    store = _mocked(lambda request: httpx.Response(status, text="engine on fire"))
    with pytest.raises(StoreUnavailable, match=f"failed the query \\({status}\\): engine on fire"):
        store.ask("ASK {}")
    # An update's 500 is the update's own only when the store answers queries meanwhile.
    with pytest.raises(StoreUnavailable, match=f"failed the update \\({status}\\)"):
        store.write_graphs([])
    assert not store.health().ok


def test_an_update_failing_on_a_healthy_store_is_the_updates_fault() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.headers["content-type"] == "application/sparql-update":
            return httpx.Response(500, text="The graph <x:g> does not exist")
        return httpx.Response(200, json={"head": {}, "boolean": True})

    with pytest.raises(InputError, match="cannot be applied: The graph <x:g> does not exist"):
        _mocked(answer).update("DROP GRAPH <x:g>")


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(httpx.Response(206, json={"head": {}, "boolean": True}), id="206-partial"),
        pytest.param(
            httpx.Response(
                200,
                content=b'{"head":{"vars":["n"]},"results":{"bindings":[cancelled',
                headers={"content-type": "application/sparql-results+json"},
            ),
            id="cut-off",
        ),
    ],
)
def test_a_partial_answer_is_never_passed_on(answer: httpx.Response) -> None:
    store = _mocked(lambda request: answer)
    with pytest.raises((QueryTimeout, StoreUnavailable)):
        store.select("SELECT ?n WHERE { ?s ?p ?n }")


def test_the_deadline_holds_for_a_query_computed_before_its_first_answer(
    oxigraph: OxigraphServer,
) -> None:
    store = _remote(oxigraph)
    _big_graph(store)
    counting = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with pytest.raises(QueryTimeout):
        store.select(counting, deadline=time.monotonic() + 0.5)
    with pytest.raises(QueryTimeout):
        store.select(RUNAWAY, deadline=time.monotonic() + 0.5)
    assert store.ask("ASK { ?s ?p ?o }", dataset=QueryDataset.of(default=[A]))
    assert store.health().ok


def test_the_public_dataset_is_the_public_named_graphs(oxigraph: OxigraphServer) -> None:
    store = _remote(oxigraph)
    _big_graph(store)
    store.write_graphs([GraphChange(IRIS.graph("private/p"), "replace", _one("private"))])
    assert A in store.public_graphs()
    assert IRIS.graph("meta") in store.public_graphs()  # as on the embedded store
    assert not any("/private/" in g for g in store.public_graphs())


def _one(name: str) -> bytes:
    return f"<{EX}{name}> <{EX}p> <{EX}o> .\n".encode()


@pytest.mark.parametrize(
    "asking",
    [
        pytest.param(
            lambda s, port: s.select(
                f"SELECT * {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}"
            ),
            id="service",
        ),
        pytest.param(
            lambda s, port: s.ask(f"ASK {{ SERVICE SILENT <http://127.0.0.1:{port}/> {{ }} }}"),
            id="service-silent",
        ),
        pytest.param(
            lambda s, port: s.update(f"LOAD <http://127.0.0.1:{port}/data.ttl>"), id="load"
        ),
        pytest.param(
            lambda s, port: s.update(f"load silent <http://127.0.0.1:{port}/x> into graph <{A}>"),
            id="load-silent",
        ),
    ],
)
def test_nothing_is_fetched_from_the_network(
    oxigraph: OxigraphServer, asking: Callable[[RemoteStore, int], object]
) -> None:
    listener = Listener()
    try:
        with pytest.raises(QueryRefused):
            asking(_remote(oxigraph), listener.port)
        assert listener.settled_connections() == 0
    finally:
        listener.close()


def test_the_oxigraph_server_itself_fetches_service(oxigraph: OxigraphServer) -> None:
    """Why the store refuses SERVICE: the engine runs it, with no switch to turn it off
    (``oxigraph serve`` 0.5). If this starts failing, the engine gained a switch: use it."""
    listener = Listener()
    try:
        httpx.post(
            oxigraph.query_url,
            data={"query": f"ASK {{ SERVICE <http://127.0.0.1:{listener.port}/> {{ }} }}"},
            timeout=10,
        )
        assert listener.settled_connections() == 1
    finally:
        listener.close()


def test_words_in_iris_strings_and_names_are_not_keywords(oxigraph: OxigraphServer) -> None:
    store = _remote(oxigraph)
    body = f'<{EX}load> <{EX}service> "SERVICE <x:> LOAD" .\n'.encode()
    store.write_graphs([GraphChange(A, "replace", body)])
    rows = store.select(
        f"PREFIX ex: <{EX}> SELECT ?service WHERE {{ ex:load ex:service ?service }} # LOAD",
        dataset=QueryDataset.of(default=[A]),
    )
    assert [r["service"].value for r in rows] == ["SERVICE <x:> LOAD"]
