"""Pictures of the graph, drawn on the server as SVG: the map of the regional networks
and the structure of the programme.

The map's outlines come from the vendored ``static/publish/germany.svg``
(@svg-maps/germany 2.0.0, CC BY 4.0, see the README beside it); each state links to the
network that covers it, found in the curated data, never hard-coded.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cache
from importlib import resources
from xml.sax.saxutils import escape, quoteattr

from iqkg.publish.curated import curated_pairs
from iqkg.publish.labels import Labels
from iqkg.publish.language import Text
from iqkg.publish.pages import Linker
from iqkg.rdf.iris import RDF
from iqkg.store.dataset import Dataset

#: The vendored map's path ids → the slugs of ``{base}id/federal-state/{slug}``.
STATE_CODES: dict[str, str] = {
    "bw": "baden-wuerttemberg",
    "by": "bayern",
    "be": "berlin",
    "bb": "brandenburg",
    "hb": "bremen",
    "hh": "hamburg",
    "he": "hessen",
    "ni": "niedersachsen",
    "mv": "mecklenburg-vorpommern",
    "nw": "nordrhein-westfalen",
    "rp": "rheinland-pfalz",
    "sl": "saarland",
    "sn": "sachsen",
    "st": "sachsen-anhalt",
    "sh": "schleswig-holstein",
    "th": "thueringen",
}


@dataclass(frozen=True)
class MapOutline:
    view_box: str
    paths: dict[str, str]


@cache
def map_outline() -> MapOutline:
    svg = resources.files("iqkg").joinpath("static/publish/germany.svg").read_text("utf-8")
    root = ET.fromstring(svg)
    paths = {
        el.attrib["id"]: el.attrib["d"]
        for el in root.iter("{http://www.w3.org/2000/svg}path")
        if "id" in el.attrib
    }
    return MapOutline(root.attrib.get("viewBox", "0 0 586 793"), paths)


@dataclass
class MapState:
    code: str
    path: str
    state: Text
    network: Text | None
    href: str | None
    current: bool


@dataclass
class NetworkMap:
    view_box: str
    states: list[MapState]


def _objects(dataset: Dataset, predicate: str) -> list[tuple[str, str]]:
    """Pairs from the curated graphs only: an accepted submission never redraws the map
    or the programme's structure (see :mod:`iqkg.publish.curated`)."""
    return curated_pairs(dataset, predicate)


def network_map(labels: Labels, lang: str, current: str | None = None) -> NetworkMap:
    """The 16 states, each linked to its network; ``current`` (a state or network) is marked."""
    dataset = labels.dataset
    iris = dataset.iris
    linker = Linker(iris)
    network_of = {state: net for net, state in _objects(dataset, iris.term("coversFederalState"))}
    outline = map_outline()
    states = []
    for code, slug in STATE_CODES.items():
        state = iris.resource("federal-state", slug)
        network = network_of.get(state)
        target = network or (state if labels.texts(state) else None)
        states.append(
            MapState(
                code=code,
                path=outline.paths.get(code, ""),
                state=labels.label(state, lang),
                network=labels.label(network, lang) if network else None,
                href=linker.href(target) if target else None,
                current=current in (state, network),
            )
        )
    return NetworkMap(outline.view_box, states)


# --- the programme's structure ---------------------------------------------------------


@dataclass
class Box:
    iri: str
    text: Text
    x: int
    y: int
    width: int
    height: int
    css: str
    #: Full name for the tooltip when ``text`` is a short form.
    title: str | None = None
    lines: int = 1


def _members(dataset: Dataset, programme: str, cls: str) -> list[str]:
    iris = dataset.iris
    parts = {s for s, o in _objects(dataset, iris.term("partOfProgramme")) if o == programme}
    typed = {s for s, o in _objects(dataset, RDF + "type") if o == cls}
    return sorted(parts & typed)


def _wrap(text: str, width: int, lines: int, char_width: float = 6.4) -> list[str]:
    limit = max(8, int(width / char_width))
    out: list[str] = []
    for word in text.split():
        if out and len(out[-1]) + 1 + len(word) <= limit:
            out[-1] += " " + word
        else:
            out.append(word)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: limit - 1].rstrip() + "…"
    return [line if len(line) <= limit else line[: limit - 1] + "…" for line in out]


