"""Incremental build: extract what is new or changed and write it to the store, batch by batch.

An article is keyed by its content hash and the fingerprint of what its results depend on
(core.store.keys): NLP fingerprint (pipeline version, spaCy model, actors/issues/tone catalogues) and
the visit catalogue's hash. Both are checked before spaCy is loaded, so a build with nothing to
do takes a fraction of a second, plus one read of the whole store that finds a damaged file (such
a build reads no article data and would call it up to date): 0.1 s for the seeds, ~4 s at 10,000
articles. A changed NLP fingerprint re-extracts the article; a changed visit catalogue or given
metadata (articles.yaml, a sidecar) only re-resolves its metadata.

Extraction never holds the store open: each batch is extracted in memory, then written in one
short transaction (core.store.db), so the dashboard can read between batches and a build killed
halfway leaves whole batches that the next build does not redo.

Where batches are extracted: by default on every core, in worker processes, while this process
is the one writer; jobs=1 extracts here. This process loads the extraction context (pipeline,
tone lexicons: several CPU seconds) once and forks the workers, which share it; a process that
runs other threads (the dashboard) cannot fork safely, so its workers are spawned and each loads
its own. A build too small to repay the workers (fewer than MIN_ARTICLES_PER_WORKER articles
each) uses fewer workers or none; extracting here, it still parses the pieces of a very long text
(core.nlp.parse) on every core (jobs=1: on this one). With dask=ADDRESS, batches are extracted on
a Dask cluster and written here as they come back. Every path stores the same rows (tests
compare the stores).
"""
from __future__ import annotations

import functools
import json
import math
import os
import sys
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from core import corrections
from core.catalogs import load_catalogs
from core.corpus import seed_articles
from core.sources import load_outlet_types
from core.errors import DiplotoneError, InputError, PipelineError
from core.store.keys import content_hash, split_fingerprint, store_fingerprint
from core.model import MARKED_LINES, ArticleResult, RawArticle
from core.paths import store_path as default_store_path
from core.store.db import Store

# Below this many articles per worker, a worker's start (and, spawned, its context load, worth
# about ten articles' extraction) costs more than the core it adds.
MIN_ARTICLES_PER_WORKER = 8


@dataclass
class BuildReport:
    """What a build did. errors: one InputError (.source = file, .problem) per article that failed."""

    total: int = 0
    extracted: list[str] = field(default_factory=list)
    metadata_updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    reclassified: int = 0  # articles whose outlet type was re-computed after a catalogue edit
    errors: list[InputError] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        parts = [f"{self.total} articles: {len(self.extracted)} extracted",
                 f"{len(self.metadata_updated)} metadata updated", f"{self.unchanged} unchanged"]
        if self.removed:
            parts.append(f"{len(self.removed)} old versions removed")
        if self.reclassified:
            parts.append(f"{self.reclassified} outlet types re-classified")
        if self.errors:
            parts.append(f"{len(self.errors)} failed")
        return ", ".join(parts) + f" ({self.seconds:.1f} s)"


def build(raws: list[RawArticle] | None = None, store_path=None, *, pipeline: str | None = None,
          seeds=None, progress: bool = True, dask: str | None = None, batch_size: int = 32,
          on_progress: Callable[[int, int], None] | None = None, lock_timeout: float = 30.0,
          guard=None, jobs: int | None = None) -> BuildReport:
    """Bring the store up to date with raws (None = the seed corpus).

    store_path: the store (default core.paths.store_path()); pipeline: spaCy package name;
    seeds: the catalogue folder (default core.paths.seeds_dir()); progress: a progress bar on
    stderr; dask: None (this process), "local" (a 2-worker local cluster) or a scheduler
    address "tcp://host:port"; batch_size: articles per extraction batch and write transaction;
    on_progress(done, total): called after each batch (e.g. the dashboard's first-start bar);
    guard: held around each opening of the store only, never around extraction (Store.open);
    jobs: extraction processes (None = every core this process may use, 1 = this process only;
    ignored with dask).
    """
    started = time.perf_counter()
    catalogs = load_catalogs(seeds)
    load_outlet_types(seeds)  # a broken outlet-type catalogue stops the build before any extraction
    seed_corpus = raws is None
    if seed_corpus:
        raws = seed_articles(seeds, catalogs)
    unique = {content_hash(r.text): r for r in reversed(raws)}  # first copy of identical texts wins
    unique = dict(reversed(unique.items()))
    fingerprint = store_fingerprint(pipeline, catalogs)
    nlp_fp = split_fingerprint(fingerprint)[0]
    report = BuildReport(total=len(raws), unchanged=len(raws) - len(unique))

    with Store.open(store_path, lock_timeout=lock_timeout, guard=guard) as store:
        store.check()  # a build with nothing to do reads no article data: damage would pass unreported
        stored, user = store.fingerprints(), store.user_meta()
        files = store.con.execute("SELECT article_id, file FROM articles").fetchall()
        marked, redo = corrections.marked_lines(store.con), set(corrections.unreflected(store.con))
    seed_files = {r.file for r in raws} if seed_corpus else set()
    stale = [aid for aid, file in files if file in seed_files and aid not in unique]  # seed text edited since
    full, meta_only = [], []
    for aid, raw in unique.items():
        old = stored.get(aid)
        if old is None or split_fingerprint(old)[0] != nlp_fp or aid in redo:  # redo: a line marked since
            full.append(raw)
        elif old != fingerprint or _canon(user[aid]["given"]) != _canon(raw.meta):
            meta_only.append(raw)
        else:
            report.unchanged += 1
    if stale or meta_only:
        with Store.open(store_path, lock_timeout=lock_timeout, guard=guard) as store:
            store.delete(stale)
            store.update_metadata(meta_only, fingerprint, catalogs)
        report.removed = [dict(files)[aid] for aid in stale]
        report.metadata_updated = [r.file for r in meta_only]
    if full:
        edits = {aid: {**user[aid]["edits"], **({MARKED_LINES: marked[aid]} if aid in marked else {})}
                 for aid in user if user[aid]["edits"] or aid in marked}
        _extract_and_write(full, edits, store_path, fingerprint, report, pipeline=pipeline, seeds=seeds,
                           progress=progress, dask=dask, batch_size=batch_size, on_progress=on_progress,
                           lock_timeout=lock_timeout, guard=guard, jobs=jobs)
    elif on_progress:
        on_progress(0, 0)
    from core import sources
    from core.search.index import sync  # the search index follows the store (a no-op when in step)

    with Store.open(store_path, lock_timeout=lock_timeout) as store:
        if sources.stale(store.con, seeds):  # outlet_types.yaml edited: re-classify every article
            with store.transaction() as con:
                report.reclassified = sources.refresh(con, None, seeds)

    sync(store_path or default_store_path(), lock_timeout=lock_timeout)
    report.seconds = time.perf_counter() - started
    return report


