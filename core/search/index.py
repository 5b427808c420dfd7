"""The sentence index: a tantivy index beside the store (<store>.search/), derived from it only.

One document per stored sentence: its words (text), the people it mentions or is spoken by
(person), its speaker, its issues (issue), and two fast fields that lead back to the store:
art (the first 16 hex digits of the article id as an integer) and sent (sent_idx). No text is
stored in the index; results read it from the store.

stamp.json records the index layout (INDEX_VERSION), the store schema, and per article the key
it was indexed with (its NLP fingerprint: sentences, mentions, quotes and issues change only with
it; and its duplicate link: a duplicate's sentences are not indexed, as no chart counts them),
plus a cheap signature of all keys. sync() compares that signature with the store's and,
when they differ, re-indexes the articles whose key changed and deletes those gone; a missing or
unreadable index, or one of another layout or store schema, is rebuilt from the store. Builds
and ingests call sync() after writing; corrections call reindex() for the articles they change;
readers call fresh_index(), which syncs first when the index is behind.
"""
from __future__ import annotations

import fcntl
import json
import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import tantivy

from core.store.schema import SCHEMA_VERSION
from core.store.db import read_connection

INDEX_VERSION = 1
CHUNK = 2_000  # articles read from the store and indexed per step
# An article's key: what its indexed rows depend on (the NLP part of its fingerprint) and whether it
# is a duplicate (duplicates are left out of every chart, so out of the index too).
_KEY = ("md5(article_id || regexp_replace(fingerprint, '\\|visits=[^|]*$', '') "
        "|| coalesce(duplicate_of, ''))")
ART_KEY = "('0x' || left(article_id, 16))::UBIGINT"  # the `art` fast field, in SQL


def index_dir(store_path) -> Path:
    return Path(str(store_path) + ".search")


def art_key(article_id: str) -> int:
    return int(article_id[:16], 16)


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    for name in ("text", "person", "speaker", "issue"):
        sb.add_text_field(name, stored=False)
    sb.add_unsigned_field("art", indexed=True, fast=True)
    sb.add_unsigned_field("sent", fast=True)
    return sb.build()


SCHEMA = _schema()


@dataclass
class SyncReport:
    indexed: int = 0  # articles (re-)indexed
    removed: int = 0  # articles deleted from the index
    rebuilt: bool = False
    seconds: float = 0.0


def _signature(con) -> str:
    row = con.execute(f"SELECT count(*), coalesce(bit_xor(hash({_KEY})), 0) FROM articles").fetchall()[0]
    return f"{row[0]}:{row[1]}"


def _read_stamp(folder: Path) -> dict | None:
    try:
        stamp = json.loads((folder / "stamp.json").read_text())
    except (OSError, ValueError):
        return None
    ok = (isinstance(stamp, dict) and stamp.get("version") == INDEX_VERSION
          and stamp.get("store_schema") == SCHEMA_VERSION and tantivy.Index.exists(str(folder)))
    return stamp if ok else None


def _write_stamp(folder: Path, signature: str, keys: dict) -> None:
    tmp = folder / "stamp.json.tmp"
    tmp.write_text(json.dumps({"version": INDEX_VERSION, "store_schema": SCHEMA_VERSION,
                               "signature": signature, "keys": keys}))
    tmp.replace(folder / "stamp.json")


