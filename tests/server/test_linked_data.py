"""Every IRI under the base dereferences: 303 to a format-specific document by Accept,
each document parses and holds the resource's triples; unknown IRIs are 404s."""

from __future__ import annotations

import gzip
import json
from typing import Any

import httpx
import pytest
from pyoxigraph import DefaultGraph, RdfFormat, Store, Triple, parse
from rdflib import BNode, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from tests.support.rdf import canonical
from tests.support.server import ROOT, RunningServer, free_port, start_server

BASE = "https://w3id.org/iqkg/"
FORMATS = {
    "ttl": ("text/turtle", "turtle"),
    "jsonld": ("application/ld+json", "json-ld"),
    "nt": ("application/n-triples", "nt"),
    "rdf": ("application/rdf+xml", "xml"),
}
NEGOTIATION = json.loads((ROOT / "tests/data/publish/negotiation.json").read_text())


@pytest.fixture(scope="module")
def curated() -> Graph:
    graph = Graph()
    # the curated facts (data/) and the project's editorial statements (data/editorial/)
    for path in [
        *sorted((ROOT / "data").glob("*.ttl")),
        *(ROOT / "data" / "editorial").glob("*.ttl"),
    ]:
        graph.parse(path, format="turtle")
    return graph


def sample_per_class(curated: Graph) -> list[URIRef]:
    by_class: dict[str, URIRef] = {}
    for s, _, c in sorted(curated.triples((None, RDF.type, None))):
        if isinstance(s, URIRef):
            by_class.setdefault(str(c), s)
    return sorted(set(by_class.values()))


def path_of(iri: URIRef | str) -> str:
    assert str(iri).startswith(BASE)
    return "/" + str(iri)[len(BASE) :]


def test_every_class_sample_in_every_format(server: RunningServer, curated: Graph) -> None:
    samples = sample_per_class(curated)
    assert len(samples) >= 10
    with server.client() as client:
        for iri in samples:
            for extension, (media_type, rdflib_format) in FORMATS.items():
                response = client.get(path_of(iri), headers={"Accept": media_type})
                assert response.status_code == 303, (iri, media_type)
                assert response.headers["location"] == f"{path_of(iri)}.{extension}"
                assert "Accept" in response.headers["vary"]
                document = client.get(response.headers["location"])
                assert document.status_code == 200
                assert document.headers["content-type"].startswith(media_type)
                graph = Graph().parse(data=document.content, format=rdflib_format)
                for triple in curated.triples((iri, None, None)):
                    assert triple in graph, (iri, extension, triple)
                for triple in curated.triples((None, None, iri)):
                    if isinstance(triple[0], BNode):  # source annotations: blank nodes of
                        continue  # two parses never compare equal (tests/knowledge checks them)
                    assert triple in graph, (iri, extension, triple)


@pytest.mark.parametrize("case", NEGOTIATION, ids=[str(c["accept"]) for c in NEGOTIATION])
def test_negotiation(server: RunningServer, case: dict[str, Any]) -> None:
    headers = {"Accept": case["accept"]} if case["accept"] is not None else {}
    with server.client() as client:
        if case["accept"] is None:
            client.headers.pop("accept", None)
        response = client.get("/id/network/bayern", headers=headers)
    if case["expected"] == 406:
        assert response.status_code == 406
        return
    assert response.status_code == 303
    assert response.headers["location"] == f"/id/network/bayern.{case['expected']}"


@pytest.mark.parametrize(
    "path",
    ["/id/network/bayern", "/graph/curated", "/def", "/shapes", "/.well-known/void"],
)
def test_plain_json_gets_json_ld(server: RunningServer, path: str) -> None:
    """``Accept: application/json`` is answered with JSON-LD wherever RDF is served."""
    with server.client() as client:
        response = client.get(path, headers={"Accept": "application/json"})
        assert response.status_code == 303, response.text
        assert response.headers["location"] == f"{path}.jsonld"
        document = client.get(response.headers["location"], headers={"Accept": "application/json"})
    assert document.status_code == 200
    assert document.headers["content-type"].startswith("application/ld+json")
    json.loads(document.content)  # plain JSON, as asked
    assert list(parse(document.content, format=RdfFormat.JSON_LD))  # and RDF


def test_link_headers_name_the_alternates(server: RunningServer) -> None:
    with server.client() as client:
        for path in ("/id/network/bayern", "/id/network/bayern.ttl", "/id/network/bayern.html"):
            links = client.get(path).headers["link"]
            for extension, (media_type, _) in FORMATS.items():
                assert (
                    f'</id/network/bayern.{extension}>; rel="alternate"; type="{media_type}"'
                    in links
                )
            assert '</id/network/bayern.html>; rel="alternate"; type="text/html"' in links


def test_rdflib_fetches_an_iri_like_a_linked_data_client(server: RunningServer) -> None:
    graph = Graph().parse(server.url + "/id/federal-state/bayern")
    state = URIRef(BASE + "id/federal-state/bayern")
    assert (
        state,
        URIRef("https://schema.org/sameAs"),
        URIRef("http://www.wikidata.org/entity/Q980"),
    ) in graph


