"""Issue 14, exposure: the dashboard binds to this machine only and the product makes no outbound request."""
from __future__ import annotations

import subprocess
import sys
from urllib.parse import urlparse

import pytest

from core.paths import PROJECT_ROOT


def test_streamlit_reads_a_loopback_address_from_the_project_config():
    """`streamlit run dashboard.py` (and `diplotone serve`) listened on every interface with no login."""
    script = ("from streamlit import config; config.get_config_options(force_reparse=True); "
              "print(config.get_option('server.address'))")
    out = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "127.0.0.1", out.stderr


@pytest.mark.slow
@pytest.mark.browser
def test_the_dashboard_fetches_nothing_from_outside_the_machine(seed_store, tmp_path):
    """The page icon came from a font CDN (fonts.gstatic.com); every request now stays on 127.0.0.1."""
    from browser_support import chromium, dashboard, wait_rendered

    with dashboard(seed_store) as url, chromium(tmp_path / "profile") as context:
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        wait_rendered(page, url, 3)
        icon = page.evaluate("() => [...document.querySelectorAll('link[rel~=icon]')].map(l => l.href)")
    outside = [u for u in requests + icon if urlparse(u).scheme in ("http", "https", "ws", "wss")
               and urlparse(u).hostname not in ("127.0.0.1", "localhost")]
    assert icon and outside == [], outside
