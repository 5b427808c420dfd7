"""Shared views in a real browser: a deep link as the very first request of a fresh server, and
Clear filters on every page (both were broken while every AppTest passed)."""
from __future__ import annotations

import pytest
from browser_support import WAIT_MS, chromium, dashboard, wait_rendered

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = ["", "issues", "people", "tone_shifts", "articles", "corpus"]
NAV = ["Overview", "Issues", "People", "Tone shifts", "Search", "Sources", "Articles", "Corpus"]


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
        assert "Issue: Taiwan · Side: China" in page.locator(".js-plotly-plot").first.inner_text()
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
        assert page.get_by_role("textbox", name="From", exact=True).input_value() == "" == page.get_by_role("textbox", name="To", exact=True).input_value()
        # Clear with no filter active is harmless too.
        page.get_by_role("button", name="Clear filters").click()
        page.wait_for_timeout(1500)
        _no_exception(page)


@pytest.fixture(scope="module")
def shared_server(seed_store):
    with dashboard(seed_store) as url:
        yield url


def _settle(page) -> None:
    page.wait_for_timeout(600)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=WAIT_MS)
    page.wait_for_timeout(1500)


def _pick(page, label: str, option_index: int) -> None:
    """Choose the option_index-th option of the selectbox labelled `label` (a real click, as a user)."""
    page.locator("[data-testid='stMain']").get_by_role("combobox", name=label, exact=True).click()
    page.locator("[role='option']").nth(option_index).click()
    _settle(page)


def _choose(page, path: str) -> None:
    """Make a page-level choice on `path` the way a user would."""
    if path == "":
        page.locator("[data-testid='stButtonGroup'] button", has_text="Per 1,000 words").click()
    elif path == "issues":
        page.locator("[data-testid='stButtonGroup'] button", has_text="Sentences").first.click()
    elif path == "people":
        _pick(page, "Person", 1)
    elif path == "tone_shifts":
        _pick(page, "From visit", 1)
    elif path == "articles":
        page.get_by_role("tab", name="Original text").click()
    _settle(page)


def _main_shot(page, path) -> "Image":
    from PIL import Image

    page.locator("h1").first.click()  # no focus ring, no hover label
    page.mouse.move(2, 2)
    page.wait_for_timeout(500)
    page.locator("[data-testid='stMain']").screenshot(path=str(path))
    return Image.open(path).convert("RGB")


@pytest.mark.parametrize("path", PAGES)
def test_a_shared_link_reopens_the_same_view_in_a_new_browser(shared_server, tmp_path, path):
    from PIL import ImageChops

    with chromium(tmp_path / "a") as context:
        page = context.new_page()
        wait_rendered(page, f"{shared_server}/{path}?issue=taiwan&side=US")
        _choose(page, path)
        link = page.url
        charts = page.locator(".js-plotly-plot .main-svg").count()
        before = _main_shot(page, tmp_path / "before.png")
    if path not in ("corpus",):
        assert set(link.split("?")[1].split("&")) - {"issue=taiwan", "side=US"}, link  # the choice is in the link
    with chromium(tmp_path / "b") as context:
        page = context.new_page()
        wait_rendered(page, link, charts)
        _settle(page)
        assert page.url == link
        after = _main_shot(page, tmp_path / "after.png")
    assert before.size == after.size
    diff = ImageChops.difference(before, after).convert("L").point(lambda v: 255 if v > 40 else 0)
    changed = sum(diff.histogram()[255:]) / (diff.size[0] * diff.size[1])
    assert changed < 0.002, f"{changed:.2%} of the pixels differ ({link})"


def test_a_typed_date_applies_on_enter(shared_server, tmp_path):
    with chromium(tmp_path / "profile") as context:
        page = context.new_page()
        wait_rendered(page, f"{shared_server}/", 1)
        page.get_by_role("textbox", name="From", exact=True).fill("2024-01-01")
        page.get_by_role("textbox", name="From", exact=True).press("Enter")
        page.wait_for_url("**from=2024-01-01**", timeout=WAIT_MS)
        _settle(page)
        assert page.get_by_role("textbox", name="From", exact=True).input_value() == "2024-01-01"
        assert "Dates: 2024-01-01" in page.locator(".js-plotly-plot").first.inner_text()
        page.get_by_role("textbox", name="To", exact=True).fill("2024-0")
        page.get_by_role("textbox", name="To", exact=True).press("Enter")
        _settle(page)
        assert "is not a date" in page.locator("[data-testid='stSidebar']").inner_text()


