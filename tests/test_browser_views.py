"""Shared views in a real browser: a deep link as the very first request of a fresh server, and
Clear filters on every page (both were broken while every AppTest passed)."""
from __future__ import annotations

import pytest
from browser_support import WAIT_MS, chromium, dashboard, wait_rendered

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = ["", "issues", "people", "tone_shifts", "articles", "corpus"]
NAV = ["Overview", "Issues", "People", "Tone shifts", "Articles", "Corpus"]


def _no_exception(page) -> None:
    errors = page.locator("[data-testid='stException']")
    assert errors.count() == 0, errors.first.inner_text()


def test_a_deep_link_with_filters_works_as_the_first_request_of_a_fresh_server(seed_store, tmp_path):
    with dashboard(seed_store) as url, chromium(tmp_path / "profile") as context:
        page = context.new_page()
        wait_rendered(page, f"{url}/people?issue=taiwan&side=China", 3)
        _no_exception(page)
        links = page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()
        assert [text.split("\n")[-1].strip() for text in links] == NAV  # (the first line is the icon's name)
        assert "People" in page.locator("h1").first.inner_text()
        assert "Issue: Taiwan · Side: China" in page.locator(".js-plotly-plot").first.inner_text() or \
            "Issue: taiwan · Side: China" in page.locator(".js-plotly-plot").first.inner_text()
        assert "issue=taiwan" in page.url and "side=China" in page.url


@pytest.mark.parametrize("path", PAGES)
def test_clear_filters_empties_every_filter_on_every_page(seed_store, tmp_path, path, request):
    server = request.getfixturevalue("shared_server")
    with chromium(tmp_path / "profile") as context:
        page = context.new_page()
        wait_rendered(page, f"{server}/{path}?issue=taiwan&side=China&from=2023-01-01")
        _no_exception(page)
        page.get_by_role("button", name="Clear filters").click()
        page.wait_for_function("() => !window.location.search", timeout=WAIT_MS)
        page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=WAIT_MS)
        page.wait_for_timeout(800)
        _no_exception(page)
        sidebar = page.locator("[data-testid='stSidebar']")
        assert "Taiwan" not in sidebar.inner_text() and "China" not in sidebar.inner_text().replace(
            "US–China", "")
        assert page.locator("[data-testid='stSidebar'] [data-testid='stDateInput'] input[type=date]").first.input_value() == ""
        # Clear with no filter active is harmless too.
        page.get_by_role("button", name="Clear filters").click()
        page.wait_for_timeout(1500)
        _no_exception(page)


@pytest.fixture(scope="module")
def shared_server(seed_store):
    with dashboard(seed_store) as url:
        yield url
