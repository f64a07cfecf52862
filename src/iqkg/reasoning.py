"""Reasoning over the knowledge files: the OWL RL closure and an OWL 2 DL consistency check.

Two reasoners, for two jobs:

* ``owl_rl_closure`` uses owlrl (pure Python, rule-based OWL 2 RL). Its output is written to
  ``graph/inferred`` so that catalogue queries can ask for, e.g., ``org:Organization`` or
  an inverse property although the curated data only states the specific term.
* ``check_consistency`` uses HermiT through owlready2 (a complete OWL 2 DL reasoner, run in
  Java). It is the test that the ontology and the curated data together are consistent
  and that no class is unsatisfiable; owlrl cannot prove that.

Besides rdflib, owlrl and owlready2 only the term conversion of ``iqkg.rdf`` is imported
here, so the module can be used from the loader, the CLI and the tests alike.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import owlready2
import owlrl
import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from iqkg.rdf.convert import to_oxigraph_triples, to_rdflib_graph

__all__ = ["ConsistencyReport", "check_consistency", "infer", "owl_rl_closure"]

_OWL_THING = URIRef(str(OWL.Thing))
_OWL_NOTHING = URIRef(str(OWL.Nothing))

# Inferred triples that hold for every resource or every term ("x rdf:type owl:Thing",
# "p rdfs:subPropertyOf p", ...): true, but they answer no researcher's question and would
# multiply the size of graph/inferred.
_TRIVIAL_OBJECTS = frozenset({_OWL_THING, URIRef(str(RDFS.Resource))})
_REFLEXIVE_NOISE = frozenset(
    {
        URIRef(str(OWL.sameAs)),
        URIRef(str(OWL.equivalentClass)),
        URIRef(str(OWL.equivalentProperty)),
        URIRef(str(RDFS.subClassOf)),
        URIRef(str(RDFS.subPropertyOf)),
    }
)


def owl_rl_closure(graph: Graph) -> Graph:
    """Return only the triples that the OWL 2 RL rules add to ``graph``.

    The input is copied first, so ``graph`` itself is never changed. The result is the
    closure minus the input, because the loader stores the input in its own named graphs
    (``graph/ontology``, ``graph/curated``) and ``graph/inferred`` must not duplicate them.

    Dropped as noise, because they hold for (nearly) everything and answer no question:

    * triples with a literal or blank-node subject: owlrl types literals
      (``"2011"^^xsd:gYear rdf:type xsd:gYear``) and reasons about the anonymous class
      expressions of the ontology (union domains, restrictions); neither can be asked
      for by IRI in a query;
    * triples whose object is a blank node (``x rdf:type _:union``, ``p rdfs:domain
      _:union``): the anonymous class expressions cannot be named in a query;
    * triples whose object is ``owl:Thing`` or ``rdfs:Resource`` (``x rdf:type
      owl:Thing``, ``C rdfs:subClassOf owl:Thing``, ``p rdfs:domain owl:Thing``);
    * reflexive statements ``x owl:sameAs x``, ``C rdfs:subClassOf C``,
      ``C owl:equivalentClass C`` and the same for properties;
    * axiomatic triples about the RDF, RDFS, OWL and XSD vocabularies themselves, which
      owlrl adds regardless of the input (their subjects are built-in terms).
    """
    closure = Graph()
    for triple in graph:
        closure.add(triple)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, rdfs_closure=False, axiomatic_triples=False, datatype_axioms=False
    ).expand(closure)

    inferred = Graph()
    for prefix, namespace in graph.namespaces():
        inferred.bind(prefix, namespace)
    for s, p, o in closure:
        if (s, p, o) in graph or not _is_useful(s, p, o):
            continue
        inferred.add((s, p, o))
    return inferred


def infer(triples: list[ox.Triple]) -> list[ox.Triple]:
    """The OWL RL closure of stored (Oxigraph) triples, as new triples only.

    The loader's ``Reasoner``: ontology + curated triples in, ``graph/inferred`` out.
    """
    return to_oxigraph_triples(owl_rl_closure(to_rdflib_graph(triples)))


_BUILT_IN_NAMESPACES = (
    str(RDF),
    str(RDFS),
    str(OWL),
    "http://www.w3.org/2001/XMLSchema#",
)


def _is_useful(s: object, p: object, o: object) -> bool:
    """Say whether an inferred triple is worth storing (see ``owl_rl_closure``)."""
    if isinstance(s, Literal | BNode):
        return False
    if str(s).startswith(_BUILT_IN_NAMESPACES):
        return False
    if isinstance(o, BNode) or o in _TRIVIAL_OBJECTS:
        return False
    return not (p in _REFLEXIVE_NOISE and s == o)


@dataclass(frozen=True)
class ConsistencyReport:
    """The outcome of an OWL 2 DL consistency check.

    ``consistent`` is False when HermiT finds the ontology (plus data) inconsistent or
    cannot run; ``unsatisfiable`` lists the IRIs of classes equivalent to ``owl:Nothing``
    (only computed for a consistent ontology); ``message`` says in one sentence what was
    found, for logs and test failures.
    """

    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    message: str = ""


def check_consistency(ontology: Graph, data: Graph | None = None) -> ConsistencyReport:
    """Check ``ontology`` (plus optional ``data``) with HermiT and report the outcome.

    owlready2 reads N-Triples but not Turtle, so the graphs are serialised into a
    temporary directory first. owlready2 keeps a global default world; a fresh
    ``owlready2.World()`` per call keeps calls independent of each other and of any other
    owlready2 user in the process.

    HermiT is run with ``ignore_unsupported_datatypes``: the data states years as
    ``xsd:gYear`` (the source gives "von 2011 bis 2014", not days) and event days as
    ``xsd:date``; neither is in the OWL 2 datatype map, so HermiT would refuse the input.
    With the flag it treats such literals as opaque values; every other axiom is checked
    in full.

    owlready2 and HermiT print progress to stdout/stderr; that output is captured and
    discarded, and a Java failure is reported as ``consistent=False`` with its message
    instead of being raised.
    """
    with tempfile.TemporaryDirectory(prefix="iqkg-hermit-") as tmp:
        combined = Graph()
        for triple in ontology:
            combined.add(triple)
        if data is not None:
            for triple in data:
                combined.add(triple)
        path = Path(tmp) / "input.nt"
        combined.serialize(destination=str(path), format="nt", encoding="utf-8")

        world = owlready2.World()
        sink = io.StringIO()
        try:
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                onto = world.get_ontology(path.as_uri()).load()
                owlready2.sync_reasoner_hermit(onto, debug=0, ignore_unsupported_datatypes=True)
        except owlready2.OwlReadyInconsistentOntologyError:
            return ConsistencyReport(
                consistent=False, message="HermiT: the ontology and data are inconsistent."
            )
        except (owlready2.OwlReadyJavaError, subprocess.SubprocessError, OSError) as error:
            return ConsistencyReport(
                consistent=False, message=f"HermiT could not check the input: {error}"
            )
        unsatisfiable = sorted(
            str(cls.iri)
            for cls in world.inconsistent_classes()
            if str(cls.iri) != str(_OWL_NOTHING)
        )
        world.close()

    if unsatisfiable:
        return ConsistencyReport(
            consistent=True,
            unsatisfiable=unsatisfiable,
            message=f"HermiT: consistent, but {len(unsatisfiable)} class(es) are unsatisfiable.",
        )
    return ConsistencyReport(
        consistent=True, message="HermiT: consistent; every class is satisfiable."
    )
