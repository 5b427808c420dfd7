"""Cold start: seconds from `streamlit run dashboard.py` to the first chart drawn in a browser.

On the seed corpus with a fresh store path: first with an empty store (the dashboard builds the
seeds on first start, with its progress bar), then `repeats` starts with the store that first
start built, each beside a start of benchmarks/bare_app.py (a bare Streamlit app drawing one
Plotly chart: same server, browser and plotly.js) for the ratio; medians are reported. The
browser (headless Chromium driven by Playwright) is started before the clock, as a user's browser
already runs; the clock stops when the first Plotly chart's SVG is in the page. Streamlit listens
on 127.0.0.1 on a free port; server and browser are stopped after.

Phases, from a fresh Python process each (phases()): `import streamlit`; the dashboard's own
imports on top (core, pandas, plotly, DuckDB); the first page's first queries on the built store.
What the first chart costs beyond the server's readiness and these is the script run's rendering,
the browser's bundle and plotly.js.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.browser import chromium, start_dashboard, stop, wait_healthy
from core.paths import PROJECT_ROOT

FIRST_CHART = ".js-plotly-plot svg.main-svg"


BARE_APP = Path(__file__).resolve().parent / "bare_app.py"
PHASES = """
import json, sys, time
t0 = time.perf_counter()
import streamlit
t1 = time.perf_counter()
import pages.common, core.figures
from core.store import queries as Q
from core.store.attached import attached_connection
from core.filters import Filters
t2 = time.perf_counter()
with attached_connection(sys.argv[1]) as con:
    Q.filter_options(con); Q.corpus_summary(con, Filters()); Q.issue_frequency(con, Filters())
t3 = time.perf_counter()
print(json.dumps({"import_streamlit_s": t1 - t0, "dashboard_imports_s": t2 - t1, "first_queries_s": t3 - t2}))
"""


def phases(store: Path) -> dict:
    """Seconds of the start path's Python phases, each measured in a fresh interpreter."""
    out = subprocess.run([sys.executable, "-c", PHASES, str(store)], capture_output=True, text=True,
                         cwd=PROJECT_ROOT, check=True, timeout=300)
    return {k: round(v, 2) for k, v in json.loads(out.stdout.strip().splitlines()[-1]).items()}


def time_to_first_chart(context, store: Path, log: Path, timeout_s: float, script: Path | None = None) -> dict:
    """One start of the dashboard (or `script`) against `store`; seconds to healthy server and to first chart."""
    page = context.new_page()
    start = time.monotonic()
    proc, url = start_dashboard(store, log, script)
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


def _median(runs: list[dict]) -> dict:
    return {key: round(statistics.median(r[key] for r in runs), 2) for key in runs[0]}


def run(timeout_s: float = 300.0, repeats: int = 5) -> dict:
    with tempfile.TemporaryDirectory(prefix="diplotone-cold-") as tmp_name:
        tmp = Path(tmp_name)
        store = tmp / "store.duckdb"
        with chromium(tmp / "chromium-profile") as context:
            empty = time_to_first_chart(context, store, tmp / "empty.log", timeout_s)
            built, bare = [], []
            for _ in range(repeats):  # interleaved, so the machine's load hits both alike
                bare.append(time_to_first_chart(context, store, tmp / "bare.log", timeout_s, BARE_APP))
                built.append(time_to_first_chart(context, store, tmp / "built.log", timeout_s))
        phase = phases(store)
    out = {"empty_store": empty, "built_store": _median(built), "bare_app": _median(bare), "repeats": repeats,
           "built_store_runs": built, "bare_app_runs": bare, "phases": phase}
    out["ratio_to_bare"] = round(out["built_store"]["first_chart_s"] / out["bare_app"]["first_chart_s"], 2)
    print(f"cold start, empty store (builds the seeds): first chart after {empty['first_chart_s']:.1f} s "
          f"(target <= 10 s)", flush=True)
    print(f"cold start, built store: first chart after {out['built_store']['first_chart_s']:.1f} s, median of "
          f"{repeats} (server ready after {out['built_store']['server_ready_s']:.1f} s; target <= 3 s); bare "
          f"Streamlit app with one chart {out['bare_app']['first_chart_s']:.1f} s; ratio {out['ratio_to_bare']:.2f}",
          flush=True)
    print("start phases, fresh interpreter: " + ", ".join(f"{k} {v:.2f}" for k, v in phase.items()), flush=True)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds allowed per start")
    parser.add_argument("--repeats", type=int, default=5, help="starts with the built store (and of the bare app)")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.timeout, args.repeats), indent=2))


if __name__ == "__main__":
    main()
