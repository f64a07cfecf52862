"""/update as a plain client uses it: what it writes is read back, and what it may not touch.

One server for the module (union mode, the test knowledge loaded), separate from the
session's ``sparql_server`` because these tests write.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, URIRef

from tests.server.conftest import SPARQL_ADMIN_TOKEN, sparql_env
from tests.support.server import RunningServer, start_server

BASE = "https://w3id.org/iqkg/"
META = BASE + "graph/meta"
INFERRED = BASE + "graph/inferred"
AUTH = {"Authorization": f"Bearer {SPARQL_ADMIN_TOKEN}"}
NETWORK_LABEL = (
    "<https://w3id.org/iqkg/id/network/migranet> "
    '<http://www.w3.org/2000/01/rdf-schema#label> "MigraNet"@de'
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    store: Path = tmp_path_factory.mktemp("update") / "store"
    running = start_server(store, env=sparql_env(IQKG_ADMIN_TOKEN=SPARQL_ADMIN_TOKEN))
    yield running
    running.stop()


def update(client: httpx.Client, text: str, **params: str | list[str]) -> httpx.Response:
    return client.post(
        "/update",
        content=text.encode(),
        params=params,
        headers={**AUTH, "Content-Type": "application/sparql-update"},
    )


def ask(client: httpx.Client, query: str, **params: str) -> bool:
    response = client.get("/sparql", params={"query": query, **params})
    assert response.status_code == 200, response.text
    return bool(response.json()["boolean"])


def number(client: httpx.Client, query: str) -> int:
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


# --- the default-graph model ---------------------------------------------------------------------


def test_a_plain_client_reads_back_what_it_inserted(server: RunningServer) -> None:
    with server.client() as client:
        assert not ask(client, "ASK { <urn:plain:s> <urn:plain:p> <urn:plain:o> }")
        done = update(client, "INSERT DATA { <urn:plain:s> <urn:plain:p> <urn:plain:o> }")
        assert done.status_code == 200, done.text
        assert ask(client, "ASK { <urn:plain:s> <urn:plain:p> <urn:plain:o> }")
        # It went to the store's default graph, which the union includes; no named graph.
        assert not ask(client, "ASK { GRAPH ?g { <urn:plain:s> ?p ?o } }")
        gone = update(client, "DELETE DATA { <urn:plain:s> <urn:plain:p> <urn:plain:o> }")
        assert gone.status_code == 200, gone.text
        assert not ask(client, "ASK { <urn:plain:s> <urn:plain:p> <urn:plain:o> }")


def test_the_union_counts_a_triple_once(server: RunningServer) -> None:
    """pyoxigraph 0.5.13 counts a triple in two merged graphs twice (oxigraph#1919)."""
    pattern = "SELECT (COUNT(*) AS ?n) WHERE { " + NETWORK_LABEL + " }"
    with server.client() as client:
        assert number(client, pattern) == 1
        # The same triple, already in graph/curated, inserted into the default graph.
        done = update(client, "INSERT DATA { " + NETWORK_LABEL + " }")
        assert done.status_code == 200, done.text
        assert number(client, pattern) == 1
        assert number(client, COUNT_ALL) == number(
            client, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"
        )


def test_relative_iris_resolve_against_the_endpoint_base(server: RunningServer) -> None:
    with server.client() as client:
        construct = client.get(
            "/sparql",
            params={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"},
            headers={"Accept": "application/n-triples"},
        )
        assert construct.status_code == 200, construct.text
        assert construct.text.startswith(f"<{BASE}s> <{BASE}p> ")
        based = client.get(
            "/sparql",
            params={"query": "BASE <http://example.org/> SELECT ?x WHERE { BIND(<y> AS ?x) }"},
        )
        assert based.json()["results"]["bindings"][0]["x"]["value"] == "http://example.org/y"
        done = update(client, "INSERT DATA { <relative-s> <relative-p> 1 }")
        assert done.status_code == 200, done.text
        assert ask(client, f"ASK {{ <{BASE}relative-s> <{BASE}relative-p> 1 }}")


# --- what the operator may not touch -----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"INSERT DATA {{ GRAPH <{META}> {{ <urn:x> <urn:y> <urn:z> }} }}",
        "PREFIX g: <https://w3id.org/iqkg/graph/> DROP GRAPH g:meta",
        "BASE <https://w3id.org/iqkg/graph/> CLEAR GRAPH <private/partner>",
        f"WITH <{BASE}graph/archive/s1/v1> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
        f"COPY DEFAULT TO <{META}>",
    ],
)
def test_protected_graphs_cannot_be_named(server: RunningServer, text: str) -> None:
    with server.client() as client:
        version = client.get("/sparql", params={"query": "ASK {}"}).headers[
            "x-iqkg-dataset-version"
        ]
        refused = update(client, text)
        after = client.get("/sparql", params={"query": "ASK {}"}).headers["x-iqkg-dataset-version"]
    assert refused.status_code == 403, refused.text
    assert "no operator write may touch" in refused.text
    assert after == version


