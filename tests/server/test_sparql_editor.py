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


def _editor_query(driver: object) -> str:
    text = driver.execute_script(  # type: ignore[attr-defined]
        "return window.iqkgEditor ? window.iqkgEditor.getTab().getQuery() : ''"
    )
    return str(text or "")


def test_a_new_query_starts_with_the_vocabulary_prefixes(sparql_server: RunningServer) -> None:
    with chromium(lang="de-DE") as driver:
        driver.get(f"{sparql_server.url}/sparql")  # type: ignore[attr-defined]
        wait = WebDriverWait(driver, 30)  # type: ignore[arg-type]
        wait.until(lambda d: "PREFIX" in _editor_query(d))
        query = _editor_query(driver)
        for line in (
            "PREFIX iq: <https://w3id.org/iqkg/def#>",
            "PREFIX iqid: <https://w3id.org/iqkg/id/>",
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>",
            "PREFIX prov: <http://www.w3.org/ns/prov#>",
        ):
            assert line in query
        heading = driver.find_element(By.ID, "examples-heading")  # type: ignore[attr-defined]
        assert heading.text == "Beispiele"


def test_a_query_error_is_shown_as_its_message_wrapped(sparql_server: RunningServer) -> None:
    with chromium(lang="de-DE") as driver:
        driver.get(f"{sparql_server.url}/sparql")  # type: ignore[attr-defined]
        wait = WebDriverWait(driver, 30)  # type: ignore[arg-type]
        wait.until(lambda d: "PREFIX" in _editor_query(d))
        driver.execute_script(  # type: ignore[attr-defined]
            "window.iqkgEditor.getTab().setQuery('SELECT * WHERE { ?s ?p ?o ' "
            "+ ' '.repeat(300) + '}} LIMIT')"
        )
        wait.until(
            expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, ".yasqe_queryButton"))
        ).click()
        error = wait.until(
            expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, ".query-error"))
        )
        assert error.get_attribute("role") == "alert"
        assert error.text.startswith("Fehler"), error.text
        message = error.find_element(By.TAG_NAME, "pre")
        assert message.text.startswith("the query does not parse"), "the message, not raw JSON"
        assert "line 1, column" in message.text
        assert message.value_of_css_property("white-space") == "pre-wrap"
        box = driver.find_element(By.ID, "yasgui").rect  # type: ignore[attr-defined]
        assert message.rect["width"] <= box["width"], "wrapped, not running off the page"
        screenshot(driver, "sparql-editor-error-de.png")
