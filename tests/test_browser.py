"""The dashboard in a real browser: Debian's headless Chromium driven by Playwright.

Starts `streamlit run dashboard.py` on 127.0.0.1 (a free port) against the seed store, opens
every page, checks that each chart rendered (plotly's SVG in the DOM) and that no exception is
shown, applies a filter through a URL, and saves screenshots to artifacts/screenshots/.
The test stops the server and the browser it started.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGES = {"overview": "", "issues": "issues", "people": "people", "tone_shifts": "tone_shifts",
         "articles": "articles", "corpus": "corpus"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(seed_store):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    port = _free_port()
    env = {**os.environ, "DIPLOTONE_STORE": str(seed_store)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=2)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(proc.stdout.read().decode(errors="replace"))
                time.sleep(0.5)
        else:
            pytest.fail("the dashboard did not start within 60 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def page(server, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        # A fresh profile: Playwright passes it to Chromium as --user-data-dir.
        context = pw.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True, args=ARGS,
                                                        viewport={"width": 1400, "height": 1000})
        try:
            yield context.new_page()
        finally:
            context.close()


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


def _open(page, url: str, min_charts: int):
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("[data-testid='stSidebar']", timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    if min_charts:
        page.wait_for_function(
            f"() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= {min_charts}", timeout=60_000)
    page.wait_for_timeout(800)


@pytest.mark.parametrize("name,min_charts", [("overview", 3), ("issues", 3), ("people", 3), ("tone_shifts", 5),
                                             ("articles", 0), ("corpus", 0)])
def test_every_page_renders(page, server, name, min_charts):
    _open(page, f"{server}/{PAGES[name]}", min_charts)
    assert page.locator("[data-testid='stException']").count() == 0
    charts = page.locator(".js-plotly-plot")
    for i in range(charts.count()):
        assert charts.nth(i).locator("svg.main-svg").count() > 0
    _full_page_shot(page, name)


def test_filter_from_url(page, server):
    _open(page, f"{server}/issues?issue=taiwan&side=China&visit=no-such-visit", 3)
    assert page.locator("[data-testid='stException']").count() == 0
    sidebar = page.locator("[data-testid='stSidebar']")
    assert "Taiwan" in sidebar.inner_text()
    assert "no-such-visit" in page.locator("[data-testid='stAlert']").first.inner_text()
    assert "Issue: taiwan" in page.locator(".js-plotly-plot").first.inner_text()
    _full_page_shot(page, "issues_filtered_by_url")
    # A page change through the sidebar keeps the filters, in the view and in the URL.
    page.locator("[data-testid='stSidebarNav'] a", has_text="People").click()
    page.wait_for_url("**/people?**", timeout=30_000)
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3", timeout=60_000)
    page.wait_for_timeout(1500)
    assert "issue=taiwan" in page.url and "side=China" in page.url
    assert "Issue: taiwan · Side: China" in page.locator(".js-plotly-plot").first.inner_text()
