"""The pages in headless Chromium: a resource page in German and in English, the map,
the language switch, a German reader's way from the home page through the catalogue and
the editor to a resource's page, and every page type in the one layout. Screenshots of
each are kept under tests/screenshots/ (git-ignored), for people to look at."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.conftest import PAGE_TYPES
from tests.support.browser import chromium, screenshot
from tests.support.server import RunningServer


def _full_page(driver: Any, name: str) -> None:
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(int(height) + 40, 4000))
    screenshot(driver, name)


def test_resource_page_in_german(server: RunningServer) -> None:
    from selenium.webdriver.common.by import By

    with chromium(lang="de-DE") as driver:
        driver.get(server.url + "/id/network/bayern")
        assert driver.current_url.endswith("/id/network/bayern.html")
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "de"
        assert driver.find_element(By.TAG_NAME, "h1").text == "IQ-Landesnetzwerk in Bayern"
        rows = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "table.facts tbody th")]
        assert "deckt Bundesland ab" in rows
        assert driver.find_element(By.ID, "sources-heading").text == "Quellen"
        _full_page(driver, "publish-resource-network-bayern-de.png")


def test_resource_page_in_english(server: RunningServer) -> None:
    from selenium.webdriver.common.by import By

    with chromium(lang="en-GB") as driver:
        driver.get(server.url + "/id/programme/iq")
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
        assert (
            driver.find_element(By.TAG_NAME, "h1").text == "Integration through Qualification (IQ)"
        )
        diagram = driver.find_element(By.CSS_SELECTOR, "svg.structure")
        assert len(diagram.find_elements(By.CSS_SELECTOR, "rect.part")) == 21
        _full_page(driver, "publish-resource-programme-iq-en.png")


def test_map_links_each_state_to_its_network(server: RunningServer) -> None:
    from selenium.webdriver.common.by import By

    with chromium(lang="de-DE") as driver:
        driver.get(server.url + "/")
        states = driver.find_elements(By.CSS_SELECTOR, "svg.germany a.state-link")
        assert len(states) == 16
        for state in states:
            assert "/id/network/" in (state.get_dom_attribute("href") or "")
        box = driver.find_element(By.CSS_SELECTOR, "svg.germany").rect
        assert box["width"] > 200 and box["height"] > 250, box
        _full_page(driver, "publish-home-map-de.png")
        driver.set_window_size(1280, 1000)
        bayern = driver.find_element(By.CSS_SELECTOR, 'svg.germany a[data-state="by"] path')
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", bayern)
        bayern.click()
        assert driver.current_url.endswith("/id/network/bayern.html")
        current = driver.find_elements(By.CSS_SELECTOR, "svg.germany path.state.current")
        assert len(current) == 1
        _full_page(driver, "publish-map-clicked-bayern-de.png")


def test_language_switch(server: RunningServer) -> None:
    from selenium.webdriver.common.by import By

    with chromium(lang="de-DE") as driver:
        driver.get(server.url + "/id/federal-state/bayern")
        assert driver.find_element(By.TAG_NAME, "h1").text == "Bayern"
        driver.find_element(By.CSS_SELECTOR, 'a[data-lang="en"]').click()
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
        assert driver.find_element(By.TAG_NAME, "h1").text == "Bavaria"
        # the choice holds while browsing on
        driver.find_element(By.CSS_SELECTOR, "a.brand").click()
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
        driver.get(server.url + "/id/federal-state/bayern")
        assert driver.find_element(By.TAG_NAME, "h1").text == "Bavaria"
        _full_page(driver, "publish-language-switch-federal-state-bayern-en.png")


def test_ontology_documentation_page(server: RunningServer) -> None:
    from selenium.webdriver.common.by import By

    with chromium(lang="en-GB") as driver:
        driver.get(server.url + "/def#RegionalNetwork")
        assert driver.current_url.endswith("/def.html#RegionalNetwork")
        term = driver.find_element(By.ID, "RegionalNetwork")
        assert "regional network" in term.text
        driver.set_window_size(1280, 1400)
        screenshot(driver, "publish-ontology-regional-network-en.png")


def test_german_reader_goes_from_home_through_the_editor_to_a_local_page(
    server: RunningServer,
) -> None:
    """Home → catalogue → editor → run → result link → the resource's page, all German."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    def german(title: str) -> None:
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "de", title
        assert driver.find_element(By.CSS_SELECTOR, "nav.languages strong").text == "Deutsch"
        assert driver.find_element(By.CSS_SELECTOR, 'a[href="/queries"]').text == "Fragenkatalog"

    with chromium(lang="de-DE") as driver:
        wait = WebDriverWait(driver, 60)  # type: ignore[arg-type]
        driver.get(server.url + "/")
        german("home")
        driver.find_element(By.CSS_SELECTOR, 'main a[href="/queries"]').click()
        assert driver.find_element(By.TAG_NAME, "h1").text == "Fragenkatalog"
        german("catalogue")
        _full_page(driver, "journey-1-catalogue-de.png")
        driver.find_element(By.CSS_SELECTOR, "a.editor-link").click()
        assert driver.find_element(By.TAG_NAME, "h1").text == "SPARQL-Editor"
        german("editor")
        wait.until(
            expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, ".yasqe_queryButton"))
        ).click()
        link = wait.until(
            expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, ".yasr a.local"))
        )
        href = link.get_dom_attribute("href") or ""
        assert href.startswith("/id/"), href
        header = driver.find_element(By.CSS_SELECTOR, ".yasr_header").text
        assert "Tabelle" in header and "Antwort" in header, header
        assert "Abfrage" in driver.find_element(By.CSS_SELECTOR, "#yasgui .tabsList").text
        driver.set_window_size(1280, 1000)
        screenshot(driver, "journey-2-editor-results-de.png")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
        link.click()
        wait.until(lambda d: "/sparql" not in d.current_url)
        assert driver.current_url.startswith(server.url + href), driver.current_url
        german("resource")
        assert driver.find_element(By.ID, "sources-heading").text == "Quellen"
        _full_page(driver, "journey-3-local-page-de.png")


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_screenshot_of_each_page_type(server: RunningServer, submission_id: str, kind: str) -> None:
    """Each page type in the browser: the one header, navigation, footer; a screenshot."""
    from selenium.webdriver.common.by import By

    path = PAGE_TYPES[kind][0].replace("{submission}", submission_id)
    for lang in ("de", "en"):
        with chromium(lang=lang) as driver:
            driver.get(server.url + path)
            assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
            assert len(driver.find_elements(By.CSS_SELECTOR, "header.site nav a")) >= 6
            assert driver.find_element(By.CSS_SELECTOR, "header.site input[type=search]")
            assert driver.find_element(By.CSS_SELECTOR, "footer.site").is_displayed()
            _full_page(driver, f"page-{kind.replace(' ', '-')}-{lang}.png")
