"""`diplotone serve` is the dashboard's process: stopping it stops Streamlit (it left it running)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from benchmarks.browser import free_port, wait_healthy
from core.paths import PROJECT_ROOT

pytestmark = pytest.mark.slow


def test_stopping_serve_stops_the_dashboard(seed_store, tmp_path):
    port = free_port()
    with open(tmp_path / "serve.log", "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "core.cli", "--store", str(seed_store), "serve",
                                 "--server.port", str(port), "--server.address", "127.0.0.1"],
                                cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc, time.monotonic() + 90)
        proc.send_signal(signal.SIGTERM)  # to serve's own PID, as a user's `kill` or a supervisor does
        proc.wait(timeout=20)
        with pytest.raises(OSError):
            import urllib.request
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
