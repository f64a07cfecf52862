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
import re
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

__all__ = [
    "OWL2_DATATYPES",
    "ConsistencyReport",
    "UncheckedAxioms",
    "check_consistency",
    "infer",
    "owl_rl_closure",
    "split_unchecked_axioms",
]

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


_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF = str(RDF)

#: The OWL 2 datatype map (OWL 2 Structural Specification §4; rdf:langString from RDF 1.1).
#: A datatype outside it (xsd:date, xsd:gYear, ...) is one HermiT cannot reason with.
OWL2_DATATYPES = frozenset(
    {
        _RDF + "PlainLiteral",
        _RDF + "XMLLiteral",
        _RDF + "langString",
        str(RDFS.Literal),
        str(OWL) + "real",
        str(OWL) + "rational",
        *(
            _XSD + name
            for name in [
                "decimal",
                "integer",
                "nonNegativeInteger",
                "nonPositiveInteger",
                "positiveInteger",
                "negativeInteger",
                "long",
                "int",
                "short",
                "byte",
                "unsignedLong",
                "unsignedInt",
                "unsignedShort",
                "unsignedByte",
                "double",
                "float",
                "string",
                "normalizedString",
                "token",
                "language",
                "Name",
                "NCName",
                "NMTOKEN",
                "boolean",
                "hexBinary",
                "base64Binary",
                "anyURI",
                "dateTime",
                "dateTimeStamp",
            ]
        ),
    }
)

# Positions in which a datatype IRI makes a logical (not an annotation) axiom.
_DATA_RANGE_POSITIONS = frozenset(
    {
        URIRef(str(OWL.someValuesFrom)),
        URIRef(str(OWL.allValuesFrom)),
        URIRef(str(OWL.onDataRange)),
        URIRef(str(OWL.onDatatype)),
        URIRef(str(OWL.equivalentClass)),
    }
)


@dataclass(frozen=True)
class UncheckedAxioms:
    """The axioms a consistency check left to others, and what those others found.

    ``removed`` were taken out before HermiT ran (data-property ranges and assertions with a
    datatype outside the OWL 2 map): each is named here and checked instead by
    :func:`split_unchecked_axioms` in Python (the literal is well-formed for its datatype
    and matches the property's declared range); ``problems`` lists what that found.
    ``residual`` are other uses of such datatypes (e.g. inside a restriction) that cannot be
    taken out without changing the axiom: HermiT then runs with unsupported datatypes
    ignored, and these are the axioms it ignored.
    """

    removed: list[str] = field(default_factory=list)
    residual: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        """One line per unchecked range, per property's assertions and per residual axiom."""
        lines = [a for a in self.removed if a.startswith("DataPropertyRange")]
        counts: dict[str, int] = {}
        for axiom in self.removed:
            if axiom.startswith("DataPropertyAssertion"):
                prop = axiom.split("(", 1)[1].split(" ", 1)[0]
                counts[prop] = counts.get(prop, 0) + 1
        lines += [f"DataPropertyAssertion({p} …) × {n}" for p, n in sorted(counts.items())]
        return lines + [f"ignored by HermiT: {a}" for a in self.residual]


@dataclass(frozen=True)
class ConsistencyReport:
    """The outcome of an OWL 2 DL consistency check.

    ``consistent`` is False when HermiT finds the ontology (plus data) inconsistent or
    cannot run; ``unsatisfiable`` lists the IRIs of classes equivalent to ``owl:Nothing``
    (only computed for a consistent ontology); ``unchecked`` names the axioms HermiT could
    not check (datatypes outside the OWL 2 map) and the result of checking them otherwise;
    ``message`` says in one sentence what was found, for logs and test failures.
    """

    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    message: str = ""
    unchecked: UncheckedAxioms = field(default_factory=UncheckedAxioms)


def _short(term: object) -> str:
    text = str(term)
    for prefix, namespace in (
        ("xsd:", _XSD),
        ("iq:", "https://w3id.org/iqkg/def#"),
        ("time:", "http://www.w3.org/2006/time#"),
        ("schema:", "https://schema.org/"),
        ("dcterms:", "http://purl.org/dc/terms/"),
    ):
        if text.startswith(namespace):
            return prefix + text[len(namespace) :]
    if isinstance(term, Literal):
        return f'"{term}"^^{_short(term.datatype)}'
    return f"<{text}>"


