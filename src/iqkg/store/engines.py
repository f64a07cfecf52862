"""What differs between SPARQL engines behind the same protocol, for :mod:`iqkg.store.remote`.

One :class:`Engine` value per engine, chosen by ``IQKG_STORE_ENGINE``
(:mod:`iqkg.store.opening`). The Oxigraph server and Virtuoso are tested
(``tests/store``); Fuseki's values come from its documentation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Engine:
    """What differs between engines behind the same protocol.

    ``timeout_parameter``: the query parameter that sets one query's timeout, in units of
    ``timeout_unit`` seconds (``None``: the engine has only a server-wide setting).
    ``default_graph_iri``: the name the engine gives the store's default graph in a
    ``default-graph-uri`` (``None``: it has none, see the module's note on ``PUBLIC``).
    ``graphs_query``: how to list the named graphs (``GRAPH ?g {}`` lists empty ones too,
    but Virtuoso answers it with one empty row). ``system_graphs``: the engine's own
    graphs, never public. ``blank_nodes_in_insert_data``: whether ``INSERT DATA`` takes
    blank nodes (Virtuoso refuses them: ``INSERT {…} WHERE {}`` is sent instead).
    """

    name: str
    timeout_parameter: str | None = None
    timeout_unit: float = 1.0
    default_graph_iri: str | None = None
    graphs_query: str = "SELECT DISTINCT ?g WHERE { GRAPH ?g {} }"
    system_graphs: frozenset[str] = frozenset()
    blank_nodes_in_insert_data: bool = True


#: ``oxigraph serve``: no per-query timeout (start it with ``--timeout-s``), checked here.
OXIGRAPH_SERVER = Engine("oxigraph")
#: Apache Jena Fuseki (``timeout`` in seconds; ``urn:x-arq:DefaultGraph``), from its
#: documentation: not tested here (Maven Central is out of reach of this machine).
FUSEKI = Engine("fuseki", "timeout", 1.0, "urn:x-arq:DefaultGraph")
#: Virtuoso 7 (``timeout`` in milliseconds; its graphs from a fresh database), tested
#: with Debian's 7.2.5 (``tests/store``, marker ``remote_store``).
VIRTUOSO = Engine(
    "virtuoso",
    "timeout",
    0.001,
    # Virtuoso keeps no triples outside named graphs (an insert without GRAPH is refused)
    # and, given no dataset, answers from the union of all graphs; so the store's default
    # graph is spelt as a graph that never holds anything.
    default_graph_iri="urn:iqkg:virtuoso:no-default-graph",
    graphs_query="SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
    blank_nodes_in_insert_data=False,
    system_graphs=frozenset(
        {
            "http://www.openlinksw.com/schemas/virtrdf#",
            "http://www.w3.org/ns/ldp#",
            "http://localuriqaserver/sparql",
        }
    ),
)


#: ``IQKG_STORE_ENGINE`` -> the engine.
ENGINES = {
    "oxigraph": OXIGRAPH_SERVER,
    "fuseki": FUSEKI,
    "virtuoso": VIRTUOSO,
    "generic": Engine("generic"),
}


def virtuoso_ask(answer: dict[str, Any]) -> bool | None:
    """Virtuoso 7 answers an ``ASK`` in JSON as a ``SELECT`` of ``__ASK_RETVAL`` (1 or 0)."""
    try:
        if answer["head"]["vars"] != ["__ASK_RETVAL"]:
            return None
        return any(b["__ASK_RETVAL"]["value"] != "0" for b in answer["results"]["bindings"])
    except (KeyError, TypeError):
        return None
