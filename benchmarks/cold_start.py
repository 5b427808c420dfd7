"""Cold start: seconds from `streamlit run dashboard.py` to the first chart drawn in a browser.

Measured twice on the seed corpus with a fresh store path: first with an empty store (the
dashboard builds the seeds on first start, with its progress bar), then again with the store that
first start built. The browser (headless Chromium driven by Playwright) is started before the
clock, as a user's browser already runs; the clock stops when the first Plotly chart's SVG is in
the page. Streamlit listens on 127.0.0.1 on a free port; server and browser are stopped after.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from core.paths import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FIRST_CHART = ".js-plotly-plot svg.main-svg"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(port: int, proc: subprocess.Popen, deadline: float) -> None:
    url = f"http://127.0.0.1:{port}/_stcore/health"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError("streamlit did not answer its health check in time")


def _stop(proc: subprocess.Popen) -> None:
    """Stop the streamlit process group this module started (it was given its own session)."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def time_to_first_chart(context, store: Path, log: Path, timeout_s: float) -> dict:
    """One start of the dashboard against `store`; seconds to healthy server and to first chart."""
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"]
    env = {**os.environ, "DIPLOTONE_STORE": str(store)}
    page = context.new_page()
    with open(log, "w") as out:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            _wait_healthy(port, proc, start + timeout_s)
            healthy = time.monotonic() - start
            page.goto(f"http://127.0.0.1:{port}/", wait_until="commit")
            remaining_ms = max(1.0, start + timeout_s - time.monotonic()) * 1000
            page.wait_for_selector(FIRST_CHART, state="attached", timeout=remaining_ms)
            first_chart = time.monotonic() - start
        except Exception as exc:
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"cold start failed ({exc}); streamlit log:\n{tail}") from None
        finally:
            page.close()
            _stop(proc)
    return {"server_ready_s": round(healthy, 2), "first_chart_s": round(first_chart, 2)}


def run(timeout_s: float = 300.0) -> dict:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="diplotone-cold-") as tmp_name:
        tmp = Path(tmp_name)
        store = tmp / "store.duckdb"
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                tmp / "chromium-profile", executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                empty = time_to_first_chart(context, store, tmp / "empty.log", timeout_s)
                built = time_to_first_chart(context, store, tmp / "built.log", timeout_s)
            finally:
                context.close()
    print(f"cold start, empty store (builds the seeds): first chart after {empty['first_chart_s']:.1f} s", flush=True)
    print(f"cold start, built store: first chart after {built['first_chart_s']:.1f} s "
          f"(server ready after {built['server_ready_s']:.1f} s; target <= 3 s)", flush=True)
    return {"empty_store": empty, "built_store": built}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds allowed per start")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.timeout), indent=2))


if __name__ == "__main__":
    main()
