"""The dashboard in a real browser: Debian's headless Chromium driven by Playwright.

Starts `streamlit run dashboard.py` on 127.0.0.1 (a free port) against the seed store, opens
every page, checks that each chart rendered (plotly's SVG in the DOM) and that no exception is
shown, applies a filter through a URL, and saves screenshots to artifacts/screenshots/.
The test stops the server and the browser it started.
"""
from __future__ import annotations

import pytest
from browser_support import WAIT_MS, chromium, dashboard, wait_rendered

from core.paths import PROJECT_ROOT as ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = ROOT / "artifacts" / "screenshots"
PAGES = {"overview": "", "issues": "issues", "people": "people", "tone_shifts": "tone_shifts",
         "articles": "articles", "corpus": "corpus"}


@pytest.fixture(scope="module")
def server(seed_store):
    with dashboard(seed_store) as url:
        yield url


@pytest.fixture(scope="module")
def page(server, tmp_path_factory):
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as context:
        page = context.new_page()
        page.console_lines = []
        page.on("console", lambda message: page.console_lines.append(message.text))
        yield page


def _full_page_shot(page, name: str) -> None:
    """A screenshot of the whole page. Streamlit scrolls inside its main container, so Playwright's
    full_page alone captures only the window: the viewport is stretched to the content first."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight")
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height + 150)})
    page.wait_for_timeout(800)  # charts re-lay out to the new size
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.set_viewport_size(size)


@pytest.mark.parametrize("name,min_charts", [("overview", 3), ("issues", 3), ("people", 3), ("tone_shifts", 5),
                                             ("articles", 0), ("corpus", 0)])
def test_every_page_renders(page, server, name, min_charts):
    wait_rendered(page, f"{server}/{PAGES[name]}", min_charts)
    assert page.locator("[data-testid='stException']").count() == 0
    # plotly.js logged this once per bar of the Articles page's tone chart (numeric bar colours)
    assert not [line for line in page.console_lines if "Invalid color specifier" in line], name
    charts = page.locator(".js-plotly-plot")
    for i in range(charts.count()):
        assert charts.nth(i).locator("svg.main-svg").count() > 0
    _full_page_shot(page, name)


def test_filter_from_url(page, server):
    wait_rendered(page, f"{server}/issues?issue=taiwan&side=China&visit=no-such-visit", 3)
    assert page.locator("[data-testid='stException']").count() == 0
    sidebar = page.locator("[data-testid='stSidebar']")
    assert "Taiwan" in sidebar.inner_text()
    assert "no-such-visit" in page.locator("[data-testid='stAlert']").first.inner_text()
    assert "Issue: Taiwan" in page.locator(".js-plotly-plot").first.inner_text()
    _full_page_shot(page, "issues_filtered_by_url")
    # A page change through the sidebar keeps the filters, in the view and in the URL.
    page.locator("[data-testid='stSidebarNav'] a", has_text="People").click()
    page.wait_for_url("**/people?**", timeout=30_000)
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3", timeout=WAIT_MS)
    page.wait_for_timeout(1500)
    assert "issue=taiwan" in page.url and "side=China" in page.url
    assert "Issue: Taiwan · Side: China" in page.locator(".js-plotly-plot").first.inner_text()