def reparse_marked(store_path=None, pipeline: str | None = None, seeds=None, guard=None) -> list[str]:
    """Extract again, from their stored text and metadata, the articles whose lines an analyst has
    marked as boilerplate or body (or unmarked) since their extraction; returns their ids.
    guard: as for build()."""
    with Store.open(store_path, guard=guard) as store:
        ids = corrections.unreflected(store.con)
        user = store.user_meta()
        rows = store.con.execute("""SELECT article_id, file, raw_text, source_format FROM articles
                                    WHERE article_id IN (SELECT unnest($ids::VARCHAR[]))""", {"ids": ids}).fetchall()
    if rows:
        raws = [RawArticle(file, text, dict(user[aid]["given"]), fmt or "txt") for aid, file, text, fmt in rows]
        build(raws, store_path, pipeline=pipeline, seeds=seeds, progress=False, jobs=1, guard=guard)
    return [r[0] for r in rows]


def _canon(meta: dict) -> str:
    return json.dumps(meta, sort_keys=True, default=str)


def _extract_and_write(raws, edits, store_path, fingerprint, report, *, pipeline, seeds, progress,
                       dask, batch_size, on_progress, lock_timeout, guard, jobs) -> None:
    """Extract raws batch by batch (here, in worker processes or on Dask) and write each batch as
    soon as it is done."""
    # Metadata edited in the store wins over what was given at ingest; write() keeps the edits.
    inputs = [RawArticle(r.file, r.text, {**r.meta, **edits.get(content_hash(r.text), {})}, r.source_format)
              for r in raws]
    workers = 1 if dask else worker_count(jobs, len(inputs))
    # extracting here, the pieces of a very long text are parsed on the cores the workers would use
    processes = 1 if dask or workers > 1 else (jobs or usable_cores())
    size = min(batch_size, math.ceil(len(inputs) / workers))  # every worker gets work from the start
    batches = [inputs[i:i + size] for i in range(0, len(inputs), size)]
    by_id = {content_hash(r.text): r for r in raws}
    nlp_fp = split_fingerprint(fingerprint)[0]
    seeds = str(Path(seeds).resolve()) if seeds else None
    total, done = len(inputs), 0
    if on_progress:
        on_progress(0, total)
    bar = _progress_bar(total) if progress else nullcontext()
    with bar as bar:
        for results, errors in _batch_results(batches, pipeline, seeds, nlp_fp, dask, workers, processes):
            if results:
                with Store.open(store_path, lock_timeout=lock_timeout, guard=guard) as store:
                    store.write(results, [by_id[r.article_id] for r in results], fingerprint)
            report.extracted += [r.file for r in results]
            report.errors += [InputError(file, message) for file, message in errors]
            step = len(results) + len(errors)
            done += step
            if bar is not None:
                bar.update(step)
            if on_progress:
                on_progress(done, total)


def _progress_bar(total: int):
    import click

    return click.progressbar(length=total, label="Extracting articles", file=sys.stderr, show_pos=True,
                             show_eta=True)


