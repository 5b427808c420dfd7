"""Extraction throughput: the whole Diplotone pipeline against bare spaCy on the same text.

Both sides get the same synthetic articles (benchmarks.synth) and the same spaCy package, in
one process, models loaded and warmed up before the clock starts:
- bare: `spacy.load(model).pipe(texts)` over the cleaned texts, i.e. exactly the text Diplotone
  parses, with none of the project's components;
- Diplotone: from raw text to rows in the store, as a build does it (core.build.extract_batch:
  cleaning, metadata, the project's spaCy components, people, quotes, issues, tone; then
  core.store.Store.write per batch, duplicate detection included) into a fresh store.
ratio = bare time / Diplotone time (1.0 = no overhead; the target is >= 0.8). Words are the
non-punctuation tokens Diplotone counts per article, the same for both sides. Then the same with
two processes: spaCy's n_process=2, and a Diplotone build on a 2-worker local Dask cluster
(cluster start and each worker's model load included, as a user would wait for them).
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks import synth


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(n: int = 60, repeats: int = 1, batch_size: int = 32, seed: int = 11, parallel: bool = True) -> dict:
    import spacy  # noqa: PLC0415

    from core.build import build, extract_batch  # noqa: PLC0415
    from core.clean import clean_text  # noqa: PLC0415
    from core.extract import ExtractionContext  # noqa: PLC0415
    from core.keys import DEFAULT_PIPELINE, store_fingerprint  # noqa: PLC0415
    from core.store import Store  # noqa: PLC0415

    raws = synth.generate(n, seed)
    load0 = time.perf_counter()
    ctx = ExtractionContext()
    ctx_load = time.perf_counter() - load0
    bare = spacy.load(DEFAULT_PIPELINE)
    fingerprint = store_fingerprint(None, ctx.catalogs)
    texts = [clean_text(r.text).text for r in raws]
    batches = [raws[i:i + batch_size] for i in range(0, n, batch_size)]
    for _ in bare.pipe(texts[:2]):  # warm-up: first-call allocations, lazy tables
        pass
    extract_batch(raws[:2], ctx)
    words, write_s = None, []

    def diplotone(store_path: Path):
        nonlocal words
        total, writing = 0, 0.0
        for batch in batches:
            results, errors = extract_batch(batch, ctx)
            if errors:
                raise RuntimeError(f"extraction failed: {errors[:3]}")
            start = time.perf_counter()
            with Store.open(store_path) as store:
                store.write(results, batch, fingerprint)
            writing += time.perf_counter() - start
            total += sum(r.words for r in results)
        words = total
        write_s.append(writing)

    def bare_pipe():
        for _ in bare.pipe(texts, batch_size=batch_size):
            pass

    bare_s, full_s = [], []
    with tempfile.TemporaryDirectory(prefix="diplotone-bench-") as tmp:
        for rep in range(repeats):  # interleaved, so load from other processes hits both alike
            bare_s.append(_timed(bare_pipe))
            full_s.append(_timed(lambda: diplotone(Path(tmp) / f"throughput_{rep}.duckdb")))
        result = {
            "articles": n, "words": words, "repeats": repeats, "batch_size": batch_size,
            "context_load_s": round(ctx_load, 2),
            "bare_s": [round(x, 2) for x in bare_s], "diplotone_s": [round(x, 2) for x in full_s],
            "of_which_store_write_s": [round(x, 2) for x in write_s],
            "bare_words_per_s": round(words / statistics.median(bare_s)),
            "diplotone_words_per_s": round(words / statistics.median(full_s)),
            "ratio": round(statistics.median(bare_s) / statistics.median(full_s), 3),
        }
        if parallel:
            bare2 = _timed(lambda: [None for _ in bare.pipe(texts, batch_size=batch_size, n_process=2)])
            report = None

            def dask_build():
                nonlocal report
                report = build(raws, Path(tmp) / "dask.duckdb", progress=False, dask="local", batch_size=8)

            dask_s = _timed(dask_build)
            result.update({
                "bare_n_process_2_words_per_s": round(words / bare2),
                "diplotone_dask_2_workers_words_per_s": round(words / dask_s),
                "diplotone_dask_2_workers_s": round(dask_s, 2),
                "dask_extracted": len(report.extracted),
            })
    print(f"throughput: {n} articles, {words:,} words; bare spaCy {result['bare_words_per_s']:,} words/s, "
          f"Diplotone (with store writes) {result['diplotone_words_per_s']:,} words/s; "
          f"ratio {result['ratio']:.2f} (target >= 0.8)", flush=True)
    if parallel:
        print(f"throughput, 2 processes: bare spaCy n_process=2 {result['bare_n_process_2_words_per_s']:,} words/s; "
              f"Diplotone build on 2 Dask workers {result['diplotone_dask_2_workers_words_per_s']:,} words/s "
              f"(worker start and model loads included)", flush=True)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--no-parallel", action="store_true", help="skip the 2-process figures")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.articles, args.repeats, parallel=not args.no_parallel), indent=2))


if __name__ == "__main__":
    main()
