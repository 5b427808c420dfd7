"""Hostile input that once froze an ingest, now timed end to end: `python -m benchmarks.hostile_input`.

Each file is ingested (read, cleaned, parsed, extracted, duplicate-checked, stored) by `diplotone
ingest`'s own code in a fresh process, into a fresh store, as `ingest` does by default (the pieces
of a long text parsed on every core; --jobs 1: in this process only). The pipeline is loaded first
with a one-line article, so the figure is the file's own cost; peak RSS is the process's (pipeline
included) and, beside it, the largest parsing worker's (forked: it shares the pipeline's pages);
CPU seconds (the process's and its workers') are given beside the wall time, which on a busy
shared machine is mostly waiting. Cases (issue 14):
- near_limit: a 999,000-character article of varied text (seed sentences recombined), just under
  the 1,000,000-character limit: duplicate detection was quadratic (killed at 600 s, 7-8 GB);
- single_line: the same text as one 900,000-character line (a DuckDB out-of-memory before);
- reshuffled: 225 KB of seed paragraphs with their words reshuffled: the repeated-paragraph check
  compared every paragraph with every earlier one (419 s);
- emphasis: '# T\\n\\n' + '*a ' * 50000 as .md (150 KB): a markdown pattern quadratic in the line (121 s).
"""
from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"near_limit": (60.0, 2048), "single_line": (60.0, 2048), "reshuffled": (10.0, None),
           "emphasis": (10.0, None)}


def _seed_units() -> tuple[list[str], list[str]]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    paragraphs = [ln.strip() for t in texts for ln in t.splitlines() if len(ln.split()) >= 12]
    sentences = [s for p in paragraphs for s in re.split(r"(?<=[.!?])\s+", p) if len(s.split()) >= 5]
    return paragraphs, sentences


def make_files(folder: Path) -> dict[str, Path]:
    """The four hostile files, generated the same way every run (fixed seed)."""
    rng = random.Random(14)
    paragraphs, sentences = _seed_units()
    varied, size = [], 0
    while size < 999_000:
        varied.append(" ".join(rng.sample(sentences, rng.randint(2, 6))))
        size += len(varied[-1]) + 2
    near = "\n\n".join(varied)[:999_000].rsplit(" ", 1)[0]
    shuffled, size = [], 0
    while size < 225_000:
        words = rng.choice(paragraphs).split()
        rng.shuffle(words)
        shuffled.append(" ".join(words))
        size += len(shuffled[-1]) + 2
    files = {"near_limit": ("near_limit.txt", near),
             "single_line": ("single_line.txt", near.replace("\n\n", " ")[:900_000]),
             "reshuffled": ("reshuffled.txt", "\n\n".join(shuffled)[:225_000]),
             "emphasis": ("emphasis.md", "# T\n\n" + "*a " * 50000)}
    out = {}
    for case, (name, text) in files.items():
        out[case] = folder / name
        out[case].write_text(text, encoding="utf-8")
    return out


def _stages(path: Path) -> dict:
    """CPU seconds of the text steps on their own: reading (decode, markdown), cleaning (repeated
    paragraphs), spaCy, and duplicate shingling, the steps that were quadratic, beside spaCy's parse."""
    import duckdb  # noqa: PLC0415
    import pandas as pd  # noqa: PLC0415

    from core.build import _context  # noqa: PLC0415
    from core.ingest.clean import clean_text  # noqa: PLC0415
    from core.ingest.dedupe import _SHINGLES_SQL  # noqa: PLC0415
    from core.ingest.add import read_article  # noqa: PLC0415
    from core.nlp import parse  # noqa: PLC0415

    out, clock = {}, time.process_time()

    def lap(name):
        nonlocal clock
        out[name] = round(time.process_time() - clock, 2)
        clock = time.process_time()

    raw = read_article(path)
    lap("read_s")
    cleaned = clean_text(raw.text)
    lap("clean_s")
    con = duckdb.connect()
    con.register("_dd_texts", pd.DataFrame({"article_id": ["x"], "text": [cleaned.text]}))
    con.execute(_SHINGLES_SQL).fetchall()
    lap("shingles_s")
    nlp = _context(None, None, _nlp_fingerprint()).nlp
    clock = time.process_time()
    parse(nlp, [cleaned.text])
    lap("spacy_s")
    return out


