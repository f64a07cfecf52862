"""Reasoning: OWL RL closure (owlrl) and ontology consistency (owlready2 + HermiT).

Placeholder with the agreed interface; the knowledge-files work replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import owlrl
from rdflib import Graph


@dataclass
class ConsistencyReport:
    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    message: str = ""


def owl_rl_closure(graph: Graph) -> Graph:
    """Only the triples the OWL RL closure adds to ``graph``."""
    expanded = Graph()
    expanded += graph
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(expanded)
    return expanded - graph


def check_consistency(ontology: Graph, data: Graph | None = None) -> ConsistencyReport:
    return ConsistencyReport(consistent=True, message="(not checked yet)")
