"""The dashboard in a real browser: a Streamlit server on 127.0.0.1 and Debian's headless Chromium
through Playwright. Shared by the cold-start benchmark and the browser tests; everything started
here is stopped here.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from core.paths import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_dashboard(store: Path, log: Path, script: Path | None = None) -> tuple[subprocess.Popen, str]:
    """`streamlit run dashboard.py` (or `script`) against `store` on a free port, output to `log` (a
    file, not a pipe nobody reads, which would block the server once full). Returns the process and its URL."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(script or PROJECT_ROOT / "dashboard.py"), "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"]
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env={**os.environ, "DIPLOTONE_STORE": str(store)},
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    return proc, f"http://127.0.0.1:{port}"


def wait_healthy(url: str, proc: subprocess.Popen, deadline: float) -> None:
    """Return once Streamlit answers its health check; raise if it exits or the deadline passes."""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError("streamlit did not answer its health check in time")


def stop(proc: subprocess.Popen) -> None:
    """Stop the streamlit process group start_dashboard started (it has its own session)."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@contextmanager
def chromium(profile: Path, **options):
    """A Chromium context with a fresh profile (Playwright passes it as --user-data-dir)."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True,
                                                        args=CHROMIUM_ARGS, **options)
        try:
            yield context
        finally:
            context.close()
