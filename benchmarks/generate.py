"""Deterministic generator of IQ-shaped synthetic data for the benchmark.

The data follows the iqkg ontology (``https://w3id.org/iqkg/def#``) and the shape of the
curated data: a funding programme with phases, federal states, regional networks,
organisations, projects with start and end years, work results, dated events, and two SKOS
schemes (action fields with a ``skos:broader`` hierarchy, target groups). Every resource
lives under :data:`BENCH_NS` so synthetic data can never be mistaken for curated facts.

Labels are German and English like the curated data, with deliberate gaps: every project
has a German *and* an English label, but only some work results, organisations and
sub-fields have an English one, so ``OPTIONAL``/``langMatches`` queries have work to do.

The output is N-Triples, one triple a line, written in a fixed order from one seeded
``random.Random``: the same (size, seed) gives the same bytes on every machine.
The triple count lands within one project bundle (< 60 triples) above the requested size.

    python -m benchmarks.generate --size 100k --out /tmp/bench-100k.nt
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

IQ = "https://w3id.org/iqkg/def#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: Namespace of every synthetic resource (clearly not curated data).
BENCH_NS = "https://w3id.org/iqkg/id/bench/"
#: The named graph the benchmark loads the data into.
BENCH_GRAPH = "https://w3id.org/iqkg/graph/bench"
DEFAULT_SEED = 20111

# Average triples per project bundle (project + its share of work results, events,
# organisations and networks); only used to size the organisation and network pools.
_TRIPLES_PER_BUNDLE = 30

FEDERAL_STATES: list[tuple[str, str, str]] = [
    ("baden-wuerttemberg", "Baden-Württemberg", "Baden-Württemberg"),
    ("bayern", "Bayern", "Bavaria"),
    ("berlin", "Berlin", "Berlin"),
    ("brandenburg", "Brandenburg", "Brandenburg"),
    ("bremen", "Bremen", "Bremen"),
    ("hamburg", "Hamburg", "Hamburg"),
    ("hessen", "Hessen", "Hesse"),
    ("mecklenburg-vorpommern", "Mecklenburg-Vorpommern", "Mecklenburg-Western Pomerania"),
    ("niedersachsen", "Niedersachsen", "Lower Saxony"),
    ("nordrhein-westfalen", "Nordrhein-Westfalen", "North Rhine-Westphalia"),
    ("rheinland-pfalz", "Rheinland-Pfalz", "Rhineland-Palatinate"),
    ("saarland", "Saarland", "Saarland"),
    ("sachsen", "Sachsen", "Saxony"),
    ("sachsen-anhalt", "Sachsen-Anhalt", "Saxony-Anhalt"),
    ("schleswig-holstein", "Schleswig-Holstein", "Schleswig-Holstein"),
    ("thueringen", "Thüringen", "Thuringia"),
]

TOP_ACTION_FIELDS: list[tuple[str, str, str]] = [
    ("anerkennung", "Anerkennung ausländischer Berufsqualifikationen", "Recognition"),
    ("berufsbezogenes-deutsch", "Berufsbezogenes Deutsch", "Job-related German"),
    ("diversity-management", "Diversity Management", "Diversity management"),
    ("existenzgruendung", "Existenzgründung", "Business start-ups"),
    ("qualifizierung", "Qualifizierung", "Qualification"),
]

SUBFIELD_TOPICS: list[tuple[str, str]] = [
    ("Beratung", "Counselling"),
    ("Qualifizierung", "Qualification"),
    ("Coaching", "Coaching"),
    ("Sprachförderung", "Language support"),
    ("Interkulturelle Öffnung", "Intercultural opening"),
    ("Netzwerkarbeit", "Networking"),
    ("Schulung", "Training"),
    ("Arbeitsmarktintegration", "Labour-market integration"),
]

TARGET_GROUPS: list[tuple[str, str]] = [
    ("Erwachsene Migrantinnen und Migranten", "Adult migrants"),
    ("Geflüchtete", "Refugees"),
    ("Akademikerinnen und Akademiker", "University graduates"),
    ("Gesundheitsfachkräfte", "Health professionals"),
    ("Lehrkräfte", "Teachers"),
    ("Beratungsfachkräfte", "Counsellors"),
    ("Arbeitgeber", "Employers"),
    ("Jobcenter", "Job centres"),
    ("Frauen mit Migrationshintergrund", "Women with a migration background"),
    ("Junge Erwachsene", "Young adults"),
    ("Selbstständige", "Self-employed people"),
    ("Kammern", "Chambers"),
]

PROJECT_TOPICS: list[tuple[str, str]] = [
    ("Beratung zur Anerkennung", "Counselling on recognition"),
    ("Anpassungsqualifizierung", "Adaptation training"),
    ("Berufsbezogenes Deutsch", "Job-related German"),
    ("Interkulturelle Öffnung von Jobcentern", "Intercultural opening of job centres"),
    ("Gründungsberatung", "Start-up counselling"),
    ("Brückenmaßnahme", "Bridging programme"),
    ("Mentoring", "Mentoring"),
    ("Kompetenzfeststellung", "Skills assessment"),
    ("Nachqualifizierung", "Further qualification"),
    ("Diversity-Training", "Diversity training"),
]

ORG_KINDS: list[tuple[str, str, str]] = [
    ("Association", "Verein für Integration", "association for integration"),
    ("Association", "Bildungswerk", "education association"),
    ("Company", "Beratungsgesellschaft mbH", "consulting company"),
    ("Company", "Bildungszentrum GmbH", "training centre ltd"),
    ("LabourMarketActor", "Jobcenter", "job centre"),
    ("LabourMarketActor", "Handwerkskammer", "chamber of crafts"),
    ("CompetenceCentre", "Fachstelle", "competence centre"),
]

RESULT_KINDS: list[tuple[str, str, str]] = [
    ("Instrument", "Instrument", "Instrument"),
    ("Recommendation", "Handlungsempfehlung", "Recommendation"),
    ("ConceptPaper", "Konzept", "Concept"),
    ("QualityStandard", "Qualitätsstandard", "Quality standard"),
    ("TrainingMaterial", "Schulungsmaterial", "Training material"),
]

EVENT_KINDS: list[str] = ["Fachtagung", "Workshop", "Schulung", "Netzwerktreffen", "Infoabend"]


def parse_size(text: str) -> int:
    """``"10k"`` → 10 000, ``"1m"`` → 1 000 000, ``"2500"`` → 2 500."""
    text = text.strip().lower().replace("_", "")
    factor = 1
    if text.endswith("k"):
        factor, text = 1_000, text[:-1]
    elif text.endswith("m"):
        factor, text = 1_000_000, text[:-1]
    value = int(float(text) * factor)
    if value <= 0:
        raise ValueError(f"size must be positive: {text!r}")
    return value


def format_size(n: int) -> str:
    """Inverse of :func:`parse_size` for round numbers (``100000`` → ``"100k"``)."""
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def _iri(value: str) -> str:
    return f"<{value}>"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def _lang(text: str, lang: str) -> str:
    return f'"{_escape(text)}"@{lang}'


def _typed(text: str, datatype: str) -> str:
    return f'"{_escape(text)}"^^<{XSD}{datatype}>'


def bench_iri(kind: str, slug: str) -> str:
    """IRI of a synthetic resource, e.g. ``bench_iri("project", "p-000001")``."""
    return f"{BENCH_NS}{kind}/{slug}"


@dataclass
class _Writer:
    """Collects N-Triples lines and counts them."""

    lines: list[str] = field(default_factory=list)

    def add(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"{_iri(s)} {_iri(p)} {o} .\n")

    def flush(self) -> Iterator[str]:
        yield from self.lines
        self.lines.clear()


@dataclass(frozen=True)
class Sizing:
    """How many resources of each kind a given triple target gets."""

    projects_estimate: int
    networks: int
    organisations: int
    subfields: int

    @classmethod
    def for_target(cls, target: int) -> Sizing:
        projects = max(1, target // _TRIPLES_PER_BUNDLE)
        return cls(
            projects_estimate=projects,
            networks=max(len(FEDERAL_STATES), projects // 100),
            organisations=max(20, projects // 4),
            subfields=max(15, min(2_000, projects // 20)),
        )


class _Generator:
    def __init__(self, target: int, seed: int) -> None:
        self.target = target
        self.rng = random.Random(seed)
        self.size = Sizing.for_target(target)
        self.out = _Writer()
        self.count = 0
        self.programme = bench_iri("programme", "iq")
        self.states = [bench_iri("federal-state", slug) for slug, _, _ in FEDERAL_STATES]
        self.action_fields: list[str] = []
        self.target_groups: list[str] = []
        self.networks: list[str] = []
        self.organisations: list[str] = []
        self.network_state: dict[str, int] = {}

    def emit(self) -> Iterator[str]:
        self.count += len(self.out.lines)
        yield from self.out.flush()

    def run(self) -> Iterator[str]:
        for part in (
            self._programme,
            self._states,
            self._action_fields,
            self._target_groups,
            self._organisations,
            self._networks,
        ):
            part()
            yield from self.emit()
        number = 0
        while self.count < self.target:
            number += 1
            self._project_bundle(number)
            yield from self.emit()

    # --- fixed vocabulary --------------------------------------------------------

    def _labels(self, s: str, de: str, en: str | None, prop: str = RDFS + "label") -> None:
        self.out.add(s, prop, _lang(de, "de"))
        if en is not None:
            self.out.add(s, prop, _lang(en, "en"))

    def _programme(self) -> None:
        add = self.out.add
        add(self.programme, RDF_TYPE, _iri(IQ + "FundingProgramme"))
        self._labels(
            self.programme,
            "Integration durch Qualifizierung (synthetisch)",
            "Integration through Qualification (synthetic)",
        )
        for number, (start, end) in enumerate([(2005, 2010), (2011, 2014)], start=1):
            phase = bench_iri("phase", f"phase-{number}")
            add(phase, RDF_TYPE, _iri(IQ + "ProgrammePhase"))
            self._labels(phase, f"Förderphase {start}–{end}", f"Programme phase {start}–{end}")
            add(phase, IQ + "startYear", _typed(str(start), "gYear"))
            add(phase, IQ + "endYear", _typed(str(end), "gYear"))
            add(phase, IQ + "phaseOf", _iri(self.programme))

    def _states(self) -> None:
        for iri, (_, de, en) in zip(self.states, FEDERAL_STATES, strict=True):
            self.out.add(iri, RDF_TYPE, _iri(IQ + "FederalState"))
            self._labels(iri, de, en)

    def _concept(self, iri: str, cls: str, scheme: str, de: str, en: str | None) -> None:
        self.out.add(iri, RDF_TYPE, _iri(IQ + cls))
        self._labels(iri, de, en, SKOS + "prefLabel")
        self.out.add(iri, SKOS + "inScheme", _iri(scheme))

    def _action_fields(self) -> None:
        scheme = bench_iri("concept-scheme", "action-fields")
        self.out.add(scheme, RDF_TYPE, _iri(SKOS + "ConceptScheme"))
        self._labels(scheme, "Handlungsfelder (synthetisch)", "Action fields (synthetic)")
        parents: list[tuple[str, str, str]] = []
        for slug, de, en in TOP_ACTION_FIELDS:
            iri = bench_iri("action-field", slug)
            self._concept(iri, "ActionField", scheme, de, en)
            self.out.add(iri, SKOS + "topConceptOf", _iri(scheme))
            self.action_fields.append(iri)
            parents.append((iri, de, en))
        # A tree: each sub-field hangs under a random earlier field, so depth grows
        # with size (skos:broader+ paths of length 1 to ~log n).
        for number in range(1, self.size.subfields + 1):
            parent, parent_de, parent_en = self.rng.choice(parents)
            topic_de, topic_en = self.rng.choice(SUBFIELD_TOPICS)
            iri = bench_iri("action-field", f"af-{number:05d}")
            de = f"{topic_de}: {parent_de.split(':')[0]} {number}"
            en = f"{topic_en}: {parent_en.split(':')[0]} {number}"
            self._concept(iri, "ActionField", scheme, de, en if self.rng.random() < 0.7 else None)
            self.out.add(iri, SKOS + "broader", _iri(parent))
            self.action_fields.append(iri)
            parents.append((iri, de, en))

    def _target_groups(self) -> None:
        scheme = bench_iri("concept-scheme", "target-groups")
        self.out.add(scheme, RDF_TYPE, _iri(SKOS + "ConceptScheme"))
        self._labels(scheme, "Zielgruppen (synthetisch)", "Target groups (synthetic)")
        for number, (de, en) in enumerate(TARGET_GROUPS, start=1):
            iri = bench_iri("target-group", f"tg-{number:02d}")
            self._concept(iri, "TargetGroup", scheme, de, en)
            self.target_groups.append(iri)

    def _organisations(self) -> None:
        for number in range(1, self.size.organisations + 1):
            cls, de, en = self.rng.choice(ORG_KINDS)
            _, state_de, state_en = self.rng.choice(FEDERAL_STATES)
            iri = bench_iri("organisation", f"o-{number:06d}")
            self.out.add(iri, RDF_TYPE, _iri(IQ + cls))
            english = f"{en} {state_en} {number}" if self.rng.random() < 0.5 else None
            self._labels(iri, f"{de} {state_de} {number}", english)
            self.out.add(iri, IQ + "partOfProgramme", _iri(self.programme))
            if cls == "CompetenceCentre":
                field_iri = self.rng.choice(self.action_fields[: len(TOP_ACTION_FIELDS)])
                self.out.add(iri, IQ + "buildsExpertiseIn", _iri(field_iri))
            self.organisations.append(iri)

    def _networks(self) -> None:
        for number in range(1, self.size.networks + 1):
            state = (number - 1) % len(FEDERAL_STATES)
            _, state_de, state_en = FEDERAL_STATES[state]
            iri = bench_iri("network", f"n-{number:04d}")
            self.out.add(iri, RDF_TYPE, _iri(IQ + "RegionalNetwork"))
            self._labels(
                iri,
                f"IQ-Landesnetzwerk {state_de} {number}",
                f"IQ regional network {state_en} {number}",
            )
            self.out.add(iri, IQ + "coversFederalState", _iri(self.states[state]))
            self.out.add(iri, IQ + "partOfProgramme", _iri(self.programme))
            for partner in self.rng.sample(self.organisations, 2):
                self.out.add(iri, IQ + "cooperatesWith", _iri(partner))
            self.networks.append(iri)
            self.network_state[iri] = state

    # --- the scaled part -----------------------------------------------------------

    def _project_bundle(self, number: int) -> None:
        rng, add = self.rng, self.out.add
        network = rng.choice(self.networks)
        _, state_de, state_en = FEDERAL_STATES[self.network_state[network]]
        topic_de, topic_en = rng.choice(PROJECT_TOPICS)
        project = bench_iri("project", f"p-{number:06d}")
        cls = "CoordinationProject" if number % 50 == 0 else "Project"
        add(project, RDF_TYPE, _iri(IQ + cls))
        self._labels(
            project,
            f"{topic_de} in {state_de}, Teilprojekt {number}",
            f"{topic_en} in {state_en}, subproject {number}",
        )
        add(
            project,
            DCTERMS + "description",
            _lang(
                f"Das Teilprojekt {number} im Landesnetzwerk {state_de} bietet "
                f"{topic_de.lower()} für {rng.choice(TARGET_GROUPS)[0]}.",
                "de",
            ),
        )
        start = rng.randint(2008, 2014)
        add(project, IQ + "startYear", _typed(str(start), "gYear"))
        add(project, IQ + "endYear", _typed(str(start + rng.randint(0, 4)), "gYear"))
        add(project, IQ + "partOfNetwork", _iri(network))
        add(project, IQ + "partOfProgramme", _iri(self.programme))
        add(project, IQ + "developedBy", _iri(rng.choice(self.organisations)))
        for org in rng.sample(self.organisations, rng.randint(1, 2)):
            add(project, IQ + "implementedBy", _iri(org))
        fields = rng.sample(self.action_fields, rng.randint(1, 3))
        for field_iri in fields:
            add(project, IQ + "addressesActionField", _iri(field_iri))
        add(project, IQ + "addressesTargetGroup", _iri(rng.choice(self.target_groups)))
        for _ in range(rng.choice((0, 1, 1, 2))):
            self._work_result(project, fields, number)
        for _ in range(rng.choice((0, 1, 2, 3))):
            self._event(network, fields, number)

    def _work_result(self, project: str, fields: list[str], number: int) -> None:
        rng, add = self.rng, self.out.add
        slug = f"r-{number:06d}-{rng.randrange(10**6):06d}"
        iri = bench_iri("work-result", slug)
        cls, de, en = rng.choice(RESULT_KINDS)
        topic_de, topic_en = rng.choice(PROJECT_TOPICS)
        add(iri, RDF_TYPE, _iri(IQ + cls))
        english = f"{en}: {topic_en} ({number})" if rng.random() < 0.6 else None
        self._labels(iri, f"{de}: {topic_de} ({number})", english)
        add(iri, IQ + "producedBy", _iri(rng.choice(self.organisations)))
        add(iri, IQ + "addressesActionField", _iri(rng.choice(fields)))
        add(iri, DCTERMS + "isPartOf", _iri(project))

    def _event(self, network: str, fields: list[str], number: int) -> None:
        rng, add = self.rng, self.out.add
        iri = bench_iri("event", f"e-{number:06d}-{rng.randrange(10**6):06d}")
        year, month, day = rng.randint(2011, 2014), rng.randint(1, 12), rng.randint(1, 28)
        add(iri, RDF_TYPE, _iri(IQ + "Event"))
        self._labels(iri, f"{rng.choice(EVENT_KINDS)} {number} ({year})", None)
        add(iri, IQ + "eventDate", _typed(f"{year:04d}-{month:02d}-{day:02d}", "date"))
        add(iri, IQ + "organisedBy", _iri(network))
        add(iri, IQ + "addressesActionField", _iri(rng.choice(fields)))


def generate(target: int, seed: int = DEFAULT_SEED) -> Iterator[str]:
    """Yield N-Triples lines until at least ``target`` triples have been produced."""
    return _Generator(target, seed).run()


def write(path: Path, target: int, seed: int = DEFAULT_SEED) -> int:
    """Write the data set to ``path`` (N-Triples, UTF-8); return the triple count."""
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for line in generate(target, seed):
            handle.write(line)
            count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="10k", help="triples, e.g. 10k, 100k, 1m")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, help="N-Triples file (default: stdout)")
    args = parser.parse_args(argv)
    target = parse_size(args.size)
    if args.out is None:
        sys.stdout.writelines(generate(target, args.seed))
        return 0
    count = write(args.out, target, args.seed)
    print(f"{count} triples → {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