@pytest.mark.parametrize(
    "text",
    [
        # A \u escape the textual check does not read: the effect is checked instead.
        "INSERT DATA { GRAPH <https://w3id.org/iqkg/graph/\\u006deta> { <urn:a> <urn:b> 1 } }",
        "INSERT DATA { GRAPH <https://w3id.org/iqkg/graph/\\u0070rivate/x> { <urn:a> <urn:b> 1 } }",
        "INSERT { GRAPH ?g { <urn:a> <urn:b> 1 } } WHERE { BIND(IRI(CONCAT(STR(<"
        + BASE
        + 'graph/>), "private/y")) AS ?g) }',
    ],
)
def test_protected_graphs_cannot_be_reached_indirectly(server: RunningServer, text: str) -> None:
    with server.client() as client:
        version = client.get("/sparql", params={"query": "ASK {}"}).headers[
            "x-iqkg-dataset-version"
        ]
        refused = update(client, text)
        # 403 when the effect is checked; the query policy may refuse escapes first (400).
        expected = (400, 403) if "\\u" in text else (403,)
        assert refused.status_code in expected, refused.text
        assert not ask(client, "ASK { GRAPH ?g { <urn:a> <urn:b> 1 } }")
        after = client.get("/sparql", params={"query": "ASK {}"}).headers["x-iqkg-dataset-version"]
    assert after == version


def test_a_variable_graph_cannot_reach_graph_meta(server: RunningServer) -> None:
    with server.client() as client:
        meta_size = number(
            client, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{META}> {{ ?s ?p ?o }} }}"
        )
        refused = update(client, "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert refused.status_code == 403, refused.text
        assert "graph/meta" in refused.text
        assert (
            number(client, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{META}> {{ ?s ?p ?o }} }}")
            == meta_size
        )
        # Restricted to the public graphs it may write, the same pattern is accepted.
        allowed = update(
            client,
            "INSERT DATA { GRAPH <urn:scratch> { <urn:a> <urn:b> <urn:c> } } ;"
            "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } "
            "FILTER(?g = <urn:scratch>) }",
        )
        assert allowed.status_code == 200, allowed.text
        assert not ask(client, "ASK { GRAPH <urn:scratch> { ?s ?p ?o } }")
        # No scratch copies of the guard are left behind.
        listed = client.get(
            "/sparql",
            params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
        ).json()["results"]["bindings"]
        assert not any("guard" in row["g"]["value"] for row in listed)


def test_writes_mark_graph_inferred_stale(server: RunningServer) -> None:
    stale = (
        f"ASK {{ GRAPH <{META}> {{ <{INFERRED}> "
        "<http://www.w3.org/ns/prov#invalidatedAtTime> ?t } }"
    )
    with server.client() as client:
        # The test knowledge has no closure; stand one in, as `iqkg reason` would write it.
        closure = update(client, f"INSERT DATA {{ GRAPH <{INFERRED}> {{ <urn:i> <urn:j> 1 }} }}")
        assert closure.status_code == 200, closure.text
        done = update(client, "INSERT DATA { <urn:stale:s> <urn:stale:p> 1 }")
        assert done.status_code == 200, done.text
        assert ask(client, stale)


# --- the protocol's details (SPARQL 1.1 Protocol §2.2) -----------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "# only a comment", "PREFIX ex: <http://ex/>"])
def test_empty_and_prologue_only_updates_succeed(server: RunningServer, text: str) -> None:
    with server.client() as client:
        direct = update(client, text)
        form = client.post("/update", data={"update": text}, headers=AUTH)
    assert direct.status_code == 200, direct.text
    assert form.status_code == 200, form.text


def test_a_trailing_prologue_is_accepted(server: RunningServer) -> None:
    with server.client() as client:
        done = update(client, "INSERT DATA { <urn:tp:s> <urn:tp:p> 1 } ; PREFIX ex: <http://ex/>")
        assert done.status_code == 200, done.text
        assert ask(client, "ASK { <urn:tp:s> <urn:tp:p> 1 }")


def test_load_silent_succeeds_without_fetching(server: RunningServer) -> None:
    with server.client() as client:
        silent = update(
            client,
            "LOAD SILENT <http://127.0.0.1:9/data.ttl> INTO GRAPH <urn:loaded> ;"
            " INSERT DATA { <urn:after:s> <urn:after:p> 1 }",
        )
        loud = update(client, "LOAD <http://127.0.0.1:9/data.ttl>")
        assert silent.status_code == 200, silent.text
        assert ask(client, "ASK { <urn:after:s> <urn:after:p> 1 }")
        assert not ask(client, "ASK { GRAPH <urn:loaded> { ?s ?p ?o } }")
    assert loud.status_code == 400 and "LOAD is refused" in loud.text