def _nlp_fingerprint() -> str:
    from core.catalogs import load_catalogs  # noqa: PLC0415
    from core.store.keys import split_fingerprint, store_fingerprint  # noqa: PLC0415

    return split_fingerprint(store_fingerprint(None, load_catalogs()))[0]


def _cpu() -> float:
    """CPU seconds of this process and of its finished workers."""
    import multiprocessing  # noqa: PLC0415

    multiprocessing.active_children()  # reaps finished parsing workers, so their time is counted
    return sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                 resource.getrusage(resource.RUSAGE_CHILDREN)))


def _ingest_one(path: Path, jobs: int | None) -> dict:
    """In this process: load the pipeline, then ingest path into a fresh store; seconds and counts.
    Peak RSS is this process's own (VmHWM): ru_maxrss would report the parent's size at fork, and
    benchmarks.run has just filled a 100k store."""
    from benchmarks.queries import peak_rss_mb  # noqa: PLC0415
    from core.ingest.add import ingest_paths  # noqa: PLC0415

    stages = _stages(path)
    with tempfile.TemporaryDirectory() as tmp:
        warm = Path(tmp) / "warm.txt"
        warm.write_text("Blinken met Wang Yi in Beijing on Monday.", encoding="utf-8")
        ingest_paths([warm], Path(tmp) / "warm.duckdb", progress=False, jobs=jobs)
        started, cpu = time.perf_counter(), _cpu()
        report = ingest_paths([path], Path(tmp) / "store.duckdb", progress=False, jobs=jobs)
        seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    return {"seconds": round(seconds, 1), "cpu_s": round(cpu, 1), "stages_cpu_s": stages, "added": len(report.added),
            "errors": [str(e) for e in report.errors], "jobs": jobs or "every core",
            "peak_rss_mb": peak_rss_mb(),
            "worker_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024}


def run(jobs: int | None = None) -> dict:
    """Every case in its own process; {case: {chars, seconds, peak_rss_mb, added, errors}}."""
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for case, path in make_files(Path(tmp)).items():
            out = subprocess.run([sys.executable, "-m", "benchmarks.hostile_input", "--one", str(path),
                                  *(["--jobs", str(jobs)] if jobs else [])], cwd=ROOT,
                                 capture_output=True, text=True, timeout=900)
            if out.returncode:
                results[case] = {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"}
                continue
            results[case] = {"chars": len(path.read_text(encoding="utf-8")), **json.loads(out.stdout.splitlines()[-1])}
            print(f"   {case}: {results[case]}", flush=True)
    return results


def rows(results: dict) -> list[tuple[str, str, str, bool | None]]:
    """(what, measured, target, ok) per case, for benchmarks.run's summary."""
    out = []
    for case, (limit_s, limit_mb) in TARGETS.items():
        res = results.get(case, {})
        if "seconds" not in res:
            continue
        ok = res["seconds"] < limit_s and (limit_mb is None or res["peak_rss_mb"] < limit_mb) and res["added"] == 1
        target = f"< {limit_s:.0f} s" + (f", < {limit_mb / 1024:.0f} GB" if limit_mb else "") + ", added"
        out.append((f"Hostile input: {case} ({res['chars']:,} chars) ingest wall (CPU) | peak RSS (worker)",
                    f"{res['seconds']:.1f} s ({res.get('cpu_s', 0):.1f}) | {res['peak_rss_mb']:,} MB "
                    f"({res.get('worker_peak_rss_mb', 0):,})", target, ok))
        st = res.get("stages_cpu_s", {})
        if st:
            out.append(("  CPU s: read | clean | dedupe shingles | spaCy parse (one process)",
                        f"{st['read_s']} | {st['clean_s']} | {st['shingles_s']} | {st['spacy_s']}", "", None))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--one", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--jobs", type=int, default=None, help="as `ingest --jobs` (default: every core)")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_ingest_one(Path(args.one), args.jobs)))
        return
    results = run(args.jobs)
    for what, measured, target, ok in rows(results):
        print(f"{what:70}  {measured:24}  {target:22}  {'-' if ok is None else 'PASS' if ok else 'MISS'}")
    for case, res in results.items():
        if "error" in res:
            print(f"{case}: ERROR {res['error']}")


if __name__ == "__main__":
    main()