def _box_svg(box: Box, href: str | None, char_width: float = 6.4) -> str:
    wrapped = _wrap(box.text.value, box.width - 14, box.lines, char_width)
    first = box.y + box.height / 2 - (len(wrapped) - 1) * 7.5 + 4.5
    text = "".join(
        f'<tspan x="{box.x + 8}" y="{first + i * 15:.1f}">{escape(line)}</tspan>'
        for i, line in enumerate(wrapped)
    )
    lang = f" xml:lang={quoteattr(box.text.lang)}" if box.text.lang else ""
    shape = (
        f'<rect x="{box.x}" y="{box.y}" width="{box.width}" height="{box.height}" rx="5" '
        f'class="node {box.css}"/><text{lang}>{text}</text>'
    )
    title = f"<title>{escape(box.title or box.text.value)}</title>"
    if href:
        return f"<a href={quoteattr(href)}>{title}{shape}</a>"
    return f"<g>{title}{shape}</g>"


def _edge(a: Box, b: Box) -> str:
    x1, y1 = a.x + a.width, a.y + a.height / 2
    x2, y2 = b.x, b.y + b.height / 2
    mid = (x1 + x2) / 2
    return f'<path class="edge" d="M{x1},{y1:.1f} C{mid},{y1:.1f} {mid},{y2:.1f} {x2},{y2:.1f}"/>'


def programme_structure(labels: Labels, lang: str, programme: str) -> str | None:
    """An SVG of programme → coordination → networks/centres → action fields, or None."""
    dataset = labels.dataset
    iris = dataset.iris
    linker = Linker(iris)
    coordination = _members(dataset, programme, iris.term("CoordinationProject"))
    networks = _members(dataset, programme, iris.term("RegionalNetwork"))
    centres = _members(dataset, programme, iris.term("CompetenceCentre"))
    if not (coordination or networks or centres):
        return None
    fields = dict(_objects(dataset, iris.term("buildsExpertiseIn")))
    state_of = dict(_objects(dataset, iris.term("coversFederalState")))
    row, cols = 30, (10, 225, 450, 860)
    headings = [(networks, "Landesnetzwerke" if lang == "de" else "Regional networks", 1)]
    headings.append((centres, "Fachstellen" if lang == "de" else "Competence centres", 2))
    boxes: list[str] = []
    edges: list[str] = []
    y = 10
    third: list[Box] = []
    fourth: list[Box] = []
    for members, heading, lines in headings:
        if not members:
            continue
        boxes.append(f'<text class="heading" x="{cols[2]}" y="{y + 16}">{escape(heading)}</text>')
        if any(iri in fields for iri in members):
            fields_heading = "Handlungsfelder" if lang == "de" else "Action fields"
            boxes.append(
                f'<text class="heading" x="{cols[3]}" y="{y + 16}">{escape(fields_heading)}</text>'
            )
        y += row
        height = row - 6 + (lines - 1) * 16
        for iri in members:
            # A network is named by its state (the heading says what it is).
            label = labels.label(iri, lang)
            shown = labels.label(state_of[iri], lang) if iri in state_of else label
            box = Box(iri, shown, cols[2], y, 370, height, "part", label.value, lines)
            third.append(box)
            if iri in fields:
                field_label = labels.label(fields[iri], lang)
                field_box = Box(fields[iri], field_label, cols[3], y, 290, height, "field")
                field_box.lines = lines
                fourth.append(field_box)
                edges.append(_edge(box, field_box))
            y += height + 6
        y += 10
    height = max(y, 200)
    mid = height / 2
    programme_box = Box(
        programme, labels.label(programme, lang), cols[0], int(mid - 35), 180, 70, "programme"
    )
    coord_boxes = [
        Box(c, labels.label(c, lang), cols[1], int(mid - 35 + i * 80), 180, 70, "coordination")
        for i, c in enumerate(coordination)
    ]
    hub = coord_boxes[0] if coord_boxes else programme_box
    edges += [_edge(programme_box, c) for c in coord_boxes]
    edges += [_edge(hub, b) for b in third]
    for box in (programme_box, *coord_boxes):
        box.lines = 4
        boxes.append(_box_svg(box, linker.href(box.iri), char_width=7.6))
    for box in (*third, *fourth):
        boxes.append(_box_svg(box, linker.href(box.iri)))
    title = "Aufbau des Programms" if lang == "de" else "Structure of the programme"
    # role="group", not "img": the boxes are links, and an image cannot contain controls.
    return (
        f'<svg class="structure" viewBox="0 0 1160 {height}" role="group" '
        f'aria-labelledby="structure-title" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="structure-title">{escape(title)}</title>'
        f'<g class="edges">{"".join(edges)}</g>{"".join(boxes)}</svg>'
    )
