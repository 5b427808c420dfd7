"""Dashboard query latency and memory: each page's aggregations after a filter change, per store size.

A filter change re-runs every aggregation of the page on screen, so a page's server-side time is
the sum of its core.store.queries calls plus attaching the store read-only as the pages do on a cache
miss (core.store.attached). Which calls a page makes is read from its source (the pages dashboard.py routes to),
so the benchmark follows the pages as they change; arguments a page takes from widgets get the
first and last visit, the most-mentioned person, or the parameter's default. The filter changes are a seeded random walk over the
store's own values (set or clear an issue, person, side, visit, outlet or date range), like a user
clicking through the sidebar. Each store size runs in a fresh process that also imports Streamlit
and Plotly, as the dashboard process does, so its peak RSS stands for the dashboard's (figures
and Streamlit's result cache not included).
"""
from __future__ import annotations

import argparse
import ast
import datetime as dt
import inspect
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from core.store import queries
from core.filters import Filters
from core.paths import PROJECT_ROOT
from core.store.attached import attached_connection

DIMENSIONS = ("issue", "person", "side", "visit", "outlet", "dates", "clear")


def filter_functions() -> dict[str, callable]:
    """core.store.queries functions a filter change re-runs: (con, f: Filters, ...) -> DataFrame."""
    out = {}
    for name, fn in inspect.getmembers(queries, inspect.isfunction):
        params = list(inspect.signature(fn).parameters.values())
        if (not name.startswith("_") and fn.__module__ == queries.__name__ and len(params) >= 2
                and params[1].annotation in ("Filters", Filters)):
            out[name] = fn
    return out


_VAR = object()  # an argument the page computes at run time (a widget's value)


def _query_calls(source: str, known: set[str]) -> list[tuple[str, list]]:
    """The core.store.queries calls a page makes: ("name", arg, ...) tuples as pages pass them to
    pages.common.fetch, and direct queries.name(con, f, ...) calls. Constant arguments are kept,
    others become _VAR."""
    calls = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Tuple) and node.elts and isinstance(node.elts[0], ast.Constant)
                and node.elts[0].value in known):
            args = node.elts[1:]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in known
              and isinstance(node.func.value, ast.Name) and node.func.value.id in ("queries", "Q")):
            args = node.args[2:]
        else:
            continue
        name = node.elts[0].value if isinstance(node, ast.Tuple) else node.func.attr
        calls.append((name, [a.value if isinstance(a, ast.Constant) else _VAR for a in args]))
    return calls


