"""Extraction in other processes (the default worker pool, a Dask LocalCluster) stores exactly what a
single-process build stores, and a parallel build killed halfway is finished by the next build."""
from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import core.build
from core.build import build, worker_count
from core.errors import DiplotoneError
from core.paths import PROJECT_ROOT
from core.store.schema import ARTICLE_TABLES
from core.store.db import read_connection

# Columns that legitimately differ between two builds of the same corpus.
VOLATILE = {"ingested_at"}


def table(path, name):
    with read_connection(path) as con:
        cols = [r[0] for r in con.execute(f"DESCRIBE {name}").fetchall() if r[0] not in VOLATILE]
        order = ", ".join(cols)
        return con.execute(f"SELECT {order} FROM {name} ORDER BY {order}").fetchall()


def assert_same_store(path, reference):
    for name in ARTICLE_TABLES + ("articles",):
        assert table(path, name) == table(reference, name), name


def test_worker_count_uses_every_core_unless_the_build_is_too_small():
    cores = len(os.sched_getaffinity(0))
    assert worker_count(None, 1000) == cores
    assert worker_count(1, 1000) == 1
    assert worker_count(3, 1000) == 3
    assert worker_count(None, core.build.MIN_ARTICLES_PER_WORKER) == 1  # one model load is cheaper
    with pytest.raises(DiplotoneError, match="at least 1"):
        worker_count(0, 10)


@pytest.mark.parametrize("threads", [False, True], ids=["forked", "spawned"])
def test_worker_pool_build_equals_single_process_build(seed_store, tmp_path, monkeypatch, threads):
    """Forked workers (a one-thread process, like the CLI) and spawned ones (a process running other
    threads, like the dashboard) store what one process stores."""
    monkeypatch.setattr(core.build, "MIN_ARTICLES_PER_WORKER", 1)  # two workers for the five seeds
    methods, real = [], multiprocessing.get_context
    monkeypatch.setattr(multiprocessing, "get_context", lambda method=None: methods.append(method) or real(method))
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    if threads:
        other.start()
    path = tmp_path / "pool.duckdb"
    progress = []
    try:
        report = build(None, path, progress=False, jobs=2, batch_size=2,
                       on_progress=lambda done, total: progress.append((done, total)))
    finally:
        stop.set()
    assert methods == ["spawn" if threads else "fork"]
    assert not report.errors and len(report.extracted) == 5
    assert progress[0] == (0, 5) and progress[-1] == (5, 5) and len(progress) == 4  # 3 batches
    assert_same_store(path, seed_store)


@pytest.mark.slow
def test_dask_build_equals_local_build(seed_store, tmp_path):
    path = tmp_path / "dask.duckdb"
    progress = []
    report = build(None, path, progress=False, dask="local", batch_size=2,
                   on_progress=lambda done, total: progress.append((done, total)))
    assert not report.errors and len(report.extracted) == 5
    assert progress[0] == (0, 5) and progress[-1] == (5, 5) and len(progress) == 4  # 3 partitions
    assert_same_store(path, seed_store)


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as status:
            return "\nState:\tZ" in status.read()  # a zombie waiting for its new parent to reap it
    except FileNotFoundError:
        return True


@pytest.mark.slow
def test_parallel_build_killed_mid_write_stops_its_workers_and_next_build_finishes(seed_store, tmp_path,
                                                                                   monkeypatch):
    """kill -9 of the writer inside its second batch's transaction: the first batch stays whole, the
    worker processes exit on their own, and the next (parallel) build extracts only the rest."""
    path, pids = tmp_path / "s.duckdb", tmp_path / "workers.txt"
    code = f"""
        import multiprocessing, os, signal
        import core.build, core.store.db
        from core.build import build
        real, writes = core.store.db._insert, []
        def insert(con, table, frame):
            real(con, table, frame)
            if table == 'articles':
                writes.append(1)
            if table == 'sentences' and len(writes) == 2:
                with open({str(pids)!r}, 'w') as out:
                    out.write(' '.join(str(p.pid) for p in multiprocessing.active_children()))
                os.kill(os.getpid(), signal.SIGKILL)
        core.store.db._insert = insert
        core.build.MIN_ARTICLES_PER_WORKER = 1
        if __name__ == '__main__':
            build(None, {str(path)!r}, progress=False, batch_size=2, jobs=2)"""
    script = tmp_path / "killed_build.py"
    script.write_text(textwrap.dedent(code))
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=PROJECT_ROOT,
                          env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}, timeout=600)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    workers = [int(p) for p in pids.read_text().split()]
    assert len(workers) >= 2
    deadline = time.monotonic() + 30
    while not all(_gone(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert all(_gone(p) for p in workers), "worker processes outlived the killed build"
    assert len(table(path, "articles")) == 2
    monkeypatch.setattr(core.build, "MIN_ARTICLES_PER_WORKER", 1)
    report = build(None, path, progress=False, batch_size=2, jobs=2)
    assert len(report.extracted) == 3 and report.unchanged == 2 and not report.errors
    assert_same_store(path, seed_store)


@pytest.mark.slow
def test_the_local_scheduler_takes_no_connection_without_this_runs_certificates():
    """Issue 14: `build --dask local` started a scheduler that anyone on the machine could send
    code to. It listens on 127.0.0.1 over TLS with throw-away certificates of this run."""
    from distributed import Client
    from distributed.security import Security

    from core.build import dask_client

    with dask_client("local") as client:
        address = client.scheduler.address
        assert address.startswith("tls://127.0.0.1:")
        assert client.submit(sum, [1, 2]).result() == 3
        for attempt in (dict(address=address.replace("tls://", "tcp://")),
                        dict(address=address, security=Security.temporary())):  # other certificates
            with pytest.raises(Exception):
                Client(**attempt, timeout="3s").close()
