"""SPARQL 1.1 Protocol conformance of /sparql, checked with independent parsers and clients."""

from __future__ import annotations

import io
import json

import httpx
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import Result
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

from tests.server.conftest import ROW_LIMIT, SPARQL_KNOWLEDGE
from tests.support.server import RunningServer

IQ = Namespace("https://w3id.org/iqkg/def#")
GRAPH = "https://w3id.org/iqkg/graph/"
CATALOGUE_QUERY = (SPARQL_KNOWLEDGE / "queries" / "01-networks.rq").read_text()
NETWORKS = {
    "MigraNet",
    "NOBI – Norddeutsches Netzwerk zur beruflichen Integration",
    'Netzwerk "Sachsen"\nmit Zeilenumbruch',
}
ASK = "PREFIX iq: <https://w3id.org/iqkg/def#> ASK { ?n a iq:Network }"
CONSTRUCT = (
    "PREFIX iq: <https://w3id.org/iqkg/def#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>"
    " CONSTRUCT { ?n rdfs:label ?l } WHERE { ?n a iq:Network ; rdfs:label ?l }"
)

RESULT_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_FORMATS = {
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "json-ld": "application/ld+json",
    "xml": "application/rdf+xml",
}
FORMS = ("get", "post-form", "post-direct")


def send(
    client: httpx.Client, form: str, query: str, accept: str, **params: str | list[str]
) -> httpx.Response:
    headers = {"Accept": accept}
    if form == "get":
        return client.get("/sparql", params={"query": query, **params}, headers=headers)
    if form == "post-form":
        return client.post("/sparql", data={"query": query, **params}, headers=headers)
    return client.post(
        "/sparql",
        content=query.encode(),
        params=params,
        headers={**headers, "Content-Type": "application/sparql-query"},
    )


def _term_text(value: object) -> str:
    return str(value)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("name", list(RESULT_FORMATS))
def test_select_every_form_and_format(sparql_server: RunningServer, form: str, name: str) -> None:
    with sparql_server.client() as client:
        response = send(client, form, CATALOGUE_QUERY, RESULT_FORMATS[name])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(RESULT_FORMATS[name])
    result = Result.parse(io.BytesIO(response.content), format=name)
    rows = [{str(k): _term_text(v) for k, v in row.asdict().items()} for row in result]
    assert {r["network"] for r in rows} == NETWORKS
    assert {r["state"] for r in rows} == {"Bavaria", "Hamburg", "Saxony"}
    if name != "csv":  # CSV loses the order of nothing, but compare order where kept
        assert [r["network"] for r in rows] == sorted(NETWORKS)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("name", ["json", "xml"])
def test_ask_every_form(sparql_server: RunningServer, form: str, name: str) -> None:
    with sparql_server.client() as client:
        response = send(client, form, ASK, RESULT_FORMATS[name])
    assert response.status_code == 200, response.text
    assert Result.parse(io.BytesIO(response.content), format=name).askAnswer is True


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("name", list(GRAPH_FORMATS))
def test_construct_every_form_and_format(
    sparql_server: RunningServer, form: str, name: str
) -> None:
    with sparql_server.client() as client:
        response = send(client, form, CONSTRUCT, GRAPH_FORMATS[name])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(GRAPH_FORMATS[name])
    graph = Graph().parse(data=response.content, format=name)
    assert {str(o) for o in graph.objects(None, RDFS.label)} == NETWORKS


@pytest.mark.parametrize(
    ("param", "query", "media_type"),
    [
        ("json", CATALOGUE_QUERY, "application/sparql-results+json"),
        ("csv", CATALOGUE_QUERY, "text/csv"),
        ("tsv", CATALOGUE_QUERY, "text/tab-separated-values"),
        ("xml", CATALOGUE_QUERY, "application/sparql-results+xml"),
        ("turtle", CONSTRUCT, "text/turtle"),
        ("json", CONSTRUCT, "application/ld+json"),
        ("n-triples", CONSTRUCT, "application/n-triples"),
    ],
)
def test_format_parameter_wins_over_accept(
    sparql_server: RunningServer, param: str, query: str, media_type: str
) -> None:
    with sparql_server.client() as client:
        response = client.get(
            "/sparql", params={"query": query, "format": param}, headers={"Accept": "text/html"}
        )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media_type)


def test_accept_q_values_choose_the_format(sparql_server: RunningServer) -> None:
    accept = "application/sparql-results+json;q=0.5, text/csv;q=0.9, */*;q=0.1"
    with sparql_server.client() as client:
        response = client.get("/sparql", params={"query": ASK}, headers={"Accept": accept})
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text.strip() == "true"  # a boolean in CSV: pyoxigraph writes the bare value


