"""The analyst's workbench in a real browser: search -> KWIC -> article with the match marked, a saved
search re-run from the sidebar. Screenshots go to artifacts/screenshots/ (workbench_*.png)."""
from __future__ import annotations

import re
import shutil

import pytest
from browser_support import WAIT_MS, chromium, dashboard, wait_rendered

from core.paths import PROJECT_ROOT as ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = ROOT / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def store(seed_store, tmp_path_factory):
    """A copy of the seed store (saved searches and corrections are written to it)."""
    path = tmp_path_factory.mktemp("workbench") / "store.duckdb"
    shutil.copy(seed_store, path)
    return path


@pytest.fixture(scope="module")
def server(store):
    with dashboard(store) as url:
        yield url


@pytest.fixture(scope="module")
def page(server, tmp_path_factory):
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as context:
        yield context.new_page()


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"workbench_{name}.png"), full_page=True)


def _idle(page) -> None:
    page.wait_for_timeout(400)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=WAIT_MS)
    page.wait_for_timeout(600)


def _search(page, text: str) -> None:
    box = page.locator("[data-testid='stSidebar'] input[aria-label='Search sentences']")
    box.fill(text)
    box.press("Enter")
    _idle(page)


def test_search_kwic_then_the_article_with_the_match_marked(page, server):
    wait_rendered(page, f"{server}/search")
    _search(page, '"export controls"')
    assert "q=%22export+controls%22" in page.url or "q=%22export%20controls%22" in page.url
    main = page.locator("[data-testid='stMain']")
    main.get_by_text("matching sentence").first.wait_for(timeout=WAIT_MS)
    assert page.locator("[data-testid='stException']").count() == 0
    grid = main.locator("[data-testid='stDataFrame']").first
    grid.wait_for(timeout=WAIT_MS)
    _shot(page, "search")
    # click the first line's row (the glide grid is a canvas: click by position inside it)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 12, box["y"] + 38 + 17)  # the row-selection cell of the first row
    page.wait_for_url("**/articles**", timeout=WAIT_MS)
    _idle(page)
    reader = page.locator(".dt-reader")
    reader.wait_for(timeout=WAIT_MS)
    marks = reader.locator("mark")
    assert marks.count() >= 1
    assert all(m.lower() == "export controls" for m in marks.all_inner_texts())
    focused = reader.locator("#dt-focus")
    assert focused.count() == 1 and "export controls" in focused.inner_text().lower()
    assert "The line you clicked" in main.inner_text()
    focused.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / "workbench_article_marked.png"))


def test_a_saved_search_is_rerun_from_the_sidebar(page, server):
    wait_rendered(page, f"{server}/search")
    _search(page, "sanction* -tariffs")
    main = page.locator("[data-testid='stMain']")
    main.get_by_text("matching sentence").first.wait_for(timeout=WAIT_MS)
    count_line = main.get_by_text("matching sentence").first.inner_text()
    main.locator("input[aria-label='Save this search as']").fill("Sanctions, not tariffs")
    main.get_by_role("button", name="Save search").click()
    _idle(page)
    assert "Saved “Sanctions, not tariffs”" in main.inner_text()
    _search(page, "taiwan")  # another search in force, then the saved one from the sidebar
    assert main.get_by_text("matching sentence").first.inner_text() != count_line
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_text("Saved searches (1)").click()
    sidebar.get_by_role("button", name="Sanctions, not tariffs").click()
    _idle(page)
    assert sidebar.locator("input[aria-label='Search sentences']").input_value() == "sanction* -tariffs"
    assert main.get_by_text("matching sentence").first.inner_text() == count_line
    assert "q=sanction%2A+-tariffs" in page.url or "sanction*" in page.url.replace("%2A", "*")
    _shot(page, "saved_search")


