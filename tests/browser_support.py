"""pytest's side of the real-browser tests: the dashboard server and Chromium of
benchmarks.browser, skipped where Debian's chromium is absent and failing with the server log."""
from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from benchmarks.browser import CHROMIUM, start_dashboard, stop, wait_healthy
from benchmarks.browser import chromium as _chromium

WAIT_MS = 120_000  # generous: a busy 2-core machine can take a while for a Streamlit run


@contextmanager
def dashboard(store: Path, timeout: float = 60.0):
    """The dashboard on a free 127.0.0.1 port against `store`; yields its URL, stops it after."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    log = store.with_name(store.name + ".streamlit.log")
    proc, url = start_dashboard(store, log)
    try:
        try:
            wait_healthy(url, proc, time.monotonic() + timeout)
        except (RuntimeError, TimeoutError) as exc:
            pytest.fail(f"the dashboard did not start ({exc}):\n{log.read_text(errors='replace')[-3000:]}")
        yield url
    finally:
        stop(proc)


@contextmanager
def chromium(profile: Path):
    with _chromium(profile, viewport={"width": 1400, "height": 1000}) as context:
        yield context


def wait_rendered(page, url: str, min_charts: int = 0) -> None:
    """Open `url` and wait until Streamlit has finished the run (and drawn min_charts plotly charts)."""
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("[data-testid='stSidebar']", timeout=WAIT_MS)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=WAIT_MS)
    if min_charts:
        page.wait_for_function(
            f"() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= {min_charts}", timeout=WAIT_MS)
    page.wait_for_timeout(800)
