"""Fast read-only access to the store for the dashboard: attach it to a resident DuckDB per request.

core.store.db.read_connection starts a DuckDB database per request: ~45 ms to start the engine,
~20 ms for the schema check and ~10 ms to close, most of a filter change's budget. Here one
in-memory DuckDB lives as long as the process, and each request ATTACHes the store file
READ_ONLY (2-6 ms) and DETACHes it when the last concurrent request ends, so, as with
read_connection, nothing holds the file between requests and a build or an ingest can always
write. Requests from several threads (Streamlit sessions) share one attachment, each on its
own cursor. The schema version is read on every attach (one row); the full check of
core.store.db runs only when that read fails, for its clear message.
"""
from __future__ import annotations

import itertools
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb

from core.errors import StoreError
from core.paths import store_path
from core.store.schema import SCHEMA_VERSION
from core.store.db import DUCKDB_CONFIG, LOCKED, _check_schema, _is_lock_conflict, is_store_failure, store_failure

_lock = threading.Lock()
_idle = threading.Condition(_lock)  # notified when a store is detached
_host: duckdb.DuckDBPyConnection | None = None
_attached: dict[Path, list] = {}  # path -> [alias, users]
_aliases = itertools.count()


# DuckDB keeps the store blocks it has read in memory up to its limit (80 % of RAM by default), so
# the dashboard grew past 1 GB at 100,000 articles. Past this limit it drops cached blocks (the OS
# page cache still holds the file) and spills large intermediates to the temp folder.
READ_MEMORY_LIMIT = "400MB"


def _host_connection() -> duckdb.DuckDBPyConnection:
    global _host
    if _host is None:
        spill = Path(tempfile.gettempdir()) / "diplotone-duckdb"
        _host = duckdb.connect(":memory:", config={**DUCKDB_CONFIG, "memory_limit": READ_MEMORY_LIMIT,
                                                   "temp_directory": str(spill)})
    return _host


def _attach(host, path: Path, alias: str, lock_timeout: float) -> None:
    if not path.is_file():
        raise StoreError(f"No store at {path} yet: run `diplotone build` (or start the dashboard) first.")
    deadline, pause = time.monotonic() + lock_timeout, 0.05
    while True:
        try:
            host.execute(f"ATTACH '{str(path).replace(chr(39), chr(39) * 2)}' AS {alias} (READ_ONLY)")
            return
        except duckdb.Error as exc:
            # A file open elsewhere in this process ("file handle conflict") is busy too: wait.
            if is_store_failure(exc):
                raise store_failure(path, exc) from None
            if not (_is_lock_conflict(exc) or "file handle conflict" in str(exc)):
                first = str(exc).splitlines()[0]
                raise StoreError(f"{path} cannot be opened as a Diplotone store ({first}). The file was left "
                                 "untouched: move it away, or pick another store with --store or DIPLOTONE_STORE.") from None
            if time.monotonic() >= deadline:
                raise StoreError(f"{path}: {LOCKED}. Waited {lock_timeout:g} s; try again when it has finished.") from None
            time.sleep(pause)
            pause = min(pause * 2, 0.5)


def _check(cur, path: Path) -> None:
    try:
        row = cur.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except duckdb.Error:
        row = None
    if row != (str(SCHEMA_VERSION),):
        _check_schema(cur, path, read_only=True)  # raises the store's own message


@contextmanager
def attached_connection(path=None, lock_timeout: float = 10.0):
    """A read-only cursor on the store (default core.paths.store_path()) for one request.

    Same contract as core.store.db.read_connection: waits up to lock_timeout seconds while a
    writer holds the file, then raises StoreError; refuses files that are not a current store."""
    path = store_path(path).resolve()
    with _lock:
        host = _host_connection()
        entry = _attached.get(path)
        if entry is None:
            alias = f"store_{next(_aliases)}"
            _attach(host, path, alias, lock_timeout)
            entry = _attached[path] = [alias, 0]
        entry[1] += 1
        cur = host.cursor()
    try:
        cur.execute(f"USE {entry[0]}")
        _check(cur, path)
        yield cur
    except duckdb.Error as exc:
        if not is_store_failure(exc):
            raise
        raise store_failure(path, exc) from None  # a damaged block met by a query: say so, not a traceback
    finally:
        cur.close()
        with _lock:
            entry[1] -= 1
            if entry[1] == 0:
                del _attached[path]
                host.execute(f"DETACH {entry[0]}")
                _idle.notify_all()


@contextmanager
def writing(path=None):
    """Around a write to the store from this process (an upload, a metadata edit): waits until no
    request has the store attached and holds new ones off until the write is done, since DuckDB
    refuses to open a file for writing that is attached elsewhere in the process."""
    path = store_path(path).resolve()
    with _idle:
        _idle.wait_for(lambda: path not in _attached)
        yield
