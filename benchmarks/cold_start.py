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
import tempfile
import time
from pathlib import Path

from benchmarks.browser import chromium, start_dashboard, stop, wait_healthy

FIRST_CHART = ".js-plotly-plot svg.main-svg"


def time_to_first_chart(context, store: Path, log: Path, timeout_s: float) -> dict:
    """One start of the dashboard against `store`; seconds to healthy server and to first chart."""
    page = context.new_page()
    start = time.monotonic()
    proc, url = start_dashboard(store, log)
    try:
        wait_healthy(url, proc, start + timeout_s)
        healthy = time.monotonic() - start
        page.goto(url + "/", wait_until="commit")
        remaining_ms = max(1.0, start + timeout_s - time.monotonic()) * 1000
        page.wait_for_selector(FIRST_CHART, state="attached", timeout=remaining_ms)
        first_chart = time.monotonic() - start
    except Exception as exc:
        tail = log.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"cold start failed ({exc}); streamlit log:\n{tail}") from None
    finally:
        page.close()
        stop(proc)
    return {"server_ready_s": round(healthy, 2), "first_chart_s": round(first_chart, 2)}


def run(timeout_s: float = 300.0) -> dict:
    with tempfile.TemporaryDirectory(prefix="diplotone-cold-") as tmp_name:
        tmp = Path(tmp_name)
        store = tmp / "store.duckdb"
        with chromium(tmp / "chromium-profile") as context:
            empty = time_to_first_chart(context, store, tmp / "empty.log", timeout_s)
            built = time_to_first_chart(context, store, tmp / "built.log", timeout_s)
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