CLICKABLE = {"": ["issue_frequency", "tone_trend", "visit_change"],
             "issues": ["issues_by_visit", "issues_by_article", "issue_cooccurrence"],
             "people": ["people", "person_cooccurrence"],
             "tone_shifts": ["tone_shift_by_issue", "tone_shift_by_side", "side_language_by_year", "side_words_by_year"],
             "sources": ["share_issues", "share_speakers"]}
# bars, points, and a heatmap's cells (each cell's invisible point: Streamlit reports no heatmap clicks)
MARKS = ".barlayer g.point path, .scatterlayer g.points path.point"


def _click_a_mark(page, name: str) -> None:
    chart = page.locator(f".st-key-click_{name}")
    chart.scroll_into_view_if_needed()
    drag = chart.locator(".nsewdrag").first
    assert drag.evaluate("e => getComputedStyle(e).cursor") == "pointer"
    for mark in chart.locator(MARKS).all():
        box = mark.bounding_box()
        if box and box["width"] > 2 and box["height"] > 2 and (mark.text_content() or "x").strip():
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            return
    raise AssertionError(f"no mark to click on {name}")


@pytest.mark.parametrize("path", list(CLICKABLE))
def test_clicking_a_mark_filters_and_its_chip_undoes_it(shared_server, tmp_path, path):
    with chromium(tmp_path / "profile") as context:
        page = context.new_page()
        for name in CLICKABLE[path]:
            wait_rendered(page, f"{shared_server}/{path}", 1)
            start = page.url
            _click_a_mark(page, name)
            page.wait_for_function(f"() => window.location.href !== {start!r}", timeout=WAIT_MS)
            _settle(page)
            _no_exception(page)
            added = page.url
            assert any(k in added for k in ("issue=", "person=", "side=", "visit=")), (name, added)
            chips = page.locator(f"[class*='st-key-chip_{name}_'] button")  # "Filtered by …: Taiwan ×"
            while chips.count():  # a heatmap cell adds two values (its row and its column): a chip each
                chip, before = chips.first, page.url
                assert chip.inner_text().strip().endswith("×"), name
                assert chip.is_visible(), name
                chip.click()
                page.wait_for_function(f"() => window.location.href !== {before!r}", timeout=WAIT_MS)
                _settle(page)
            assert page.url.split("?")[0] == start.split("?")[0] and "=" not in page.url.replace(start, ""), name


