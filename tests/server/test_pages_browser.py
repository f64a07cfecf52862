"""The pages in headless Chromium: a resource page in German and in English, the map,
the language switch. Screenshots are kept under tests/screenshots/ (git-ignored)."""

from __future__ import annotations

from typing import Any

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
