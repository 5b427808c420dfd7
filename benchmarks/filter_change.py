"""Server-side time of a filter change, page by page: connection + every query + every figure.

benchmarks/queries.py times the aggregations alone; a user waits for more than that after a
click: the read-only connection the dashboard uses (core.store.attached), the queries, the plotly figures, and their serialisation into
the page (what st.plotly_chart does: to_dict, then JSON). This script times that whole chain for
each chart page (the charts and default choices of core.export.page_charts) over a seeded random
walk of filter changes (benchmarks.queries.filter_walk), and prints p50/p95 per page with a
breakdown of the median. No cache is involved: every filter set is new to the dashboard.

    .venv/bin/python -m benchmarks.filter_change --store STORE [--changes 20] [--seed 0]
"""
from __future__ import annotations

import argparse
import statistics
import time
from contextlib import contextmanager
from pathlib import Path

import plotly.io as pio

from benchmarks.queries import filter_walk
from core.store import queries as Q
from core.store.attached import attached_connection
from core.export import PAGES, catalogue_labels, make_context, page_charts
from core.filters import Filters


@contextmanager
def _timed_queries(sink: list[float]):
    """Route every core.store.queries function through a timer (for the query/figure split)."""
    names = [n for n in dir(Q) if not n.startswith("_") and callable(getattr(Q, n)) and getattr(Q, n).__module__ == Q.__name__]
    originals = {n: getattr(Q, n) for n in names}

    def wrap(fn):
        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                sink.append(time.perf_counter() - t0)
        return timed

    for n, fn in originals.items():
        setattr(Q, n, wrap(fn))
    try:
        yield
    finally:
        for n, fn in originals.items():
            setattr(Q, n, fn)


def page_once(store: Path, filters: Filters, page: str, labels) -> dict[str, float]:
    """Seconds for one page's server-side work: open, queries, figures, serialisation."""
    queries: list[float] = []
    t0 = time.perf_counter()
    with _timed_queries(queries):
        with attached_connection(store) as con:
            opened = time.perf_counter()
            ctx = make_context(con, filters, labels)
            figs = [fig for _, _, fig in page_charts(con, filters, ctx, page)]
    built = time.perf_counter()
    for fig in figs:
        pio.to_json(fig.to_dict(), validate=False)
    end = time.perf_counter()
    return {"total": end - t0, "open": opened - t0, "queries": sum(queries),
            "figures": built - opened - sum(queries), "serialise": end - built}


def measure(store: Path, changes: int = 20, seed: int = 0) -> dict[str, dict[str, float]]:
    """Per page: p50/p95 of the total and the median of each part, in ms."""
    labels = catalogue_labels()
    with attached_connection(store) as con:
        walk = filter_walk(Q.filter_options(con), changes, seed)
    for page in PAGES:  # warm-up: imports, plotly validators, DuckDB's file cache
        page_once(store, Filters(), page, labels)
    out = {}
    for page in PAGES:
        runs = [page_once(store, f, page, labels) for f in walk]
        totals = sorted(1000 * r["total"] for r in runs)
        out[page] = {"p50": statistics.median(totals), "p95": totals[min(len(totals) - 1, round(0.95 * (len(totals) - 1)))],
                     **{k: 1000 * statistics.median(r[k] for r in runs) for k in ("open", "queries", "figures", "serialise")}}
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--changes", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    with attached_connection(args.store) as con:
        n = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    print(f"{args.store} ({n} articles), {args.changes} filter changes; ms; parts are medians")
    print(f"{'page':<12}{'p50':>8}{'p95':>8}  {'open':>6}{'queries':>9}{'figures':>9}{'serialise':>11}")
    for page, r in measure(args.store, args.changes, args.seed).items():
        print(f"{page:<12}{r['p50']:>8.0f}{r['p95']:>8.0f}  {r['open']:>6.0f}{r['queries']:>9.0f}"
              f"{r['figures']:>9.0f}{r['serialise']:>11.0f}")


if __name__ == "__main__":
    main()