def _people_names(page, server) -> list[str]:
    """The category labels of the People page's charts (people on their axes)."""
    wait_rendered(page, f"{server}/people", 3)
    page.wait_for_function("""() => Array.from(document.querySelectorAll('.js-plotly-plot')).some(p =>
        ((p.layout && p.layout.title && p.layout.title.text) || '').includes('Who is mentioned'))""", timeout=WAIT_MS)
    return page.evaluate("""() => Array.from(document.querySelectorAll('.js-plotly-plot')).flatMap(p =>
        p.data.flatMap(t => [...(t.x || []), ...(t.y || [])].map(String)))""")


def _people_labels(page) -> list[str]:
    """The People chart's y-axis labels as drawn (after _people_names has opened the page)."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('.js-plotly-plot'))
        .filter(p => ((p.layout && p.layout.title && p.layout.title.text) || '').includes('Who is mentioned'))
        .flatMap(p => Array.from(p.querySelectorAll('.yaxislayer-above .ytick text')).map(t => t.textContent))""")


def _pick(page, label: str, text: str) -> None:
    """Choose `text` in the selectbox labelled `label` (typing it, then Enter)."""
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    box.fill(text)
    page.keyboard.press("Enter")
    _idle(page)


def _saved(page, articles: str) -> None:
    """Wait for the correction's message and check it is the success line for `articles` (a regular
    expression of the count); an error shows its text."""
    main = page.locator("[data-testid='stMain']")
    main.locator("[data-testid='stAlert']").first.wait_for(timeout=WAIT_MS)
    texts = main.locator("[data-testid='stAlert']").all_inner_texts()
    assert re.search(rf"Saved; {articles} articles updated in every chart\.", " ".join(texts)), texts


def test_a_correction_changes_the_people_chart_survives_a_build_and_is_undone(page, server, store, tmp_path):
    from core.build import build
    from core.paths import seeds_dir
    from core.store.db import read_connection

    with read_connection(store) as con:
        title, date = con.execute("""SELECT a.title, a.pub_date FROM persons p JOIN articles a USING (article_id)
                                     WHERE p.canonical = 'Shen Dingli' ORDER BY p.mentions DESC LIMIT 1""").fetchone()
    assert "Shen Dingli" in _people_names(page, server)
    wait_rendered(page, f"{server}/articles")
    _pick(page, "Article", title)
    main = page.locator("[data-testid='stMain']")
    main.get_by_text("Correct this article").click()
    _pick(page, "Person in this article", "Shen Dingli")
    _pick(page, "New name (pick a known person to merge, or type a new name)", "Professor Shen")
    main.get_by_role("button", name="Rename / merge").click()
    _idle(page)
    _saved(page, "2")  # Shen Dingli appears in two articles
    _shot(page, "correction_made")
    names = _people_names(page, server)
    assert "Professor Shen" in names and "Shen Dingli" not in names
    labels = _people_labels(page)
    assert "Professor Shen ✎" in labels and "Xi Jinping" in labels, labels  # marked as corrected, others not
    _shot(page, "people_corrected")

    seeds = tmp_path / "seeds"  # a catalogue edit: every article is extracted again
    shutil.copytree(seeds_dir(), seeds)
    actors = seeds / "actors.csv"
    actors.write_text(actors.read_text(encoding="utf-8") + "Test Person,,Other,person,\n", encoding="utf-8")
    report = build(None, store, seeds=seeds, progress=False)
    assert report.extracted and not report.errors
    names = _people_names(page, server)
    assert "Professor Shen" in names and "Shen Dingli" not in names

    wait_rendered(page, f"{server}/articles")
    _pick(page, "Article", title)
    main.get_by_text("Correct this article").click()
    main.get_by_role("tab", name="Log and undo").click()
    assert "person (every article): Shen Dingli → Professor Shen" in main.inner_text()
    main.get_by_role("button", name="Undo").first.click()
    _idle(page)
    _saved(page, "2")  # the undo restores the two articles the merge changed, not every corrected one
    names = _people_names(page, server)
    assert "Shen Dingli" in names and "Professor Shen" not in names
    assert not any("✎" in label for label in _people_labels(page))