def worker_count(jobs: int | None, articles: int) -> int:
    """Extraction processes for a build of `articles`: jobs (None = every usable core), fewer
    when there are not MIN_ARTICLES_PER_WORKER articles for each."""
    if jobs is not None and jobs < 1:
        raise DiplotoneError(f"--jobs must be at least 1 (got {jobs}).")
    return max(1, min(jobs or usable_cores(), articles // MIN_ARTICLES_PER_WORKER))


def usable_cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _batch_results(batches, pipeline, seeds, nlp_fp, dask, workers, processes=1):
    """Yield (results, errors) per batch, in completion order; processes: for the pieces of a long
    text when extracting here (core.nlp.parse)."""
    if dask is None and workers == 1:
        for batch in batches:
            yield extract_batch(batch, _context(pipeline, seeds, nlp_fp), processes=processes)
        return
    if dask is None:
        yield from _pool_results(batches, pipeline, seeds, nlp_fp, workers)
        return
    from distributed import as_completed

    with dask_client(dask) as client:
        futures = [client.submit(extract_partition, batch, pipeline, seeds, nlp_fp, pure=False)
                   for batch in batches]
        for future in as_completed(futures):
            yield future.result()


def _pool_results(batches, pipeline, seeds, nlp_fp, workers):
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    method = "fork" if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods() else "spawn"
    if method == "fork":
        _context(pipeline, seeds, nlp_fp)  # loaded once here, inherited by every worker
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method),
                             initializer=_watch_parent, initargs=(os.getpid(),)) as pool:
        futures = [pool.submit(extract_partition, batch, pipeline, seeds, nlp_fp) for batch in batches]
        try:
            for future in as_completed(futures):
                yield future.result()
        except BrokenProcessPool:
            raise PipelineError(
                "An extraction worker process stopped (out of memory, or a script that calls build() "
                "without an `if __name__ == '__main__':` guard, which worker processes need). The batches "
                "written so far are kept: run the build again to extract the rest.") from None
        finally:
            for future in futures:
                future.cancel()


def _watch_parent(parent: int) -> None:
    """A worker exits when the build that started it is gone (killed: nothing else would stop it)."""
    import threading

    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="diplotone-parent-watch").start()


@contextmanager
def dask_client(address: str):
    """A distributed.Client: "local" starts a 2-process LocalCluster and closes it after.

    A Dask scheduler runs whatever code a client sends it, so the local one listens on 127.0.0.1
    only and speaks TLS with certificates made for this run (security=True: Dask's
    Security.temporary), so no other user or process on the machine can connect and run code;
    it has no dashboard. A remote "tcp://host:port" scheduler is the user's own (README: its risk)."""
    from distributed import Client, LocalCluster

    if address == "local":
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          protocol="tls://", security=True, dashboard_address=None) as cluster, \
                Client(cluster, security=cluster.security) as client:
            yield client
        return
    try:
        client = Client(address, timeout="20s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise DiplotoneError(f"Cannot reach the Dask scheduler at {address} ({exc}).") from None
    with client:
        yield client


@functools.lru_cache(maxsize=2)
def _context(pipeline: str | None, seeds: str | None, nlp_fp: str):
    """The ExtractionContext for this process (a Dask worker loads it once, not per task)."""
    from core.extract import ExtractionContext

    ctx = ExtractionContext(pipeline, Path(seeds) if seeds else None)
    if ctx.fingerprint() != nlp_fp:
        raise PipelineError(
            "This process's pipeline or catalogues differ from the build's (a catalogue edited "
            "mid-build, or a Dask worker with another seeds folder or Diplotone version): run the build again.")
    return ctx


def extract_partition(raws: list[RawArticle], pipeline: str | None, seeds: str | None,
                      nlp_fp: str) -> tuple[list[ArticleResult], list[tuple[str, str]]]:
    """Extract one batch (a Dask task); an article that fails is reported, the others go on."""
    return extract_batch(raws, _context(pipeline, seeds, nlp_fp))


def extract_batch(raws: list[RawArticle], ctx, processes: int = 1) -> tuple[list[ArticleResult], list[tuple[str, str]]]:
    """Results and (file, message) errors for a batch, parsing the texts with one nlp.pipe call
    (processes: core.nlp.parse's, for the pieces of a very long text)."""
    from core.ingest.clean import clean_text
    from core.extract import extract
    from core.nlp import parse

    results, errors = [], []
    cleaned = [clean_text(r.text, r.meta.get(MARKED_LINES)) for r in raws]
    try:
        docs = parse(ctx.nlp, [c.text for c in cleaned], processes)
    except Exception:  # one bad text must not fail the batch: parse each inside extract() instead
        docs = [None] * len(raws)
    for raw, text, doc in zip(raws, cleaned, docs):
        try:
            results.append(extract(raw, ctx, doc=doc, cleaned=text))
        except DiplotoneError as exc:
            errors.append((raw.file, str(exc)))
        except Exception as exc:  # noqa: BLE001 - report the article, keep building the others
            errors.append((raw.file, f"extraction failed ({type(exc).__name__}: {exc})"))
    return results, errors
