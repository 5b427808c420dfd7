"""Build scale: does build time per 1,000 articles stay flat as the corpus grows, and is a
rebuild with nothing to do fast?

- Builds of synthetic corpora (benchmarks.synth; a smaller one is a prefix of a larger one) into
  fresh stores with core.build.build, the pipeline loaded beforehand so each size pays the same.
  Flat seconds per 1,000 articles = linear growth; growth = largest / smallest size's figure.
  These builds use every core (the default); the smallest size is also built with jobs=1, and
  speedup = its time / the default build's time at that size.
- Batch writes into a big store: the extraction is per article, but each write refreshes the
  duplicate groups against what is stored, so a write can slow down as the store fills. One
  extracted batch is written into an empty store and into a 10,000-article store (benchmarks.
  store_synth, duplicate signatures computed) to see that cost.
- 10,000 articles: measured when 10000 is among the sizes; otherwise extrapolated from the
  largest measured size plus the extra write cost measured above, and labelled so.
- No-op rebuild at 10,000: build() of the 10,000-article synthetic corpus over a store that holds
  all of it (replicated extractions, benchmarks.store_synth) with the current fingerprints: it must
  find nothing to do, and should take under 2 s.
"""
from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks import synth

NOOP_SIZE = 10_000
SEED = 0  # the seed of store_synth's stores, so the no-op corpus matches the stored one


def _warm_pipeline(tmp: Path) -> float:
    """Load the pipeline into this process's build cache (core.build keeps one per process)."""
    from core.build import build  # noqa: PLC0415

    start = time.perf_counter()
    build(synth.generate(2, seed=SEED + 99), tmp / "warm.duckdb", progress=False)
    return time.perf_counter() - start


def _batch_write_seconds(store: Path, results, raws, fingerprint: str) -> float:
    from core.store.db import Store  # noqa: PLC0415

    start = time.perf_counter()
    with Store.open(store) as s:
        s.write(results, raws, fingerprint)
    return time.perf_counter() - start


def run(sizes=(1000, 2000), batch_size: int = 32, noop: bool = True, write_probe: bool = True) -> dict:
    """write_probe: time a batch write into a 10k store (its first run computes that store's
    duplicate signatures: about 10 minutes on two cores, then cached in benchmarks/out/)."""
    from benchmarks.store_synth import ensure_store  # noqa: PLC0415
    from core.build import build, extract_batch  # noqa: PLC0415
    from core.catalogs import load_catalogs  # noqa: PLC0415
    from core.extract import ExtractionContext  # noqa: PLC0415
    from core.store.keys import store_fingerprint  # noqa: PLC0415

    out: dict = {"sizes": {}, "batch_size": batch_size}
    with tempfile.TemporaryDirectory(prefix="diplotone-bench-") as tmp_name:
        tmp = Path(tmp_name)
        out["pipeline_load_s"] = round(_warm_pipeline(tmp), 2)
        corpus = synth.generate(max(sizes), seed=SEED + 1)
        for n in sizes:
            report = build(corpus[:n], tmp / f"build_{n}.duckdb", progress=False, batch_size=batch_size)
            if report.errors or len(report.extracted) != n:
                raise RuntimeError(f"build of {n} articles: {report.summary()}; errors {report.errors[:3]}")
            words = sum(len(r.text.split()) for r in corpus[:n])
            out["sizes"][str(n)] = {"seconds": round(report.seconds, 1),
                                    "s_per_1k_articles": round(1000 * report.seconds / n, 1),
                                    "raw_words_per_s": round(words / report.seconds)}
            print(f"build {n:>6,} articles: {report.seconds:7.1f} s = "
                  f"{1000 * report.seconds / n:6.1f} s per 1,000 articles", flush=True)
            (tmp / f"build_{n}.duckdb").unlink()
        n = min(sizes)
        single = build(corpus[:n], tmp / "single.duckdb", progress=False, batch_size=batch_size, jobs=1)
        out["single_process"] = {"articles": n, "seconds": round(single.seconds, 1),
                                 "s_per_1k_articles": round(1000 * single.seconds / n, 1)}
        out["speedup"] = round(single.seconds / out["sizes"][str(n)]["seconds"], 2)
        print(f"build {n:>6,} articles with jobs=1: {single.seconds:7.1f} s; every core is {out['speedup']:.2f}x "
              f"faster", flush=True)
        per_1k = [v["s_per_1k_articles"] for v in out["sizes"].values()]
        out["growth"] = round(per_1k[-1] / per_1k[0], 3)  # 1.0 = perfectly linear

        write_empty = write_big = None
        if write_probe:
            fingerprint = store_fingerprint(None, load_catalogs())
            probe = synth.generate(batch_size, seed=SEED + 7)
            results, _ = extract_batch(probe, ExtractionContext())
            write_empty = _batch_write_seconds(tmp / "empty.duckdb", results, probe, fingerprint)
            big = tmp / "big.duckdb"
            shutil.copy(ensure_store(NOOP_SIZE, dedupe=True), big)
            write_big = _batch_write_seconds(big, results, probe, fingerprint)
            out["batch_write_s"] = {"empty_store": round(write_empty, 2), f"{NOOP_SIZE}_store": round(write_big, 2)}
            print(f"writing one batch of {batch_size}: {write_empty:.2f} s into an empty store, "
                  f"{write_big:.2f} s into a {NOOP_SIZE:,}-article store", flush=True)

        largest = max(sizes)
        if NOOP_SIZE in sizes:
            out["10k_s"], out["10k_measured"] = out["sizes"][str(NOOP_SIZE)]["seconds"], True
        else:
            # If a batch write grows linearly with the store (w0 empty .. w_big at 10k), the mean write
            # over a 10k build exceeds the mean over the largest measured build by this much per batch.
            extra = 0.0 if write_big is None else (
                NOOP_SIZE / batch_size * (write_big - write_empty) / 2 * (1 - largest / NOOP_SIZE))
            est = NOOP_SIZE / 1000 * per_1k[-1] + max(0.0, extra)
            out["10k_s"], out["10k_measured"] = round(est, 0), False
        print(f"build {NOOP_SIZE:,} articles: {out['10k_s']:,.0f} s "
              f"({'measured' if out['10k_measured'] else 'EXTRAPOLATED from the sizes above'})", flush=True)

        if noop:
            store = tmp / "noop.duckdb"
            shutil.copy(ensure_store(NOOP_SIZE, SEED), store)
            corpus = synth.generate(NOOP_SIZE, SEED)
            # The synthetic store has no outlet types or search index yet: the first build adds them.
            first = build(corpus, store, progress=False)
            out["noop_10k_first_s"], out["noop_10k_first_report"] = round(first.seconds, 2), first.summary()
            report = build(corpus, store, progress=False)
            out["noop_10k_s"] = round(report.seconds, 2)
            out["noop_10k_did_nothing"] = not (report.extracted or report.metadata_updated or report.removed)
            out["noop_10k_report"] = report.summary()
            print(f"no-op rebuild, {NOOP_SIZE:,} articles: {report.seconds:.2f} s ({report.summary()})", flush=True)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,2000", help="comma-separated corpus sizes to build")
    parser.add_argument("--no-noop", action="store_true", help="skip the 10k no-op rebuild")
    args = parser.parse_args(argv)
    print(json.dumps(run(tuple(int(s) for s in args.sizes.split(",")), noop=not args.no_noop), indent=2))


if __name__ == "__main__":
    main()
