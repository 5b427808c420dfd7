"""Extraction throughput: the whole Diplotone pipeline against bare spaCy on the same text.

Both sides get the same synthetic articles (benchmarks.synth) and the same spaCy package, in
one process, models loaded and warmed up before the clock starts:
- bare: `spacy.load(model).pipe(texts)` over the cleaned texts, i.e. exactly the text Diplotone
  parses, with none of the project's components;
- Diplotone: from raw text to rows in the store, as a build does it (core.build.extract_batch:
  cleaning, metadata, the project's spaCy components, people, quotes, issues, tone; then
  core.store.db.Store.write per batch, duplicate detection included) into a fresh store.
ratio = bare time / Diplotone time (1.0 = no overhead; the target is >= 0.8). Words are the
non-punctuation tokens Diplotone counts per article, the same for both sides. Then the same on
every core (two on the development machine), each from a cold start as a user waits for it:
bare spaCy `spacy.load` + `nlp.pipe(n_process=cores)`, Diplotone's default build (one worker
process per core, each loading the pipeline, this process writing) and the build on a local Dask
cluster. parallel_ratio = Diplotone default build time / bare spaCy n_process time (target
<= 1.1). On a machine other jobs share, wall time depends on their load; the CPU seconds of
each run (this process and its children) are recorded beside it.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import synth
from core.paths import PROJECT_ROOT


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# Each parallel run is a fresh interpreter, as a user's command is: imports, synthetic articles
# (the same for both), model loads and worker starts all count.
BARE_PARALLEL = """
import sys, spacy
from benchmarks import synth
from core.ingest.clean import clean_text
from core.store.keys import DEFAULT_PIPELINE
n, seed, cores = map(int, sys.argv[1:4])
texts = [clean_text(r.text).text for r in synth.generate(n, seed)]
if __name__ == "__main__":
    for _ in spacy.load(DEFAULT_PIPELINE).pipe(texts, batch_size=4, n_process=cores):
        pass
"""
DIPLOTONE_BUILD = """
import json, sys
from benchmarks import synth
from core.build import build
if __name__ == "__main__":
    report = build(synth.generate(int(sys.argv[1]), int(sys.argv[2])), sys.argv[3], progress=False,
                   **json.loads(sys.argv[4]))
    assert len(report.extracted) == int(sys.argv[1]) and not report.errors, report.summary()
"""


def _python(args: list[str]) -> None:
    subprocess.run([sys.executable, "-c", *args], cwd=PROJECT_ROOT, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def _cpu_s() -> float:
    """CPU seconds used so far by this process and its finished children."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _timed_cpu(fn) -> tuple[float, float]:
    cpu = _cpu_s()
    wall = _timed(fn)
    return wall, _cpu_s() - cpu


def run(n: int = 60, repeats: int = 1, batch_size: int = 32, seed: int = 11, parallel: bool = True) -> dict:
    import spacy  # noqa: PLC0415

    from core.build import extract_batch  # noqa: PLC0415
    from core.ingest.clean import clean_text  # noqa: PLC0415
    from core.extract import ExtractionContext  # noqa: PLC0415
    from core.store.keys import DEFAULT_PIPELINE, store_fingerprint  # noqa: PLC0415
    from core.store.db import Store  # noqa: PLC0415

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
            cores = len(os.sched_getaffinity(0))
            runs = {"bare": [BARE_PARALLEL, str(n), str(seed), str(cores)],
                    "default": [DIPLOTONE_BUILD, str(n), str(seed), str(Path(tmp) / "default.duckdb"), "{}"],
                    "dask": [DIPLOTONE_BUILD, str(n), str(seed), str(Path(tmp) / "dask.duckdb"),
                             json.dumps({"dask": "local", "batch_size": 8})]}
            timed = {name: _timed_cpu(lambda args=args: _python(args)) for name, args in runs.items()}
            (bare2, bare2_cpu), (pool_s, pool_cpu), (dask_s, dask_cpu) = timed.values()
            result.update({
                "cores": cores,
                "bare_n_process_s": round(bare2, 2), "bare_n_process_cpu_s": round(bare2_cpu, 1),
                "diplotone_default_build_s": round(pool_s, 2), "diplotone_default_build_cpu_s": round(pool_cpu, 1),
                "diplotone_dask_local_s": round(dask_s, 2), "diplotone_dask_local_cpu_s": round(dask_cpu, 1),
                "parallel_ratio": round(pool_s / bare2, 3),
                "bare_n_process_2_words_per_s": round(words / bare2),
                "diplotone_default_build_words_per_s": round(words / pool_s),
                "diplotone_dask_2_workers_words_per_s": round(words / dask_s),
            })
    print(f"throughput: {n} articles, {words:,} words; bare spaCy {result['bare_words_per_s']:,} words/s, "
          f"Diplotone (with store writes) {result['diplotone_words_per_s']:,} words/s; "
          f"ratio {result['ratio']:.2f} (target >= 0.8)", flush=True)
    if parallel:
        print(f"throughput on {result['cores']} cores, cold (model loads included): bare spaCy n_process "
              f"{result['bare_n_process_s']:.1f} s ({result['bare_n_process_cpu_s']:.0f} CPU s); Diplotone default "
              f"build {result['diplotone_default_build_s']:.1f} s ({result['diplotone_default_build_cpu_s']:.0f} CPU s); "
              f"on local Dask {result['diplotone_dask_local_s']:.1f} s ({result['diplotone_dask_local_cpu_s']:.0f} "
              f"CPU s); ratio default build / bare {result['parallel_ratio']:.2f} (target <= 1.1)", flush=True)
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