# --- clients ---------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_and_construct(sparql_server: RunningServer, method: str) -> None:
    endpoint = SPARQLWrapper(f"{sparql_server.url}/sparql")
    endpoint.setMethod(method)
    endpoint.setQuery(CATALOGUE_QUERY)
    for fmt in (JSON, XML, CSV):
        endpoint.setReturnFormat(fmt)
        converted = endpoint.query().convert()
        if fmt == JSON:
            assert isinstance(converted, dict)
            names = {b["network"]["value"] for b in converted["results"]["bindings"]}
            assert names == NETWORKS
        else:
            assert converted
    endpoint.setQuery(CONSTRUCT)
    endpoint.setReturnFormat(TURTLE)
    turtle = endpoint.query().convert()
    graph = Graph().parse(data=turtle, format="turtle")
    assert len(graph) == 3
    endpoint.setReturnFormat(XML)
    graph = endpoint.query().convert()
    assert isinstance(graph, Graph) and len(graph) == 3


def test_rdflib_sparqlstore(sparql_server: RunningServer) -> None:
    graph = Graph(store=SPARQLStore(query_endpoint=f"{sparql_server.url}/sparql"))
    networks = set(graph.subjects(RDF.type, IQ.Network))
    assert len(networks) == 3
    rows = list(graph.query(CATALOGUE_QUERY))
    assert {str(row[0]) for row in rows} == NETWORKS  # type: ignore[index]
    assert (URIRef("https://w3id.org/iqkg/id/state/bayern"), RDF.type, IQ.FederalState) in graph


# --- the RDF dataset (SPARQL 1.1 Protocol §2.1.4) ---------------------------------------------

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


def count(client: httpx.Client, query: str = COUNT, **params: str | list[str]) -> int:
    response = client.get("/sparql", params={"query": query, **params})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def graphs(client: httpx.Client, **params: str | list[str]) -> set[str]:
    response = client.post("/sparql", data={"query": GRAPHS, **params})
    assert response.status_code == 200, response.text
    return {b["g"]["value"] for b in response.json()["results"]["bindings"]}


def test_default_graph_uri_and_named_graph_uri(sparql_server: RunningServer) -> None:
    with sparql_server.client() as client:
        ontology = count(client, **{"default-graph-uri": GRAPH + "ontology"})
        curated = count(client, **{"default-graph-uri": GRAPH + "curated"})
        both = count(client, **{"default-graph-uri": [GRAPH + "ontology", GRAPH + "curated"]})
        union = count(client)
        assert (ontology, curated) == (10, 18)
        assert both == 28
        assert union > both  # graph/meta is public too
        # named-graph-uri alone: the default graph is empty, GRAPH sees only those named.
        assert count(client, **{"named-graph-uri": GRAPH + "curated"}) == 0
        assert graphs(client, **{"named-graph-uri": GRAPH + "curated"}) == {GRAPH + "curated"}
        assert {GRAPH + "ontology", GRAPH + "curated", GRAPH + "meta"} <= graphs(client)
        # The protocol's dataset replaces the query's FROM.
        from_query = f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH}ontology> WHERE {{ ?s ?p ?o }}"
        assert count(client, from_query) == 10
        assert count(client, from_query, **{"default-graph-uri": GRAPH + "curated"}) == 18


def test_private_graphs_cannot_be_named(sparql_server: RunningServer) -> None:
    with sparql_server.client() as client:
        response = client.get(
            "/sparql", params={"query": COUNT, "default-graph-uri": GRAPH + "private/x"}
        )
    assert response.status_code == 403
    assert "private" in response.text


# --- limits and web conventions ---------------------------------------------------------------


def test_row_limit_is_never_silent(sparql_server: RunningServer) -> None:
    with sparql_server.client() as client:
        cut = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        graph = client.get(
            "/sparql",
            params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
            headers={"Accept": "application/n-triples"},
        )
        whole = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"})
    assert cut.headers["x-iqkg-truncated"] == "true"
    assert cut.headers["x-iqkg-row-limit"] == str(ROW_LIMIT)
    assert "truncated" in cut.headers["warning"]
    assert len(cut.json()["results"]["bindings"]) == ROW_LIMIT
    assert graph.headers["x-iqkg-truncated"] == "true"
    assert len(graph.text.strip().splitlines()) == ROW_LIMIT
    assert "x-iqkg-truncated" not in whole.headers
    assert len(whole.json()["results"]["bindings"]) == 5


