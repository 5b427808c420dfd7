"""Search and corrections at scale: `python -m benchmarks.search [--sizes 10000 100000]`.

On the synthetic stores of benchmarks.store_synth (copied, so the cached ones stay as made):
- index build: time to build the tantivy index of every sentence from the store, and its size;
- search latency: KWIC lines (best 50) and the count, median of 5 runs per query, for queries of
  each kind (word, phrase, wildcard, boolean, NOT, person:, issue:), alone (the index ranks and
  counts) and under a visit filter (every match joined with the filtered sentences);
- the cost of 1,000 corrections: time to apply them in one batch (900 tones, 100 speakers; applied by
  sets, core.corrections.add_many), one more one at a time (a click on the Articles page), one
  person merge in every article, one undo (of a fix in one article: that article is restored and
  replayed), and the dashboard's People and tone-trend queries before, after, and after a
  CHECKPOINT (corrections are applied to the stored rows, so the queries pay no cost per correction;
  what remains is how DuckDB reads rows updated since its last checkpoint).
Target: a search answers in under 300 ms at 100,000 articles.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import time
from pathlib import Path

from benchmarks.store_synth import OUT, ensure_store

QUERIES = ["sanctions", '"export controls"', "sanction*", "taiwan AND strait", "fentanyl OR climate",
           "tariffs -steel", 'person:"Wang Yi"', "issue:human_rights", 'speaker:"Antony Blinken" taiwan',
           "china"]
TARGET_MS = 300


def _median_ms(fn, runs: int = 5) -> float:
    fn()  # warm: the first run opens the index
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return round(1000 * statistics.median(times), 1)


def _folder_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 1)


def measure(n: int, work: Path, search_part: bool = True, corrections: bool = True) -> dict:
    from core.search.index import index_dir, sync
    from core.store.db import Store

    store = work / f"search_{n}.duckdb"
    made = OUT / f"synth_{n}.duckdb"  # one made by an older schema is upgraded below, not made again
    shutil.copy(made if made.exists() else ensure_store(n), store)
    started = time.perf_counter()
    Store.open(store).close()  # upgrade a store made by an older schema in place
    out = {"articles": n, "upgrade_s": round(time.perf_counter() - started, 1)}
    try:
        if search_part:
            print(f"  upgraded in {out['upgrade_s']} s; building the index", flush=True)
            report = sync(store)
            out.update(index_build_s=round(report.seconds, 1), index_mb=_folder_mb(index_dir(store)),
                       store_mb=round(store.stat().st_size / 2**20, 1))
            out.update(_searches(store))
        if corrections:
            out.update(_corrections(store))
    finally:
        store.unlink()
        shutil.rmtree(index_dir(store), ignore_errors=True)
    return out


def _searches(store: Path) -> dict:
    from core.filters import Filters
    from core.search.results import search
    from core.store.attached import attached_connection

    with attached_connection(store) as con:
        out = {"sentences": con.execute("SELECT count(*) FROM sentences").fetchone()[0]}
        visit = con.execute("SELECT visit FROM articles WHERE visit <> 'other' GROUP BY visit "
                            "ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
        rows = []
        for query in QUERIES:
            total = search(con, Filters(query=query), limit=50)[1]
            alone = _median_ms(lambda: search(con, Filters(query=query), limit=50))
            narrowed = _median_ms(lambda: search(con, Filters(query=query, visits=(visit,)), limit=50), runs=3)
            rows.append({"query": query, "matches": total, "ms": alone, "ms_with_visit_filter": narrowed})
            print(f"  {rows[-1]}", flush=True)
    out["queries"] = rows
    out["median_ms"] = statistics.median(r["ms"] for r in rows)
    out["max_ms"] = max(r["ms"] for r in rows)
    return out


def _timed(store: Path, make) -> float:
    """Seconds to run make(con) and commit. A plain transaction, not Store.transaction: its commit
    also regroups duplicates, which signs every article the first time; a built store has them
    signed, the synthetic one does not (and its replicated texts all look alike to the signatures)."""
    from core.store.db import Store

    with Store.open(store) as s:
        started = time.perf_counter()
        s.con.execute("BEGIN TRANSACTION")
        make(s.con)
        s.con.execute("COMMIT")
        return round(time.perf_counter() - started, 1)


def _corrections(store: Path) -> dict:
    from core import corrections as C
    from core.filters import Filters
    from core.store import queries as Q
    from core.store.db import Store, read_connection

    f = Filters()
    charts = lambda con: {name: _median_ms(lambda name=name: getattr(Q, name)(con, f), runs=3)  # noqa: E731
                          for name in ("people", "tone_trend")}
    with read_connection(store) as con:
        before = charts(con)
        rng = random.Random(0)
        sents = con.execute("SELECT article_id, sent_idx FROM sentences USING SAMPLE 901 ROWS (reservoir, 1)").fetchall()
        quotes = con.execute("SELECT article_id, quote_idx FROM quotes USING SAMPLE 100 ROWS (reservoir, 2)").fetchall()
        rare = con.execute("""SELECT canonical, count(*) FROM persons GROUP BY canonical
                              ORDER BY count(*), canonical LIMIT 1""").fetchone()
    fixes = [{"kind": "tone", "article_id": a, "item": s, "after": round(rng.uniform(-1, 1), 2)} for a, s in sents]
    one = fixes.pop()
    fixes += [{"kind": "speaker", "article_id": a, "item": q, "after": "Wang Yi"} for a, q in quotes]
    print(f"  applying {len(fixes)} corrections", flush=True)
    out = {"corrections_apply_s": _timed(store, lambda con: C.add_many(con, fixes))}
    out["one_more_correction_s"] = _timed(store, lambda con: C.add(con, **one))
    merged = []
    out["merge_s"] = _timed(store, lambda con: merged.extend(C.add(con, "person", subject=rare[0], after="Antony Blinken")[1]))
    out["merge_articles"] = len(merged)
    out["corrections_undo_one_s"] = _timed(store, lambda con: C.undo(con, 1))  # replays the other 1,001
    with read_connection(store) as con:
        out["corrected_articles"] = con.execute("SELECT count(DISTINCT article_id) FROM base_sentences").fetchone()[0]
        out["queries_before_corrections_ms"], out["queries_after_corrections_ms"] = before, charts(con)
    with Store.open(store) as s:
        s.con.execute("CHECKPOINT")
    with read_connection(store) as con:
        out["queries_after_checkpoint_ms"] = charts(con)
    print(f"  {out}", flush=True)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--no-corrections", action="store_true", help="skip the 1,000-corrections part")
    parser.add_argument("--only-corrections", action="store_true", help="skip the index and search part")
    args = parser.parse_args(argv)
    work = OUT / "search_work"
    work.mkdir(parents=True, exist_ok=True)
    results = {"load_avg_start": [round(x, 2) for x in os.getloadavg()], "sizes": []}
    for n in args.sizes:
        print(f"== {n:,} articles", flush=True)
        results["sizes"].append(measure(n, work, search_part=not args.only_corrections,
                                              corrections=not args.no_corrections))
        print(json.dumps(results["sizes"][-1], indent=1), flush=True)
    results["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    (OUT / f"search_latest_{'_'.join(map(str, args.sizes))}.json").write_text(json.dumps(results, indent=1))
    for r in results["sizes"]:
        if "max_ms" not in r:
            print(f"{r['articles']:>7,} articles: 1,000 corrections {r['corrections_apply_s']} s")
            continue
        ok = "ok" if r["max_ms"] < TARGET_MS else "OVER"
        print(f"{r['articles']:>7,} articles: index {r['index_build_s']} s, {r['index_mb']} MB; search median "
              f"{r['median_ms']} ms, max {r['max_ms']} ms (target < {TARGET_MS}: {ok}); 1,000 corrections "
              f"{r.get('corrections_apply_s', 'not run')} s")


if __name__ == "__main__":
    main()
