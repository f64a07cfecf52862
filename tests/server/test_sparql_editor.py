"""The query editor in headless Chromium: load /sparql, run a catalogue query, see its rows."""

from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from tests.support.browser import chromium, screenshot
from tests.support.server import RunningServer


def test_editor_runs_a_catalogue_query(sparql_server: RunningServer) -> None:
    with chromium() as driver:
        driver.get(f"{sparql_server.url}/sparql")  # type: ignore[attr-defined]
        wait = WebDriverWait(driver, 30)  # type: ignore[arg-type]
        example = wait.until(
            expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, "button.example"))
        )
        assert example.text == "Networks and their federal states"
        example.click()
        wait.until(
            expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, ".yasqe_queryButton"))
        ).click()
        wait.until(
            lambda d: "MigraNet" in d.find_element(By.CSS_SELECTOR, ".yasr").text  # type: ignore[no-any-return]
        )
        results = driver.find_element(By.CSS_SELECTOR, ".yasr").text  # type: ignore[attr-defined]
        screenshot(driver, "sparql-editor.png")
    assert "Bavaria" in results and "Hamburg" in results and "Saxony" in results


def test_catalogue_link_opens_the_editor_with_the_query(sparql_server: RunningServer) -> None:
    with chromium() as driver:
        driver.get(f"{sparql_server.url}/queries")  # type: ignore[attr-defined]
        link = driver.find_element(By.CSS_SELECTOR, "a.editor-link")  # type: ignore[attr-defined]
        link.click()
        wait = WebDriverWait(driver, 30)  # type: ignore[arg-type]
        wait.until(
            lambda d: (
                "SELECT ?network"
                in d.execute_script(  # type: ignore[no-any-return]
                    "return window.iqkgEditor && window.iqkgEditor.getTab().getQuery()"
                )
                or False
            )
        )