# Text the page cuts: an element that clips its text (ellipsis, or hidden overflow on one line) with
# more text than room and no title tooltip above it; a chart text with a word cut by "…" or running
# past the chart's edge.
CUT_TEXT_JS = """() => {
  const cut = [];
  const tipped = el => { for (let e = el; e && e !== document.body; e = e.parentElement) if (e.getAttribute('title')) return true; return false; };
  for (const el of document.querySelectorAll('[data-testid="stSidebar"] *, [data-testid="stMain"] *')) {
    if (el.closest('.js-plotly-plot') || !el.textContent.trim()) continue;
    const cs = getComputedStyle(el);
    const clips = cs.textOverflow === 'ellipsis' || (['hidden', 'clip'].includes(cs.overflowX) && cs.whiteSpace.startsWith('nowrap'));
    if (clips && el.scrollWidth > el.clientWidth + 1 && !tipped(el)) cut.push(el.textContent.trim().slice(0, 80));
  }
  for (const t of document.querySelectorAll('[data-testid="stTable"]')) {  // HTML tables: wrap, never scroll sideways
    const box = t.querySelector('table') && t.querySelector('table').parentElement;
    if (!t.offsetWidth || !box) continue;  // in a closed tab or expander
    if (box.scrollWidth > box.clientWidth + 1) cut.push('table wider than its box: ' + t.innerText.trim().slice(0, 60));
    for (const c of t.querySelectorAll('td > *, th > *'))  // a word too long for its cell scrolls inside it
      if (c.scrollWidth > c.clientWidth + 1) cut.push('table cell: ' + c.textContent.trim().slice(0, 80));
  }
  for (const g of document.querySelectorAll('[data-testid="stDataFrame"]'))  // canvas cells: cut text is not in the DOM
    if (g.offsetWidth) cut.push('a seed-sized table drawn on a canvas (its cells are cut unseen): ' + g.innerText.trim().slice(0, 60));
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    const box = plot.getBoundingClientRect();
    for (const t of plot.querySelectorAll('svg text')) {
      const r = t.getBoundingClientRect();
      if (t.textContent.trim() && r.width && (/\\w…/.test(t.textContent) || r.right > box.right + 1 || r.left < box.left - 1))
        cut.push('chart: ' + t.textContent.slice(0, 80));
    }
    const ticks = [...plot.querySelectorAll('.xtick text')].filter(t => !(t.getAttribute('transform') || '').includes('rotate'))
      .map(t => [t.textContent, t.getBoundingClientRect()]);
    for (let i = 1; i < ticks.length; i++)  // neighbouring level x labels written over each other
      if (ticks[i][1].width && ticks[i - 1][1].right > ticks[i][1].left + 2 && ticks[i - 1][1].bottom > ticks[i][1].top + 2
          && ticks[i][1].right > ticks[i - 1][1].left)
        cut.push('overlapping labels: ' + ticks[i - 1][0].slice(0, 40) + ' / ' + ticks[i][0].slice(0, 40));
  }
  return [...new Set(cut)];
}"""
OPEN_EXPANDERS = "() => document.querySelectorAll('[data-testid=\"stMain\"] details:not([open]) > summary').forEach(s => s.click())"
LONG_NAMES = "?visit=blinken-2024-04&visit=blinken-2023-06&person=Antony%20Blinken&outlet=The%20Christian%20Science%20Monitor"


@pytest.mark.parametrize("width", [1280, 1920])
def test_no_text_is_cut_on_any_page(shared_server, tmp_path, width):
    """Metric values ("30 Ap…", "Blinken in Shanghai and…"), chips, axis labels ("US-China relations end
    in s…"), the source line past the chart's edge, table cells ("Rosie Lev" on a canvas): whole, or
    with a tooltip, at 1,280 and 1,920 px."""
    from benchmarks.browser import chromium as wide_chromium

    with wide_chromium(tmp_path / "profile", viewport={"width": width, "height": 1000}) as context:
        page = context.new_page()
        cut = {}
        for path, charts in {"": 3, "issues": 3, "people": 3, "tone_shifts": 5, "search": 0, "sources": 3,
                             "articles": 0, "corpus": 0}.items():
            wait_rendered(page, f"{shared_server}/{path}{LONG_NAMES}", charts)  # drawn, so there is text to check
            page.wait_for_timeout(1500)  # charts lay out
            if page.evaluate(CUT_TEXT_JS):
                page.wait_for_timeout(3000)  # a chart still resizing to its column: look again once settled
            if found := page.evaluate(CUT_TEXT_JS):
                cut[path or "overview"] = found
        for path, charts in {"tone_shifts": 5, "issues": 3, "corpus": 0, "sources": 3, "articles": 0}.items():
            wait_rendered(page, f"{shared_server}/{path}", charts)  # unfiltered: every long issue name, every table
            page.evaluate(OPEN_EXPANDERS)
            if path == "articles":
                page.get_by_role("tab", name="Entities").click()  # every name of the first article: "Rosie Levine"
            page.wait_for_timeout(1500)
            if page.evaluate(CUT_TEXT_JS):
                page.wait_for_timeout(3000)
            if found := page.evaluate(CUT_TEXT_JS):
                cut[f"{path}, unfiltered"] = found
        assert not cut, cut
