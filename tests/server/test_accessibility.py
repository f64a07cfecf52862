"""Accessibility: axe-core finds no serious or critical violation on any page type.

axe-core comes from npm, pinned in package.json/package-lock.json at the repository root
and installed by ``make test`` (``npm ci``) into node_modules/. Each page type of
tests/server/conftest.py (PAGE_TYPES, plus one resource page of each main kind,
RESOURCE_KINDS) is opened in headless Chromium in German and in English; axe.min.js is
injected and ``axe.run`` checks the page with its default rules (WCAG 2.x A and AA, best
practices). A violation of impact ``serious`` or ``critical`` fails the test; the others
are printed for information (``pytest -s``).

Locally the test skips when Chromium or node_modules/axe-core is missing; in CI (``CI``
set) either is a failure, because .ci/run installs Chromium and ``make test`` axe-core.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import PAGE_TYPES, RESOURCE_KINDS
from tests.submissions.helpers import fixture, write
from tests.support.browser import chromium, require_chromium
from tests.support.server import ROOT, RunningServer

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")

#: Every page the test checks: name → path ({submission} is the session's submission).
PAGES: dict[str, str] = {
    **{kind: path for kind, (path, *_rest) in PAGE_TYPES.items()},
    "editor with results": "/sparql",
    "editor with an error": "/sparql",
    "submit with a report": "/submit",
    **{f"resource: {kind}": path for kind, path in RESOURCE_KINDS.items()},
}

#: What happens on a page before axe looks at it, as steps: ("file", field, fixture name)
#: picks a file of tests/data/submissions, ("click", element), ("wait", element shown),
#: ("script", JavaScript to run).
#: The editor draws YASGUI in script; its results and the submit page's report appear
#: only after a click.
STEPS: dict[str, tuple[tuple[str, ...], ...]] = {
    "editor": (("wait", "#yasgui .yasqe .CodeMirror"),),
    "editor with results": (
        ("click", ".yasqe_queryButton"),
        ("wait", ".yasr table tbody tr"),
    ),
    "editor with an error": (
        ("wait", "#yasgui .yasqe .CodeMirror"),
        ("script", "window.iqkgEditor.getTab().setQuery('SELECT * WHERE { ?s ?p }')"),
        ("click", ".yasqe_queryButton"),
        ("wait", ".yasr .query-error"),
    ),
    "submit with a report": (
        ("file", "#file", "shape-violations.ttl"),
        ("click", "#validate"),
        ("wait", "#report table.report tr.result"),
    ),
}
#: Run axe and hand its result, trimmed to what the test reports, back to selenium.
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]}).then(
  (result) => done(result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary}))
  }))),
  (error) => done({error: String(error)})
);
"""


def require_axe() -> str:
    if AXE.exists():
        return AXE.read_text(encoding="utf-8")
    message = f"{AXE.relative_to(ROOT)} is missing: run `npm ci` (make test does)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


class Browsers:
    """One Chromium per language, opened when a page first needs it, shared by the pages."""

    def __init__(self, stack: ExitStack) -> None:
        self._stack = stack
        self._open: dict[str, Any] = {}

    def __getitem__(self, lang: str) -> Any:
        if lang not in self._open:
            self._open[lang] = self._stack.enter_context(chromium(lang=lang))
        return self._open[lang]


@pytest.fixture(scope="module")
def browsers() -> Iterator[Browsers]:
    with ExitStack() as stack:
        yield Browsers(stack)


def violations_of(driver: Any, axe: str) -> list[dict[str, Any]]:
    driver.set_script_timeout(120)
    driver.execute_script(axe)
    found = driver.execute_async_script(RUN_AXE)
    assert not (isinstance(found, dict) and "error" in found), found
    return list(found)


def _describe(violation: dict[str, Any]) -> str:
    nodes = "\n".join(
        f"    {node['target']}: {node['summary']}".replace("\n", " ")
        for node in violation["nodes"][:8]
    )
    more = len(violation["nodes"]) - 8
    tail = f"\n    … and {more} more" if more > 0 else ""
    return f"  [{violation['impact']}] {violation['id']}: {violation['help']}\n{nodes}{tail}"


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_no_serious_or_critical_violation(
    server: RunningServer,
    submission_id: str,
    browsers: Browsers,
    tmp_path: Path,
    page: str,
    lang: str,
) -> None:
    require_chromium()
    axe = require_axe()
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browsers[lang]
    driver.get(server.url + PAGES[page].replace("{submission}", submission_id))
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
    for step in STEPS.get(page, ()):
        wait = WebDriverWait(driver, 60)
        match step:
            case ("wait", css):
                wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css)))
            case ("click", css):
                wait.until(expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, css)))
                driver.find_element(By.CSS_SELECTOR, css).click()
            case ("script", script):
                driver.execute_script(script)
            case ("file", css, name):
                path = write(tmp_path / name, fixture(name, "a11y-partner"))
                driver.find_element(By.CSS_SELECTOR, css).send_keys(str(path))
    found = violations_of(driver, axe)
    blocking = [v for v in found if v["impact"] in BLOCKING]
    others = [v for v in found if v["impact"] not in BLOCKING]
    if others:
        print(f"{page} ({lang}): minor or moderate, for information:")
        print("\n".join(_describe(v) for v in others))
    assert not blocking, f"{page} ({lang}):\n" + "\n".join(_describe(v) for v in blocking)