def test_conditional_get_head_and_etag_follow_the_dataset_version(
    sparql_server: RunningServer,
) -> None:
    params = {"query": CATALOGUE_QUERY}
    with sparql_server.client() as client:
        first = client.get("/sparql", params=params)
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert client.get(
            "/sparql", params=params, headers={"If-None-Match": etag}
        ).status_code == (304)
        assert (
            client.get(
                "/sparql", params=params, headers={"If-Modified-Since": modified}
            ).status_code
            == 304
        )
        head = client.head("/sparql", params=params)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["etag"] == etag
        other = client.get("/sparql", params=params, headers={"Accept": "text/csv"})
        assert other.headers["etag"] != etag


def test_cors_and_gzip(sparql_server: RunningServer) -> None:
    origin = {"Origin": "https://example.org"}
    with sparql_server.client() as client:
        simple = client.get("/sparql", params={"query": ASK}, headers=origin)
        preflight = client.options(
            "/sparql",
            headers={
                **origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        big = client.get(
            "/sparql",
            params={"query": "SELECT * WHERE { ?s ?p ?o }"},
            headers={"Accept-Encoding": "gzip"},
        )
    assert simple.headers["access-control-allow-origin"] == "*"
    assert "x-iqkg-truncated" in simple.headers["access-control-expose-headers"].lower()
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert big.headers["content-encoding"] == "gzip"
    assert len(big.json()["results"]["bindings"]) == ROW_LIMIT  # httpx decompressed it


def test_large_results_are_streamed_whole(sparql_server: RunningServer) -> None:
    # 20 rows of 100 kB each: the worker sends it in several frames, the client gets it whole.
    ten = lambda v: "CONCAT(" + ", ".join([v] * 10) + ")"  # noqa: E731
    query = (
        f"SELECT ?i ?d WHERE {{ VALUES ?i {{ {' '.join(map(str, range(ROW_LIMIT)))} }} "
        f'BIND("{"x" * 100}" AS ?a) BIND({ten("?a")} AS ?b) BIND({ten("?b")} AS ?c) '
        f"BIND({ten('?c')} AS ?d) }}"
    )
    with sparql_server.client() as client:
        response = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert response.status_code == 200, response.text
    rows = response.text.splitlines()
    assert rows[0] == "i,d" and len(rows) == ROW_LIMIT + 1
    assert all(len(row.split(",")[1]) == 100_000 for row in rows[1:])


# --- service description, health, metrics, catalogue ---------------------------------------------

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")


@pytest.mark.parametrize("accept", ["text/turtle", "application/rdf+xml", "application/ld+json"])
def test_service_description(sparql_server: RunningServer, accept: str) -> None:
    with sparql_server.client() as client:
        response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200
    fmt = {"text/turtle": "turtle", "application/rdf+xml": "xml"}.get(accept, "json-ld")
    graph = Graph().parse(data=response.content, format=fmt)
    service = URIRef(f"{sparql_server.url}/sparql")
    assert (service, RDF.type, SD.Service) in graph
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert len(set(graph.objects(service, SD.resultFormat))) == 8
    names = {str(n) for n in graph.objects(None, SD.name)}
    assert {GRAPH + "ontology", GRAPH + "curated"} <= names


def test_health_and_metrics(sparql_server: RunningServer) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    with sparql_server.client() as client:
        health = client.get("/health").json()
        client.get("/sparql", params={"query": ASK})
        text = client.get("/metrics").text
    assert health["status"] == "ok" and health["datasetVersion"]
    assert len(health["queryWorkers"]["pids"]) >= 1
    families = {f.name: f for f in text_string_to_metric_families(text)}
    ok = [s for s in families["iqkg_sparql_queries"].samples if s.labels.get("outcome") == "ok"]
    assert ok and ok[0].value >= 1
    assert "iqkg_sparql_query_duration_seconds" in families
    assert "iqkg_sparql_timeouts" in families
    assert "iqkg_query_worker_restarts" in families


def test_queries_catalogue_json_and_html(sparql_server: RunningServer) -> None:
    with sparql_server.client() as client:
        listing = client.get("/queries", headers={"Accept": "application/json"}).json()
        html = client.get("/queries", headers={"Accept": "text/html"}).text
        text = client.get("/queries/01")
    (entry,) = listing["queries"]
    assert entry["name"] == "01-networks"
    assert entry["title"]["de"] == "Netzwerke und ihre Bundesländer"
    assert entry["editor"].startswith("/sparql?query=")
    assert 'href="/sparql?query=' in html and "Networks and their federal states" in html
    assert text.headers["content-type"].startswith("application/sparql-query")
    assert "SELECT ?network" in text.text
    with sparql_server.client() as client:
        page = client.get(entry["editor"], headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.status_code == 200 and "yasgui" in page.text.lower()
    assert json.dumps(CATALOGUE_QUERY)[:40] in page.text