def split_unchecked_axioms(graph: Graph) -> tuple[Graph, UncheckedAxioms]:
    """Split ``graph`` into what HermiT can check and the axioms it cannot.

    OWL 2's datatype map has ``xsd:dateTime`` but not ``xsd:date`` or ``xsd:gYear``
    (OWL 2 Structural Specification §4), which the data use for years ("von 2011 bis
    2014") and days, and which OWL-Time uses for ``time:inXSDDate``/``time:inXSDgYear``.
    Data-property ranges and assertions with such datatypes are taken out and listed; each
    assertion is checked here instead: its literal must be well-formed and its datatype the
    property's declared range. Annotation values may have any datatype (reasoners ignore
    annotations), so they stay.
    """
    data_properties = {
        p for p in graph.subjects(RDF.type, OWL.DatatypeProperty) if isinstance(p, URIRef)
    }
    ranges: dict[URIRef, set[str]] = {}
    for prop in data_properties:
        ranges[prop] = {str(o) for o in graph.objects(prop, RDFS.range) if isinstance(o, URIRef)}
    # An owl:Axiom annotation restates its axiom (OWL 2 Mapping to RDF §2.3.2): one whose
    # target is such a literal must go with the assertion, or the axiom comes back.
    annotations_of_unchecked = {
        node
        for node in graph.subjects(RDF.type, OWL.Axiom)
        if graph.value(node, OWL.annotatedProperty) in data_properties
        and isinstance(target := graph.value(node, OWL.annotatedTarget), Literal)
        and target.datatype is not None
        and str(target.datatype) not in OWL2_DATATYPES
    }
    checkable = Graph()
    unchecked = UncheckedAxioms()
    for s, p, o in graph:
        if s in annotations_of_unchecked:
            continue
        unsupported_range = (
            p == RDFS.range
            and s in data_properties
            and isinstance(o, URIRef)
            and str(o) not in OWL2_DATATYPES
        )
        unsupported_value = (
            p in data_properties
            and isinstance(o, Literal)
            and o.datatype is not None
            and str(o.datatype) not in OWL2_DATATYPES
        )
        if unsupported_range:
            unchecked.removed.append(f"DataPropertyRange({_short(s)} {_short(o)})")
            continue
        if unsupported_value:
            assert isinstance(o, Literal) and isinstance(p, URIRef)
            unchecked.removed.append(f"DataPropertyAssertion({_short(p)} {_short(s)} {_short(o)})")
            unchecked.problems.extend(_datatype_problems(s, p, o, ranges.get(p, set())))
            continue
        if (
            p in _DATA_RANGE_POSITIONS
            and isinstance(o, URIRef)
            and str(o).startswith(_XSD)
            and str(o) not in OWL2_DATATYPES
        ):
            unchecked.residual.append(f"{_short(s)} {_short(p)} {_short(o)}")
        checkable.add((s, p, o))
    unchecked.removed.sort()
    unchecked.problems.sort()
    return checkable, unchecked


# Lexical spaces of the calendar datatypes outside the OWL 2 map (XML Schema 1.1 Part 2,
# §3.3.9-3.3.14); rdflib converts xsd:date but has no converter for the g* types.
_TIMEZONE = r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_YEAR = r"-?([1-9][0-9]{3,}|0[0-9]{3})"
_LEXICAL = {
    _XSD + "gYear": re.compile(_YEAR + _TIMEZONE),
    _XSD + "gYearMonth": re.compile(_YEAR + r"-(0[1-9]|1[0-2])" + _TIMEZONE),
    _XSD + "date": re.compile(_YEAR + r"-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])" + _TIMEZONE),
}


def _well_formed(o: Literal) -> bool:
    pattern = _LEXICAL.get(str(o.datatype))
    if pattern is not None and not pattern.fullmatch(str(o)):
        return False
    return o.ill_typed is not True


def _datatype_problems(s: object, p: URIRef, o: Literal, declared: set[str]) -> list[str]:
    """What is wrong with one data-property assertion HermiT cannot check."""
    problems = []
    if not _well_formed(o):
        problems.append(f"{_short(s)} {_short(p)} {_short(o)}: not a valid {_short(o.datatype)}")
    if declared and str(o.datatype) not in declared:
        wanted = ", ".join(sorted(_short(URIRef(d)) for d in declared))
        problems.append(
            f"{_short(s)} {_short(p)} {_short(o)}: the range of {_short(p)} is {wanted}"
        )
    return problems


def check_consistency(
    ontology: Graph, data: Graph | None = None, imports: Graph | None = None
) -> ConsistencyReport:
    """Check ``ontology`` (plus optional ``data`` and ``imports``) with HermiT.

    ``imports`` are the published axioms of the external vocabularies the ontology reuses
    (``ontology/imports/``): reusing ``prov:wasDerivedFrom`` commits its subject to
    ``prov:Entity``, which PROV-O declares disjoint from ``prov:Activity``; only with those
    axioms loaded can HermiT find such a contradiction.

    owlready2 reads N-Triples but not Turtle, so the graphs are serialised into a
    temporary directory first. owlready2 keeps a global default world; a fresh
    ``owlready2.World()`` per call keeps calls independent of each other and of any other
    owlready2 user in the process.

    Axioms with datatypes outside the OWL 2 map are split off first and named in the
    report (:func:`split_unchecked_axioms`); HermiT then runs strictly, so a datatype it
    cannot read is never skipped without being listed. Only when such a datatype sits where
    it cannot be split off (inside a class expression) does HermiT run with unsupported
    datatypes ignored, and those axioms are listed as ``residual``.

    owlready2 and HermiT print progress to stdout/stderr; that output is captured and
    discarded, and a Java failure is reported as ``consistent=False`` with its message
    instead of being raised.
    """
    combined = Graph()
    for part in (ontology, data, imports):
        if part is not None:
            for triple in part:
                combined.add(triple)
    checkable, unchecked = split_unchecked_axioms(combined)
    with tempfile.TemporaryDirectory(prefix="iqkg-hermit-") as tmp:
        path = Path(tmp) / "input.nt"
        checkable.serialize(destination=str(path), format="nt", encoding="utf-8")

        world = owlready2.World()
        sink = io.StringIO()
        try:
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                onto = world.get_ontology(path.as_uri()).load()
                owlready2.sync_reasoner_hermit(
                    onto, debug=0, ignore_unsupported_datatypes=bool(unchecked.residual)
                )
        except owlready2.OwlReadyInconsistentOntologyError:
            return ConsistencyReport(
                consistent=False,
                message="HermiT: the ontology and data are inconsistent.",
                unchecked=unchecked,
            )
        except (owlready2.OwlReadyJavaError, subprocess.SubprocessError, OSError) as error:
            return ConsistencyReport(
                consistent=False,
                message=f"HermiT could not check the input: {error}",
                unchecked=unchecked,
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
            unchecked=unchecked,
        )
    return ConsistencyReport(
        consistent=True,
        message="HermiT: consistent; every class is satisfiable.",
        unchecked=unchecked,
    )