def test_repeated_update_parameter_is_refused(server: RunningServer) -> None:
    with server.client() as client:
        response = client.post(
            "/update",
            content=b"update=CLEAR+DEFAULT&update=CLEAR+NAMED",
            headers={**AUTH, "Content-Type": "application/x-www-form-urlencoded"},
        )
    assert response.status_code == 400
    assert "'update'" in response.text and "2 times" in response.text


def test_using_graph_uri_rewrites_the_dataset(server: RunningServer) -> None:
    with server.client() as client:
        seeded = update(
            client,
            "INSERT DATA { GRAPH <urn:using:a> { <urn:using:s> <urn:using:p> 1 } "
            "GRAPH <urn:using:b> { <urn:using:s> <urn:using:p> 2 } }",
        )
        assert seeded.status_code == 200, seeded.text
        copy = "INSERT { <urn:using:copy> <urn:using:p> ?o } WHERE { ?s <urn:using:p> ?o }"
        done = update(client, copy, **{"using-graph-uri": "urn:using:a"})
        assert done.status_code == 200, done.text
        assert ask(client, "ASK { <urn:using:copy> <urn:using:p> 1 }")
        assert not ask(client, "ASK { <urn:using:copy> <urn:using:p> 2 }")
        named = update(
            client,
            "INSERT { <urn:using:named> <urn:using:p> ?o } "
            "WHERE { GRAPH ?g { ?s <urn:using:p> ?o } }",
            **{"using-named-graph-uri": "urn:using:b"},
        )
        assert named.status_code == 200, named.text
        assert ask(client, "ASK { <urn:using:named> <urn:using:p> 2 }")
        assert not ask(client, "ASK { <urn:using:named> <urn:using:p> 1 }")
        both = update(
            client,
            "INSERT { <urn:x> <urn:y> ?o } USING <urn:using:a> WHERE { ?s ?p ?o }",
            **{"using-graph-uri": "urn:using:b"},
        )
        assert both.status_code == 400 and "USING" in both.text
        not_iri = update(client, copy, **{"using-graph-uri": "not an iri"})
        assert not_iri.status_code == 400


# --- authentication -----------------------------------------------------------------------------


def test_basic_authentication_and_challenges(server: RunningServer) -> None:
    def basic(user: str, password: str) -> dict[str, str]:
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        return {"Authorization": f"Basic {token}", "Content-Type": "application/sparql-update"}

    text = b"INSERT DATA { <urn:basic:s> <urn:basic:p> 1 }"
    with server.client() as client:
        for headers in (basic("admin", "wrong"), basic("someone", SPARQL_ADMIN_TOKEN), {}):
            refused = client.post(
                "/update",
                content=text,
                headers={"Content-Type": "application/sparql-update", **headers},
            )
            assert refused.status_code == 401, refused.text
            challenges = refused.headers.get_list("www-authenticate")
            assert [c.split()[0] for c in challenges] == ["Bearer", "Basic"]
        done = client.post("/update", content=text, headers=basic("admin", SPARQL_ADMIN_TOKEN))
        assert done.status_code == 200, done.text
        assert ask(client, "ASK { <urn:basic:s> <urn:basic:p> 1 }")


# --- the query side -----------------------------------------------------------------------------


def test_graph_parameter_on_sparql_is_not_a_service_description(server: RunningServer) -> None:
    with server.client() as client:
        response = client.get(
            "/sparql", params={"graph": BASE + "graph/curated"}, headers={"Accept": "text/turtle"}
        )
    assert response.status_code == 400
    assert "/store" in response.text


@pytest.mark.parametrize("parameter", ["query", "format"])
def test_repeated_query_parameters_are_refused(server: RunningServer, parameter: str) -> None:
    params = [("query", "ASK {}"), (parameter, "json" if parameter == "format" else "ASK {}")]
    if parameter == "format":
        params.append(("format", "xml"))
    with server.client() as client:
        response = client.get("/sparql", params=params)
    assert response.status_code == 400, response.text
    assert f"'{parameter}'" in response.text


def test_service_description_advertises_update_store_and_union(server: RunningServer) -> None:
    with server.client() as client:
        response = client.get("/sparql", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    update_service = URIRef(f"{server.url}/update")
    store_service = URIRef(f"{server.url}/store")
    assert (
        update_service,
        URIRef(sd + "supportedLanguage"),
        URIRef(sd + "SPARQL11Update"),
    ) in graph
    assert (store_service, URIRef(sd + "endpoint"), store_service) in graph
    assert (
        URIRef(f"{server.url}/sparql"),
        URIRef(sd + "feature"),
        URIRef(sd + "UnionDefaultGraph"),
    ) in graph