@pytest.mark.parametrize(
    "path",
    [
        "/id/network/atlantis",
        "/id/network/atlantis.ttl",
        "/id/network/atlantis.html",
        "/id/",
        "/id/network/bayern/extra",
        "/graph/nothing",
        "/def/9.9.9",
        "/def/9.9.9.ttl",
        "/def.pdf",
        "/shapes.pdf",
        "/dumps/secret.txt",
    ],
)
def test_unknown_is_404_page_never_500(server: RunningServer, path: str) -> None:
    with server.client() as client:
        page = client.get(path, headers={"Accept": "text/html"})
        assert page.status_code == 404, path
        assert "text/html" in page.headers["content-type"]
        assert "404" in page.text
        machine = client.get(path, headers={"Accept": "text/turtle"})
        assert machine.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/id/a%20b",
        "/id/a%20b.ttl",
        "/id/a%3Cb.html",
        "/id/a%25zz",
        "/id/%FF",
        "/id/network/bayern%00",
        "/graph/a%20b.ttl",
        "/iqkg/id/a%20b",
    ],
)
def test_a_path_that_is_no_iri_is_an_unknown_resource(server: RunningServer, path: str) -> None:
    with server.client() as client:
        page = client.get(path, headers={"Accept": "text/html"})
        assert page.status_code == 404, path
        assert "text/html" in page.headers["content-type"]
        assert client.head(path).status_code == 404, path


def test_a_host_header_that_is_no_iri_falls_back_to_the_base(server: RunningServer) -> None:
    hostile = {"Host": "a%zz", "Accept": "text/turtle"}
    with server.client() as client:
        assert client.get("/id/nonexistent", headers=hostile).status_code == 404
        assert client.get("/id/network/bayern.ttl", headers=hostile).status_code == 200
        for path in ("/.well-known/void.ttl", "/id/dataset/iqkg.ttl", "/sparql"):
            response = client.get(path, headers=hostile)
            assert response.status_code == 200, path
            graph = Graph().parse(data=response.text, format="turtle")
            assert "a%zz" not in response.text, path
            assert URIRef(BASE + "sparql") in set(graph.all_nodes()), path


def test_base_path_requests_are_served(server: RunningServer) -> None:
    with server.client() as client:
        response = client.get("/iqkg/id/network/bayern", headers={"Accept": "text/turtle"})
        assert response.status_code == 303
        assert response.headers["location"] == "/iqkg/id/network/bayern.ttl"
        assert client.get(response.headers["location"]).status_code == 200


def test_ontology_and_version_iri_by_negotiation(server: RunningServer) -> None:
    with server.client() as client:
        for extension, (media_type, rdflib_format) in FORMATS.items():
            response = client.get("/def", headers={"Accept": media_type})
            assert response.status_code == 303
            assert response.headers["location"] == f"/def.{extension}"
            graph = Graph().parse(
                data=client.get(f"/def.{extension}").content, format=rdflib_format
            )
            ontology = URIRef(BASE + "def")
            version_iri = graph.value(ontology, URIRef("http://www.w3.org/2002/07/owl#versionIRI"))
            assert version_iri is not None
            versioned = client.get(path_of(str(version_iri)), headers={"Accept": media_type})
            assert versioned.status_code == 303
            same = Graph().parse(
                data=client.get(versioned.headers["location"]).content, format=rdflib_format
            )
            assert isomorphic(graph, same)
        assert (
            client.get("/def", headers={"Accept": "text/html"}).headers["location"] == "/def.html"
        )


def test_shapes_by_negotiation(server: RunningServer) -> None:
    with server.client() as client:
        for extension, (media_type, rdflib_format) in FORMATS.items():
            response = client.get("/shapes", headers={"Accept": media_type})
            assert response.headers["location"] == f"/shapes.{extension}"
            Graph().parse(data=client.get(f"/shapes.{extension}").content, format=rdflib_format)
        shapes_files = sorted((ROOT / "shapes").glob("*.ttl"))
        page = client.get("/shapes.html").text
        expected = Graph()
        for path in shapes_files:
            expected.parse(path)
        served = Graph().parse(data=client.get("/shapes.ttl").content, format="turtle")
        assert len(served) == len(expected)
        sh_name = URIRef("http://www.w3.org/ns/shacl#name")
        for name in expected.objects(None, sh_name):
            if getattr(name, "language", None) == "en":
                assert str(name) in page or str(name).replace("'", "&#39;") in page


def test_graph_iris_resolve(server: RunningServer) -> None:
    with server.client() as client:
        response = client.get("/graph/curated", headers={"Accept": "text/turtle"})
        assert response.status_code == 303
        graph = Graph().parse(
            data=client.get(response.headers["location"]).content, format="turtle"
        )
        assert (
            URIRef(BASE + "graph/curated"),
            URIRef("http://www.w3.org/ns/prov#generatedAtTime"),
            None,
        ) in graph


