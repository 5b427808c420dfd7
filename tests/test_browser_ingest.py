"""Ingest while the dashboard is open, in a real browser.

Two tabs keep working while `diplotone ingest` writes to the store they read, both show the new
articles once it has finished, and a hostile HTML page (script tags, onerror=, javascript: links,
and script markup in its visible text) is shown as text: no script ever runs (no dialog opens).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from browser_support import chromium, dashboard, wait_rendered

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HOSTILE = """<html><head><title>Xi meets Blinken <b>in Beijing</b></title>
<script>alert('head')</script></head><body><article><h1>Xi meets Blinken in Beijing</h1>
<p>BEIJING, June 19 (Reuters) - Chinese President Xi Jinping told U.S. Secretary of State Antony
Blinken on Monday that the two sides had made progress, in talks both called candid.
<img src="x" onerror="alert('img')"> <a href="javascript:alert('link')">Read more</a></p>
<p>A protester's sign outside the hotel read &lt;script&gt;alert('sign')&lt;/script&gt; in red letters.</p>
<p>"China respects the interests of the United States," Xi said, urging Washington to lift sanctions.</p>
</article></body></html>"""

PLAIN = """Kerry and Xie hold climate talks in Beijing

BEIJING, July 18 (Reuters) - U.S. climate envoy John Kerry met China's Xie Zhenhua on Tuesday for
talks on methane and coal, the first climate dialogue between the two sides in nearly a year.
"We need to make progress," Kerry said.
"""


def _article_count(page) -> int:
    return int(page.locator("[data-testid='stMetricValue']").first.inner_text().strip())


def test_tabs_keep_working_during_ingest_and_no_script_runs(seed_store, tmp_path):
    store = tmp_path / "store.duckdb"
    shutil.copy(seed_store, store)
    folder = tmp_path / "new"
    folder.mkdir()
    (folder / "hostile.html").write_text(HOSTILE, encoding="utf-8")
    (folder / "kerry.txt").write_text(PLAIN, encoding="utf-8")
    dialogs: list[str] = []

    with dashboard(store) as url, chromium(tmp_path / "profile") as context:
        tabs = [context.new_page(), context.new_page()]
        for tab in tabs:
            tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        wait_rendered(tabs[0], url, min_charts=1)
        wait_rendered(tabs[1], url + "/issues", min_charts=1)
        assert _article_count(tabs[0]) == 5

        cli = Path(sys.executable).parent / "diplotone"
        ingest = subprocess.Popen([str(cli), "--store", str(store), "ingest", str(folder)],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  env={**os.environ, "DIPLOTONE_STORE": str(store)})
        try:
            reloads = 0
            while ingest.poll() is None and reloads < 20:  # the tabs are used while the ingest runs
                tab = tabs[reloads % 2]
                wait_rendered(tab, url + ("/people" if reloads % 2 else "/tone_shifts"))
                assert tab.locator("[data-testid='stException']").count() == 0
                reloads += 1
            output = ingest.communicate(timeout=300)[0].decode(errors="replace")
        finally:
            if ingest.poll() is None:
                ingest.kill()
        assert ingest.returncode == 0, output
        assert reloads >= 1, "the ingest finished before a tab could be used during it"

        for tab in tabs:
            wait_rendered(tab, url, min_charts=1)
            assert _article_count(tab) == 7

        reader = tabs[1]
        wait_rendered(reader, url + "/articles?outlet=Reuters&from=2023-06-19&to=2023-06-19")
        main = reader.locator("[data-testid='stMainBlockContainer']")
        assert "Xi meets Blinken" in main.inner_text()
        reader.get_by_role("tab", name=re.compile("Original text")).click()
        reader.wait_for_timeout(500)
        # The raw lines are shown as text: script markup in the article is visible, not run.
        assert "<script>alert('sign')</script>" in main.inner_text()
        assert reader.locator("main script, main img[onerror], main a[href^='javascript:']").count() == 0
        time.sleep(1)
    assert dialogs == []
