"""Run every benchmark and print one summary table with the targets: `python -m benchmarks.run [--quick]`.

--quick (a few minutes): the per-component profile and throughput on 32 articles, builds of 100
and 200 articles, queries at 1k articles, cold start. Full (about an hour on two cores): throughput on 96 articles twice, builds
of 1,000 and 2,000 articles (10,000 extrapolated unless --build-sizes includes it), queries at 1k,
10k and 100k articles, cold start. Both measure the 10k no-op rebuild and ingest the hostile
files of benchmarks.hostile_input (a near-limit article, reshuffled paragraphs, markdown emphasis). Figures are also written
to benchmarks/out/results-<time>.json and benchmarks/out/latest.json. Timings are only as quiet as
the machine: the load average before and after is printed and recorded.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import time
import traceback
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"

QUICK = {"throughput": {"n": 32, "repeats": 1}, "build_sizes": (100, 200), "write_probe": False,
         "query_sizes": (1000,), "changes": 20}
FULL = {"throughput": {"n": 96, "repeats": 2}, "build_sizes": (1000, 2000), "write_probe": True,
        "query_sizes": (1000, 10_000, 100_000), "changes": 20}

BUILD_LIMIT_S = 240  # seconds per 1,000 articles of ~1,300 words, on a 2-core machine
GROWTH_LIMIT = 1.2  # seconds per 1,000 articles may grow by at most this factor: "flat"
MEMORY_LIMIT_MB = 800  # issue 13: dashboard memory at 100k, search and corrections in


def _autogroup() -> bool:
    """Linux scheduler autogroups: every terminal session gets one fair share of the CPU, however
    many processes it runs, so on a machine other sessions keep busy a parallel build cannot show
    its speed-up in wall time (compare CPU seconds instead)."""
    try:
        return Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1"
    except OSError:
        return False


def _machine() -> dict:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "load_avg_start": [round(x, 2) for x in os.getloadavg()], "sched_autogroup": _autogroup()}


def _step(name: str, fn, results: dict) -> None:
    print(f"\n== {name}", flush=True)
    start = time.perf_counter()
    try:
        results[name] = fn()
    except Exception as exc:  # noqa: BLE001 - one failed benchmark must not hide the others
        traceback.print_exc()
        results[name] = {"error": f"{type(exc).__name__}: {exc}"}
    print(f"   ({time.perf_counter() - start:.0f} s)", flush=True)


def _row(rows, what, value, target, ok):
    rows.append((what, value, target, "-" if ok is None else ("PASS" if ok else "MISS")))


def summary(results: dict) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    pp = results.get("profile_pipeline", {})
    if "components" in pp:
        top = sorted(pp["components"].items(), key=lambda kv: -kv[1]["s"])[:4]
        _row(rows, f"Pipeline profile ({pp['articles']} articles): spaCy | project steps and writes",
             f"{pp['spacy_s']:.1f} s | {pp['project_s']:.1f} s", "", None)
        _row(rows, "  largest components", ", ".join(f"{k} {100 * v['share']:.0f}%" for k, v in top), "", None)
    tp = results.get("throughput", {})
    if "ratio" in tp:
        _row(rows, f"Throughput ratio Diplotone / bare spaCy ({tp['articles']} articles)", f"{tp['ratio']:.2f}",
             ">= 0.80", tp["ratio"] >= 0.8)
        _row(rows, "  words/s: bare spaCy | Diplotone (1 process)",
             f"{tp['bare_words_per_s']:,} | {tp['diplotone_words_per_s']:,}", "", None)
    if "parallel_ratio" in tp:
        _row(rows, f"Build on {tp['cores']} cores / bare spaCy n_process={tp['cores']} (cold, same texts)",
             f"{tp['parallel_ratio']:.2f}", "<= 1.10", tp["parallel_ratio"] <= 1.1)
        _row(rows, "  seconds (CPU s): bare spaCy | default build | local Dask",
             f"{tp['bare_n_process_s']:.0f} ({tp['bare_n_process_cpu_s']:.0f}) | {tp['diplotone_default_build_s']:.0f} "
             f"({tp['diplotone_default_build_cpu_s']:.0f}) | {tp['diplotone_dask_local_s']:.0f} "
             f"({tp['diplotone_dask_local_cpu_s']:.0f})", "", None)
    bs = results.get("build_scale", {})
    if "sizes" in bs:
        per = " | ".join(f"{int(n):,}: {v['s_per_1k_articles']:.0f}" for n, v in bs["sizes"].items())
        largest = bs["sizes"][max(bs["sizes"], key=int)]["s_per_1k_articles"]
        _row(rows, "Build (default, every core): s per 1,000 articles", per, f"<= {BUILD_LIMIT_S} at the largest",
             largest <= BUILD_LIMIT_S)
        if "speedup" in bs:
            sp = bs["single_process"]
            _row(rows, f"  speed-up over --jobs 1 ({sp['articles']} articles; {sp['s_per_1k_articles']:.0f} s per 1,000)",
                 f"{bs['speedup']:.2f}x", "", None)
        _row(rows, "  growth, largest / smallest size", f"{bs['growth']:.2f}", f"<= {GROWTH_LIMIT}",
             bs["growth"] <= GROWTH_LIMIT)
    if "10k_s" in bs:
        label = "measured" if bs["10k_measured"] else "EXTRAPOLATED"
        _row(rows, f"  build 10,000 articles ({label})", f"{bs['10k_s'] / 60:.0f} min", "<= 40 min",
             bs["10k_s"] <= 40 * 60)
    if "batch_write_s" in bs:
        w = list(bs["batch_write_s"].values())
        _row(rows, f"  write one batch of {bs['batch_size']}: empty | 10k store", f"{w[0]:.2f} s | {w[1]:.2f} s", "", None)
    if "noop_10k_s" in bs:
        _row(rows, "No-op rebuild at 10,000 articles", f"{bs['noop_10k_s']:.2f} s", "< 2 s, nothing done",
             bs["noop_10k_s"] < 2 and bs["noop_10k_did_nothing"])
    targets = {10_000: 100, 100_000: 300}
    for n, res in results.get("queries", {}).items():
        if "pages" not in res:
            continue
        page, worst = max(res["pages"].items(), key=lambda kv: kv[1]["p95_ms"])
        limit = targets.get(int(n))
        _row(rows, f"Queries @ {int(n):,}: p95 of the slowest page ({page})",
             f"{worst['p95_ms']:.0f} ms (p50 {worst['p50_ms']:.0f})", f"<= {limit} ms" if limit else "",
             worst["p95_ms"] <= limit if limit else None)
        if int(n) == 100_000:
            _row(rows, "  peak RSS of the dashboard-like process @ 100,000", f"{res['peak_rss_mb']:,} MB",
                 f"<= {MEMORY_LIMIT_MB:,} MB", res["peak_rss_mb"] <= MEMORY_LIMIT_MB)
        else:
            _row(rows, f"  peak RSS @ {int(n):,}", f"{res['peak_rss_mb']:,} MB", "", None)
    cs = results.get("cold_start", {})
    if "built_store" in cs:
        _row(rows, "Cold start to first chart, empty store (builds seeds)", f"{cs['empty_store']['first_chart_s']:.1f} s",
             "<= 10 s", cs["empty_store"]["first_chart_s"] <= 10)
        _row(rows, f"Cold start to first chart, built store (median of {cs.get('repeats', 1)})",
             f"{cs['built_store']['first_chart_s']:.1f} s", "<= 3 s", cs["built_store"]["first_chart_s"] <= 3)
        if "bare_app" in cs:
            _row(rows, "  bare Streamlit app with one chart | ratio dashboard / bare",
                 f"{cs['bare_app']['first_chart_s']:.1f} s | {cs['ratio_to_bare']:.2f}", "", None)
            _row(rows, "  phases: import streamlit | dashboard imports | first queries",
                 " | ".join(f"{v:.1f} s" for v in cs["phases"].values()), "", None)
    if "hostile_input" in results and "error" not in results["hostile_input"]:
        from benchmarks.hostile_input import rows as hostile_rows  # noqa: PLC0415

        for what, measured, target, ok in hostile_rows(results["hostile_input"]):
            _row(rows, what, measured, target, ok)
    for name, res in results.items():
        if isinstance(res, dict) and "error" in res:
            rows.append((f"{name}: ERROR", res["error"][:60], "", "MISS"))
        for n, sub in (res.items() if name == "queries" else []):
            if "error" in sub:
                rows.append((f"queries @ {n}: ERROR", sub["error"][:60], "", "MISS"))
    return rows


def print_table(rows) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    head = ("Benchmark", "Measured", "Target", "")
    widths = [max(w, len(h)) for w, h in zip(widths, head)]
    for row in (head, tuple("-" * w for w in widths), *rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a few minutes")
    parser.add_argument("--only", default="profile_pipeline,throughput,build_scale,queries,cold_start,hostile_input",
                        help="comma-separated subset of benchmarks to run")
    parser.add_argument("--build-sizes", help="override the build sizes, e.g. 1000,2000,10000")
    parser.add_argument("--query-sizes", help="override the query store sizes, e.g. 1000,10000")
    parser.add_argument("--skip-noop", action="store_true",
                        help="skip the 10k no-op rebuild (its first run fills a 10k store: minutes)")
    args = parser.parse_args(argv)
    cfg = dict(QUICK if args.quick else FULL)
    if args.build_sizes:
        cfg["build_sizes"] = tuple(int(s) for s in args.build_sizes.split(","))
    if args.query_sizes:
        cfg["query_sizes"] = tuple(int(s) for s in args.query_sizes.split(","))
    only = set(args.only.split(","))

    from benchmarks import build_scale, cold_start, hostile_input, profile_pipeline, queries, throughput  # noqa: PLC0415

    results: dict = {"mode": "quick" if args.quick else "full", "machine": _machine(),
                     "started": dt.datetime.now().isoformat(timespec="seconds")}
    steps = {
        "profile_pipeline": lambda: profile_pipeline.run(cfg["throughput"]["n"]),
        "throughput": lambda: throughput.run(**cfg["throughput"]),
        "build_scale": lambda: build_scale.run(cfg["build_sizes"], write_probe=cfg["write_probe"],
                                               noop=not args.skip_noop),
        "queries": lambda: queries.run(cfg["query_sizes"], cfg["changes"]),
        "cold_start": cold_start.run,
        "hostile_input": hostile_input.run,
    }
    for name, fn in steps.items():
        if name in only:
            _step(name, fn, results)
    results["machine"]["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]

    OUT.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for path in (OUT / f"results-{stamp}.json", OUT / "latest.json"):
        path.write_text(json.dumps(results, indent=2, default=str))
    m = results["machine"]
    print(f"\nSummary ({results['mode']} run; {m['cpus']} CPUs; load average {m['load_avg_start'][0]} at start, "
          f"{m['load_avg_end'][0]} at end; figures in {OUT / 'latest.json'})\n")
    if m["sched_autogroup"] and m["load_avg_start"][0] > (m["cpus"] or 1):
        print("Note: scheduler autogroups are on and other jobs load the machine: this run's processes share one "
              "session's CPU share, so wall times cannot show a speed-up from more cores; compare CPU seconds.\n")
    print_table(summary(results))


if __name__ == "__main__":
    main()