def _sparql_count(client: httpx.Client, query: str) -> int:
    response = client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_void_counts_equal_sparql(server: RunningServer) -> None:
    void = URIRef("http://rdfs.org/ns/void#")
    with server.client() as client:
        response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
        assert response.status_code == 303
        graph = Graph().parse(
            data=client.get(response.headers["location"]).content, format="turtle"
        )
        dataset = URIRef(BASE + "id/dataset/iqkg")
        triples = int(graph.value(dataset, URIRef(void + "triples")))  # type: ignore[arg-type]
        assert triples == _sparql_count(
            client, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
        )
        partitions = list(graph.objects(dataset, URIRef(void + "classPartition")))
        assert len(partitions) >= 10
        for part in partitions:
            cls = graph.value(part, URIRef(void + "class"))
            entities = int(graph.value(part, URIRef(void + "entities")))  # type: ignore[arg-type]
            assert entities == _sparql_count(
                client, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{cls}> }}"
            ), cls


def test_dumps_reload_isomorphic_to_the_dataset(server: RunningServer) -> None:
    with server.client() as client:
        listing = client.get("/dumps/")
        assert listing.status_code == 200
        for name in ("iqkg.nq.gz", "iqkg.trig.gz", "iqkg.ttl"):
            assert f'href="/dumps/{name}"' in listing.text
        store = Store()
        nquads = client.get("/dumps/iqkg.nq.gz")
        assert nquads.headers["content-type"] == "application/gzip"
        store.bulk_extend(parse(gzip.decompress(nquads.content), format=RdfFormat.N_QUADS))
        trig = Store()
        trig.bulk_extend(
            parse(gzip.decompress(client.get("/dumps/iqkg.trig.gz").content), format=RdfFormat.TRIG)
        )
        graphs = sorted(g.value for g in store.named_graphs())
        assert graphs == sorted(g.value for g in trig.named_graphs())
        assert {BASE + "graph/ontology", BASE + "graph/curated", BASE + "graph/meta"} <= set(graphs)
        union: set[Triple] = set()
        for graph_iri in graphs:
            served = client.get(
                "/sparql",
                params={
                    "query": "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <"
                    + graph_iri
                    + "> { ?s ?p ?o } }"
                },
                headers={"Accept": "application/n-triples"},
            )
            assert served.status_code == 200
            triples = [q.triple for q in parse(served.content, RdfFormat.N_TRIPLES)]
            expected = canonical(triples)
            for dump in (store, trig):
                name = next(g for g in dump.named_graphs() if g.value == graph_iri)
                got = canonical(q.triple for q in dump.quads_for_pattern(None, None, None, name))
                assert got == expected, graph_iri
            union.update(triples)
        # The store's default graph (other tests of this server write to it) is public too.
        stored = client.get(
            "/store", params={"default": ""}, headers={"Accept": "application/n-triples"}
        )
        assert stored.status_code == 200, stored.text
        triples = [q.triple for q in parse(stored.content, RdfFormat.N_TRIPLES)]
        for dump in (store, trig):
            got = canonical(
                q.triple for q in dump.quads_for_pattern(None, None, None, DefaultGraph())
            )
            assert got == canonical(triples)
        union.update(triples)
        turtle = Graph().parse(data=client.get("/dumps/iqkg.ttl").content, format="turtle")
        assert len(turtle) == len(union)


def test_context_jsonld(server: RunningServer) -> None:
    with server.client() as client:
        response = client.get("/context.jsonld")
        assert response.headers["content-type"].startswith("application/ld+json")
        context = response.json()["@context"]
        assert context["coversFederalState"] == {
            "@id": BASE + "def#coversFederalState",
            "@type": "@id",
        }


def test_a_base_that_is_the_servers_own_origin(tmp_path_factory: pytest.TempPathFactory) -> None:
    port = free_port()
    origin = f"http://127.0.0.1:{port}/"
    store = tmp_path_factory.mktemp("own-origin") / "store"
    running = start_server(store, port=port, env={"IQKG_BASE": origin})
    try:
        graph = Graph().parse(origin + "id/network/bayern")
        network = URIRef(origin + "id/network/bayern")
        assert (
            network,
            URIRef(origin + "def#coversFederalState"),
            URIRef(origin + "id/federal-state/bayern"),
        ) in graph
        page = httpx.get(origin + "id/network/bayern.html")
        assert page.status_code == 200 and 'href="/id/federal-state/bayern"' in page.text
    finally:
        running.stop()


@pytest.mark.parametrize(
    "path,status",
    [
        ("/", 200),
        ("/id/network/bayern", 303),
        ("/id/network/bayern.ttl", 200),
        ("/def", 303),
        ("/.well-known/void", 303),
        ("/context.jsonld", 200),
        ("/dumps/", 200),
        ("/dumps/iqkg.ttl", 200),
    ],
)
def test_head_requests(server: RunningServer, path: str, status: int) -> None:
    with server.client() as client:
        response = client.head(path)
        assert response.status_code == status
        assert response.content == b""


def test_documents_revalidate_with_etag(server: RunningServer) -> None:
    with server.client() as client:
        first = client.get("/id/network/bayern.ttl")
        etag = first.headers["etag"]
        again = client.get("/id/network/bayern.ttl", headers={"If-None-Match": etag})
        assert again.status_code == 304