def _page_files(root: Path) -> list[Path]:
    """The pages dashboard.py routes to (st.Page("pages/x.py", ...)), else every pages/*.py."""
    entry = root / "dashboard.py"
    paths = []
    if entry.exists():
        for node in ast.walk(ast.parse(entry.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Page"
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                paths.append(root / node.args[0].value)
    return [p for p in paths if p.exists()] or sorted((root / "pages").glob("*.py"))


def page_queries(root: Path = PROJECT_ROOT) -> dict[str, list[tuple[str, list]]]:
    """Page name -> the filter-dependent query calls it makes; one 'all charts' group if none is found."""
    known = set(filter_functions())
    pages = {}
    for path in _page_files(root):
        calls = _query_calls(path.read_text(encoding="utf-8"), known)
        if calls:
            pages[path.stem] = calls
    return pages or {"all charts": [(name, []) for name in sorted(known)]}


def _context(con) -> dict:
    """Values for the extra arguments some queries take (the two visits compared, a person)."""
    opts = queries.filter_options(con)
    visits = queries.visit_order(con, Filters())["visit"].tolist()
    return {"options": opts, "person": (opts["person"] or [None])[0],
            "visit_a": visits[0] if visits else "other", "visit_b": visits[-1] if visits else "other"}


def _call(fn, con, f: Filters, ctx: dict, args: list):
    """Call fn as the page does: its constant arguments, and for the others a value from ctx
    (the visits compared, a person) or the parameter's default."""
    params = list(inspect.signature(fn).parameters.values())[2:]
    kwargs = {}
    for i, p in enumerate(params):
        given = args[i] if i < len(args) else _VAR
        if given is not _VAR:
            kwargs[p.name] = given
        elif p.name in ctx:
            kwargs[p.name] = ctx[p.name]
        elif p.default is inspect.Parameter.empty:
            raise ValueError(f"no value for {fn.__name__}({p.name})")
        elif i < len(args):
            kwargs[p.name] = p.default
    return fn(con, f, **kwargs)


def filter_walk(options: dict, steps: int, seed: int = 0) -> list[Filters]:
    """A reproducible sequence of filter states, each one click away from the previous."""
    from core.catalogs import ISSUE_IDS, VISIT_IDS  # noqa: PLC0415
    from core.model import SIDES  # noqa: PLC0415

    rng = random.Random(seed)
    pick = {
        "issue": lambda: {"issues": (rng.choice(ISSUE_IDS),)},
        "person": lambda: {"persons": (rng.choice(options["person"][:30]),)} if options["person"] else {},
        "side": lambda: {"sides": (rng.choice(SIDES),)},
        "visit": lambda: {"visits": tuple(rng.sample(VISIT_IDS, 2))},
        "outlet": lambda: {"outlets": (rng.choice(options["outlet"]),)} if options["outlet"] else {},
        "dates": lambda: _date_range(rng, options),
    }
    f, walk = Filters(), []
    for _ in range(steps):
        dim = rng.choice(DIMENSIONS)
        f = Filters() if dim == "clear" else f.replace(**pick[dim]())
        walk.append(f)
    return walk


def _date_range(rng: random.Random, options: dict) -> dict:
    lo, hi = options["date_min"], options["date_max"]
    if not lo or not hi or lo >= hi:
        return {}
    span = (hi - lo).days
    start = lo + dt.timedelta(days=rng.randrange(span))
    return {"date_from": start, "date_to": min(hi, start + dt.timedelta(days=rng.randint(30, 240)))}


def measure(store: Path, changes: int = 20, seed: int = 0) -> dict:
    """Per page: server-side ms (attach + its queries) over `changes` random filter changes."""
    pages = page_queries()
    fns = filter_functions()
    with attached_connection(store) as con:
        ctx = _context(con)
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        for calls in pages.values():  # first render of every page, before any filter change
            for name, args in calls:
                _call(fns[name], con, Filters(), ctx, args)
    times: dict[str, list[float]] = {page: [] for page in pages}
    per_query: dict[str, list[float]] = {}
    for f in filter_walk(ctx["options"], changes, seed):
        for page, calls in pages.items():
            start = time.perf_counter()
            with attached_connection(store) as con:
                for name, args in calls:
                    q0 = time.perf_counter()
                    _call(fns[name], con, f, ctx, args)
                    per_query.setdefault(name, []).append(time.perf_counter() - q0)
            times[page].append(time.perf_counter() - start)
    return {
        "store": str(store), "articles": articles, "changes": changes,
        "pages": {page: {"queries": [name for name, _ in pages[page]], **_stats(ts)} for page, ts in times.items()},
        "slowest_queries_p95_ms": dict(sorted(((n, _stats(ts)["p95_ms"]) for n, ts in per_query.items()),
                                              key=lambda kv: -kv[1])[:5]),
    }


def _stats(seconds: list[float]) -> dict:
    ms = sorted(1000 * s for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return {"p50_ms": round(statistics.median(ms), 1), "p95_ms": round(p95, 1), "max_ms": round(ms[-1], 1)}


def peak_rss_mb() -> int:
    """This process's peak resident memory in MiB.

    Linux: VmHWM, which starts afresh at exec; ru_maxrss would report the parent's size at fork
    when that was larger (e.g. a parent that has just written a 100k-article store).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _worker(store: Path, changes: int, seed: int) -> dict:
    """The measurement as the dashboard process would see it, with its peak RSS."""
    import plotly.graph_objects  # noqa: F401, PLC0415 - the dashboard process holds these too
    import streamlit  # noqa: F401, PLC0415

    baseline = peak_rss_mb()
    result = measure(store, changes, seed)
    result["rss_baseline_mb"] = baseline
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def measure_in_fresh_process(store: Path, changes: int = 20, seed: int = 0) -> dict:
    cmd = [sys.executable, "-m", "benchmarks.queries", "--worker", str(store), "--changes", str(changes),
           "--seed", str(seed)]
    out = subprocess.run(cmd, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
    if out.returncode:
        raise RuntimeError(f"query worker failed for {store}:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(sizes=(1000,), changes: int = 20, seed: int = 0) -> dict:
    """Synthetic stores of each size (made once, reused), measured each in a fresh process."""
    from benchmarks.store_synth import ensure_store  # noqa: PLC0415

    results = {}
    for n in sizes:
        store = ensure_store(n)
        results[str(n)] = res = measure_in_fresh_process(store, changes, seed)
        worst = max(res["pages"].items(), key=lambda kv: kv[1]["p95_ms"])
        print(f"queries @ {n:>7,} articles: worst page {worst[0]!r} p50 {worst[1]['p50_ms']} ms, "
              f"p95 {worst[1]['p95_ms']} ms; peak RSS {res['peak_rss_mb']} MB", flush=True)
        for page, st in res["pages"].items():
            print(f"    {page:<24} p50 {st['p50_ms']:>8} ms  p95 {st['p95_ms']:>8} ms  ({len(st['queries'])} queries)")
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000", help="comma-separated store sizes (articles)")
    parser.add_argument("--changes", type=int, default=20, help="random filter changes per size")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(_worker(args.worker, args.changes, args.seed), default=str))
        return
    print(json.dumps(run([int(s) for s in args.sizes.split(",")], args.changes, args.seed), indent=2, default=str))


if __name__ == "__main__":
    main()