@contextmanager
def _locked(folder: Path):
    """One writer of an index at a time, across processes (a build and a dashboard)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(str(folder) + ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def sync(store_path, con=None, lock_timeout: float = 10.0) -> SyncReport:
    """Bring the index of the store at store_path in step with it (con: an open connection to it)."""
    if con is None:
        with read_connection(store_path, lock_timeout=lock_timeout) as own:
            return sync(store_path, own)
    started = time.perf_counter()
    folder = index_dir(store_path)
    report = SyncReport()
    with _locked(folder):
        signature = _signature(con)
        stamp = _read_stamp(folder)
        if stamp and stamp["signature"] == signature:
            return report
        keys = dict(con.execute(f"SELECT article_id, {_KEY} FROM articles").fetchall())
        if stamp is None:
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            report.rebuilt, old = True, {}
        else:
            old = stamp["keys"]
        index = tantivy.Index(SCHEMA, path=str(folder))
        gone = [aid for aid in old if keys.get(aid) != old[aid]]
        todo = [aid for aid in keys if old.get(aid) != keys[aid]]
        _update(index, con, gone, todo)
        _write_stamp(folder, signature, keys)
        report.indexed, report.removed = len(todo), len(set(gone) - set(todo))
    report.seconds = time.perf_counter() - started
    _readers.pop(str(folder), None)
    return report


def reindex(store_path, con, article_ids) -> None:
    """Re-index these articles now (their rows changed without a new fingerprint: a correction)."""
    folder = index_dir(store_path)
    ids = list(article_ids)
    with _locked(folder):
        if _read_stamp(folder) is None:
            return  # no index yet: the next sync builds it from the store as it is
        _update(tantivy.Index(SCHEMA, path=str(folder)), con, ids, ids)
    _readers.pop(str(folder), None)


def _update(index: tantivy.Index, con, delete: list[str], add: list[str]) -> None:
    """Delete the documents of `delete`, add those of `add`, in one commit."""
    writer = index.writer(heap_size=200_000_000, num_threads=1)
    try:
        for start in range(0, len(delete), CHUNK):  # (a term delete of a u64 misses: a query does not)
            keys = [art_key(aid) for aid in delete[start:start + CHUNK]]
            writer.delete_documents_by_query(tantivy.Query.term_set_query(SCHEMA, "art", keys))
        for start in range(0, len(add), CHUNK):
            for row in _documents(con, add[start:start + CHUNK]):
                writer.add_document(row)
        writer.commit()
        writer.wait_merging_threads()
    except BaseException:
        writer.rollback()
        raise


def _documents(con, ids: list[str]):
    rel = con.execute("""
        WITH m AS (SELECT article_id, sent_idx, list(DISTINCT canonical) AS persons FROM mentions
                   WHERE canonical IS NOT NULL AND article_id IN (SELECT unnest($ids::VARCHAR[])) GROUP BY ALL),
             h AS (SELECT article_id, sent_idx, list(DISTINCT issue) AS issues FROM issue_hits
                   WHERE article_id IN (SELECT unnest($ids::VARCHAR[])) GROUP BY ALL)
        SELECT s.article_id, s.sent_idx, s.text, s.speaker, m.persons, h.issues
        FROM sentences s LEFT JOIN m USING (article_id, sent_idx) LEFT JOIN h USING (article_id, sent_idx)
        WHERE s.article_id IN (SELECT article_id FROM articles
                               WHERE duplicate_of IS NULL AND article_id IN (SELECT unnest($ids::VARCHAR[])))""",
                      {"ids": ids})
    keys: dict[str, int] = {}
    while rows := rel.fetchmany(10_000):
        for aid, sent, text, speaker, persons, issues in rows:
            doc = tantivy.Document()
            doc.add_text("text", text or "")
            for person in {*(persons or ()), *([speaker] if speaker else [])}:
                doc.add_text("person", person)
            if speaker:
                doc.add_text("speaker", speaker)
            for issue in issues or ():
                doc.add_text("issue", issue)
            doc.add_unsigned("art", keys.get(aid) or keys.setdefault(aid, art_key(aid)))
            doc.add_unsigned("sent", sent)
            yield doc


# --- reading ----------------------------------------------------------------------------------

_readers: dict[str, tuple[tuple, tantivy.Index]] = {}  # index folder -> (store file state, open index)
_readers_lock = threading.Lock()


def _file_state(store_path) -> tuple:
    """(mtime, size) of the store and its WAL: changes whenever a writer commits."""
    out = []
    for path in (Path(store_path), Path(str(store_path) + ".wal")):
        try:
            st = path.stat()
            out += [st.st_mtime_ns, st.st_size]
        except OSError:
            out += [0, 0]
    return tuple(out)


def fresh_index(store_path, con) -> tantivy.Index:
    """The store's index, in step with it (synced first if it is behind or missing).

    The store's signature is read only when its file changed since the last look."""
    folder = str(index_dir(store_path))
    state = _file_state(store_path)
    with _readers_lock:
        cached = _readers.get(folder)
        if cached and cached[0] == state:
            return cached[1]
    sync(store_path, con)
    index = tantivy.Index.open(folder)
    with _readers_lock:
        _readers[folder] = (state, index)
    return index


def store_file(con) -> Path:
    """The file of the store that con reads (its current database), to find the index beside it."""
    path = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()[0][0]
    return Path(path).resolve()

