"""The /submit page in headless Chromium: pick a file, validate, read the report table
grouped by focus node in German and English, then submit with a token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.submissions.helpers import add_partner, fixture, write
from tests.support.browser import chromium, screenshot
from tests.support.server import RunningServer


def _wait_for(driver: Any, css: str, timeout: float = 30) -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, css))
    )


def test_validate_and_submit_in_the_browser(server: RunningServer, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    token = add_partner(server, "Browser Zeta", "zeta")
    bad = write(tmp_path / "bad.ttl", fixture("shape-violations.ttl", "zeta"))
    good = write(tmp_path / "good.ttl", fixture("project.ttl", "zeta"))
    curated = write(tmp_path / "curated.ttl", fixture("about-curated.ttl", "zeta"))
    focus = "id:partner/zeta/project-bridging-course"  # a prefixed name, not the full IRI
    with chromium(lang="de-DE") as driver:
        d: Any = driver
        d.get(f"{server.url}/submit")
        assert d.find_element(By.TAG_NAME, "h1").text == "Daten prüfen und einreichen"
        d.find_element(By.ID, "file").send_keys(str(bad))
        d.find_element(By.ID, "validate").click()
        table = _wait_for(d, "#report table.report")
        group = table.find_element(By.CSS_SELECTOR, "tbody.focus-group tr.focus th")
        assert focus in group.text and group.text.startswith("Ressource")
        row = table.find_element(By.CSS_SELECTOR, "tr.result.violation")
        assert "Verstoß" in row.text and "startYear" in row.text
        assert "nicht gültig" in d.find_element(By.CSS_SELECTOR, "#report p.summary").text
        screenshot(d, "submit-report-de.png")

        d.find_element(By.CSS_SELECTOR, 'a[data-lang="en"]').click()
        _wait_for(d, "#file")
        assert d.find_element(By.TAG_NAME, "h1").text == "Validate and submit data"
        d.find_element(By.ID, "file").send_keys(str(bad))
        d.find_element(By.ID, "validate").click()
        table = _wait_for(d, "#report table.report")
        assert table.find_element(By.CSS_SELECTOR, "tr.focus th").text.startswith("Resource")
        assert "Violation" in table.find_element(By.CSS_SELECTOR, "tr.result").text

        # With the token, Validate checks ownership as Submit will; without, it says not.
        assert "NOT checked" in d.find_element(By.CSS_SELECTOR, "#report p.ownership").text
        d.find_element(By.ID, "token").send_keys(token)
        d.find_element(By.ID, "file").clear()
        d.find_element(By.ID, "file").send_keys(str(curated))
        d.find_element(By.ID, "validate").click()
        table = _wait_for(d, "#report table.report")
        assert "as partner zeta" in d.find_element(By.CSS_SELECTOR, "#report p.ownership").text
        assert "curated resources are not allowed" in table.text and "iqsh:label" not in table.text
        d.find_element(By.ID, "file").clear()
        d.find_element(By.ID, "file").send_keys(str(bad))

        # Submitting the invalid file is rejected with the same report; the valid one is taken.
        d.find_element(By.ID, "submit").click()
        _wait_for(d, "#report table.report")
        assert "nothing was stored" in d.find_element(By.ID, "status").text
        d.find_element(By.ID, "file").clear()
        d.find_element(By.ID, "file").send_keys(str(good))
        d.find_element(By.ID, "submit").click()
        link = _wait_for(d, "#submission-link")
        assert "Accepted as submission" in d.find_element(By.ID, "status").text
        screenshot(d, "submit-accepted-en.png")
        submission_url = link.get_attribute("href")

        # The same file again: the page says it is already that submission.
        d.execute_script("document.getElementById('submission-link').remove()")
        d.find_element(By.ID, "submit").click()
        again = _wait_for(d, "#submission-link")
        assert again.get_attribute("href") == submission_url
        assert "Unchanged" in d.find_element(By.ID, "status").text

        # Its resources are on their pages, marked as the partner's, in both languages.
        submission_id = submission_url.rstrip("/").rsplit("/", 1)[1]
        for lang, words in (("de", "Einreichung"), ("en", "submission")):
            d.get(f"{server.url}/id/partner/zeta/project-recognition-counselling?lang={lang}")
            notice = _wait_for(d, "p.contributed")
            assert words in notice.text and submission_id in notice.text, notice.text
            link = notice.find_element(By.CSS_SELECTOR, "a")
            assert link.get_attribute("href").endswith(f"/graph/submission/{submission_id}")
    with server.client() as client:
        record = client.get(submission_url).json()
        assert record["partner"] == "zeta" and record["status"] == "accepted"
