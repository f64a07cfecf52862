"""The programme page's timeline in headless Chromium: every phase of the data is shown,
in date order, each with a linked source and the place in it (issue 8, pages part)."""

from __future__ import annotations

from rdflib import Graph, Literal, Namespace
from rdflib.namespace import DCTERMS, OWL, RDFS

from tests.support.browser import chromium, screenshot
from tests.support.server import ROOT, RunningServer

ID = Namespace("https://w3id.org/iqkg/id/")
IQ = Namespace("https://w3id.org/iqkg/def#")


def _data() -> Graph:
    graph = Graph()
    for folder in (ROOT / "data", ROOT / "data" / "editorial"):
        for path in sorted(folder.glob("*.ttl")):
            graph.parse(path)
    return graph


def test_programme_timeline_in_chromium(server: RunningServer) -> None:
    from selenium.webdriver.common.by import By

    data = _data()
    programme = ID["programme/iq"]
    phases = {
        str(data.value(p, IQ.startYear)): next(
            str(o)
            for o in data.objects(p, RDFS.label)
            if isinstance(o, Literal) and o.language == "en"
        )
        for p in data.objects(programme, IQ.hasPhase)
    }
    with chromium(lang="en-GB") as driver:
        driver.get(server.url + "/id/programme/iq")
        heading = driver.find_element(By.ID, "timeline-heading")
        assert heading.text == "Timeline"
        entries = driver.find_elements(By.CSS_SELECTOR, "ol.timeline li.timeline-entry")
        shown = [
            (
                e.find_element(By.CSS_SELECTOR, "time.timeline-when").text,
                e.find_element(By.CSS_SELECTOR, ".timeline-what").text,
            )
            for e in entries
        ]
        for year, label in phases.items():
            assert (year, label) in shown, (year, label, shown)
        dated = [when for when, _ in shown if when != "undated"]
        assert dated == sorted(dated), "the timeline is in date order"
        assert shown[-1][0] == "undated", "undated entries (the action plan) come last"
        for entry in entries:
            sources = entry.find_elements(By.CSS_SELECTOR, "li.citation .citation-source a")
            assert sources, entry.text
            assert entry.find_elements(By.CSS_SELECTOR, ".citation-locator"), entry.text
        # a source's title is the one in the data, linked to where the source is published
        act_sources = {
            data.value(a, DCTERMS.source)
            for a in data.subjects(OWL.annotatedSource, ID["law/anerkennungsgesetz"])
        }
        links = {
            a.get_dom_attribute("href")
            for a in driver.find_elements(By.CSS_SELECTOR, "ol.timeline .citation-source a")
        }
        for source in act_sources:
            assert str(data.value(source, _URL)) in links, source
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1280, min(int(height) + 40, 4000))
        screenshot(driver, "publish-programme-timeline-en.png")


_URL = Namespace("https://schema.org/")["url"]
