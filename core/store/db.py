"""The store: one embedded DuckDB file holding every article and its extraction results.

DuckDB lets one process open a file read-write, or any number of processes open it read-only,
never both at once. So nothing holds the store open for long: a build extracts a batch in
memory and opens the store read-write only to write that batch (one transaction, so a build
killed halfway leaves whole batches or nothing); readers (the dashboard, the CLI) open it
read-only per request. Both wait while another process holds the lock, then fail with a
clear message. A file that is not a Diplotone store, or one written by a newer Diplotone, is
refused and left untouched: the store never overwrites or deletes a file it did not create.
A store of an older schema is upgraded in place when opened for writing (core.store.schema.MIGRATIONS,
then the derived rows are recomputed from the stored ones), keeping every article and edit.
"""
from __future__ import annotations

import datetime as dt
import json
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

from typing import TYPE_CHECKING

import duckdb

from core import PIPELINE_VERSION
from core.catalogs import Catalogs, load_catalogs, pub_date_problem
from core.errors import InputError, OlderSchemaError, StoreError, shown
from core.store.keys import content_hash
from core.model import ArticleResult, RawArticle
from core.paths import store_path
from core.store.schema import ARTICLE_TABLES, BASE_TABLES, DERIVED, INDEXES, MIGRATIONS, SCHEMA_VERSION, TABLES

if TYPE_CHECKING:  # pandas and core.ingest.dedupe load only when writing, so a no-op build stays ~1 s
    import pandas as pd

LOCKED = "the store is locked by another Diplotone process (a running build or dashboard?)"
EDITABLE = ("title", "outlet", "url", "pub_date", "visit")


# No DuckDB extension is ever downloaded or loaded behind the user's back: a file that is not a
# DuckDB database (a SQLite file, say) would otherwise make DuckDB fetch a reader from the internet.
# Every connection of the product opens with this configuration (one per file and process: DuckDB
# refuses a second connection to a file with another one).
DUCKDB_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
# What a damaged file raises when its blocks are read (truncated: "Could not read enough bytes";
# a flipped block: "Corrupt database file: computed checksum ...", a bare duckdb.Error) and what a
# failed write raises (a full disk: "No space left on device", inside several exception types).
_DAMAGE_TYPES = (duckdb.IOException, duckdb.SerializationException, duckdb.InternalException,
                 duckdb.FatalException)
DAMAGED = ("Nothing was written to it. Keep it aside (move or rename it) and run `diplotone build` "
           "to start a new store, or pick another store with --store or DIPLOTONE_STORE.")


def is_store_failure(exc: BaseException) -> bool:
    """A DuckDB error that says the file is damaged or cannot be written, not a query's own error."""
    return isinstance(exc, _DAMAGE_TYPES) or (isinstance(exc, duckdb.Error) and any(
        sign in str(exc) for sign in ("Corrupt database file", "No space left", "Could not read enough bytes",
                                    "Could not write file")))


def store_failure(path, exc: duckdb.Error, writing: bool = False) -> StoreError:
    """The user's message for a DuckDB error on the store file: a full disk or a damaged store."""
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "No space left" in first:
        return StoreError(f"Could not write to the store {path}: the disk is full ({first}). Free some space "
                          "and run it again; what was stored before is kept.")
    if writing and "Could not write" in str(exc):
        return StoreError(f"Could not write to the store {path} ({first}). What was stored before is kept.")
    return StoreError(f"The store {path} is damaged ({first}). {DAMAGED}")


def verify(con, path) -> None:
    """Read every block of every table (DuckDB checks each block's checksum as it reads it), so a
    damaged store is reported before anything writes into it. It costs a full read (0.1 s for
    the seed corpus, about 4 s at 10,000 articles), so it runs before the first write of a
    process to a store it has not written or checked in its current state (Store.transaction),
    and for `diplotone articles`; reads elsewhere report damage when they meet it."""
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()").fetchall()]
    try:
        for table in tables:
            con.execute(f'SELECT count(*), sum(hash(COLUMNS(*))) FROM "{table}"').fetchall()
    except duckdb.Error as exc:
        if not is_store_failure(exc):
            raise
        raise store_failure(path, exc) from None


_checked: dict[Path, tuple] = {}  # store path -> its file state when this process last checked or wrote it


def _file_state(path: Path) -> tuple:
    wal = path.with_name(path.name + ".wal")
    stats = [p.stat() for p in (path, wal) if p.exists()]
    return tuple((st.st_mtime_ns, st.st_size) for st in stats)


def _is_lock_conflict(exc: duckdb.Error) -> bool:
    """Another process holds the file lock, or this process has it open in the other mode."""
    msg = str(exc)
    return ("Could not set lock" in msg or "different configuration" in msg
            or "Unique file handle conflict" in msg)


def _connect(path: Path, read_only: bool, lock_timeout: float) -> duckdb.DuckDBPyConnection:
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a store file: pick a file path with --store or DIPLOTONE_STORE.")
    if read_only and not path.exists():
        raise StoreError(f"No store at {path} yet: run `diplotone build` (or start the dashboard) first.")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline, pause = time.monotonic() + lock_timeout, 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=DUCKDB_CONFIG)
        except duckdb.Error as exc:
            if is_store_failure(exc) and "Corrupt database file" in str(exc):
                raise store_failure(path, exc) from None
            if not _is_lock_conflict(exc):
                first = str(exc).splitlines()[0]
                raise StoreError(
                    f"{path} cannot be opened as a Diplotone store ({first}). The file was left "
                    "untouched: move it away, or pick another store with --store or DIPLOTONE_STORE."
                ) from None
            if time.monotonic() >= deadline:
                raise StoreError(f"{path}: {LOCKED}. Waited {lock_timeout:g} s; try again when it has finished.") from None
            time.sleep(pause)
            pause = min(pause * 2, 0.5)


def _check_schema(con, path: Path, read_only: bool) -> None:
    """Create the schema in a new (empty) file; refuse foreign databases and other schema versions."""
    tables = {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()").fetchall()}
    untouched = "It was left untouched: pick another store with --store or DIPLOTONE_STORE."
    if "meta" not in tables:
        if tables:
            raise StoreError(f"{path} is a DuckDB database but not a Diplotone store (no meta table). {untouched}")
        if read_only:
            raise StoreError(f"The store {path} is empty: run `diplotone build` first.")
        con.execute("BEGIN TRANSACTION")
        for ddl in TABLES.values():
            con.execute(ddl)
        for ddl in INDEXES:
            con.execute(ddl)
        con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        con.execute("COMMIT")
        return
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    try:
        version = int(row[0])
    except (TypeError, ValueError):
        raise StoreError(f"{path} has no readable schema version: not a Diplotone store. {untouched}") from None
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} was written by a newer Diplotone (store schema {version}; this version reads "
            f"schema {SCHEMA_VERSION}). Upgrade Diplotone, or use another store. {untouched}")
    if version < SCHEMA_VERSION:
        if read_only:
            raise OlderSchemaError(
                f"{path} has an older store schema ({version}; this version reads {SCHEMA_VERSION}). "
                "Run `diplotone build` once to upgrade it in place (every article and edit is kept).")
        _migrate(con, version)


def _migrate(con, version: int) -> None:
    """Upgrade a store from schema `version`, in one transaction: nothing changes if it fails."""
    con.execute("BEGIN TRANSACTION")
    try:
        for v in range(version, SCHEMA_VERSION):
            for ddl in MIGRATIONS[v]:
                con.execute(ddl)
        refresh_derived(con, [r[0] for r in con.execute("SELECT article_id FROM articles").fetchall()])
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])
        con.execute("COMMIT")
    except BaseException:
        _rollback(con)
        raise


def _rollback(con) -> None:
    """Roll back if a transaction is still open: DuckDB ends it itself when a write fails (a full
    disk), and a failing ROLLBACK must not replace the error that says why."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass


def refresh_derived(con, article_ids) -> None:
    """Recompute the derived rows (core.store.schema.DERIVED, and the outlet types of core.sources) of
    these articles from their stored rows."""
    from core.sources import refresh as refresh_sources

    ids = {"ids": list(article_ids)}
    if ids["ids"]:
        for sql in DERIVED:
            con.execute(sql, ids)
        refresh_sources(con, ids["ids"])


class Store:
    """An open store. Use as `with Store.open(path) as store: ...`; store.con is the DuckDB connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, read_only: bool, held: ExitStack | None = None):
        self.con, self.path, self.read_only = con, path, read_only
        self._held = held or ExitStack()
        self._checked = False

    @classmethod
    def open(cls, path=None, read_only: bool = False, lock_timeout: float = 30.0, guard=None) -> "Store":
        """Open (creating if needed, unless read_only) the store at path (default core.paths.store_path()).

        lock_timeout: seconds to wait while another process holds the store. guard: a function
        returning a context manager that is held exactly while the store is open (the dashboard's
        core.store.attached.writing, which holds its readers off), so a caller can pass it down to
        every short write instead of holding it around a whole extraction.
        """
        path = store_path(path)
        held = ExitStack()
        if guard is not None:
            held.enter_context(guard())
        try:
            con = _connect(path, read_only, lock_timeout)
        except BaseException:
            held.close()
            raise
        try:
            try:
                _check_schema(con, path, read_only)
            except duckdb.Error as exc:
                if not is_store_failure(exc):
                    raise
                raise store_failure(path, exc, writing=not read_only) from None
        except BaseException:
            con.close()
            held.close()
            raise
        return cls(con, path, read_only, held)

    def close(self) -> None:
        try:
            self.con.close()
            if self._checked:  # checked, or written by this process: the next write need not read it all
                _checked[self.path] = _file_state(self.path)
        finally:
            self._held.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- reading ---------------------------------------------------------------------------

    def fingerprints(self) -> dict[str, str]:
        """article_id -> the fingerprint it was built with (core.store.keys.store_fingerprint)."""
        return dict(self.con.execute("SELECT article_id, fingerprint FROM articles").fetchall())

    def user_meta(self) -> dict[str, dict]:
        """article_id -> {'given': metadata given at ingest, 'edits': metadata edited since}."""
        rows = self.con.execute("SELECT article_id, user_meta FROM articles").fetchall()
        return {aid: _load_user_meta(text) for aid, text in rows}

    def find_article(self, ref: str) -> str:
        """The article_id that ref names: an id, a unique id prefix, or a file name/path."""
        rows = self.con.execute("""
            SELECT article_id FROM articles
            WHERE article_id = $ref OR file = $ref OR parse_filename(file) = parse_filename($ref)
                  OR (length($ref) >= 6 AND starts_with(article_id, $ref))""", {"ref": ref}).fetchall()
        ids = sorted({r[0] for r in rows})
        if not ids:
            raise StoreError(f"No article {ref!r} in the store (give an article id, an id prefix or a file name).")
        if len(ids) > 1:
            raise StoreError(f"{ref!r} matches {len(ids)} articles ({', '.join(i[:12] for i in ids)}): give the article id.")
        return ids[0]

    def check(self) -> None:
        """verify() the whole file, unless this process has checked or written it in its current state."""
        if _file_state(self.path) != _checked.get(self.path):
            verify(self.con, self.path)
            self._checked = True

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def transaction(self):
        """All-or-nothing change; duplicate groups are refreshed before it commits."""
        from core.ingest.dedupe import mark_duplicates

        self.check()  # never write into a damaged file
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
            mark_duplicates(self.con)
            self.con.execute("COMMIT")
            self._checked = True
        except BaseException as exc:
            _rollback(self.con)
            if is_store_failure(exc):
                raise store_failure(self.path, exc, writing=True) from None
            raise

    def write(self, results: list[ArticleResult], raws: list[RawArticle], fingerprint: str) -> None:
        """Replace every row of these articles in every table, in one transaction.

        raws: the inputs as given (their .meta is what the user gave at ingest); metadata edits
        already stored for an article (set_user_meta) are kept, as are its first ingest time
        and duplicate link; the corrections in force (core.corrections) are applied again.
        """
        if not results:
            return
        from core.corrections import reapply as reapply_corrections

        given = {content_hash(r.text): r for r in raws}
        ids = {"ids": [r.article_id for r in results]}
        with self.transaction() as con:
            rows = con.execute("""
                SELECT article_id, user_meta, ingested_at, duplicate_of FROM articles
                WHERE article_id IN (SELECT unnest($ids::VARCHAR[]))""", ids).fetchall()
            kept = {r[0]: {"user_meta": r[1], "ingested_at": r[2], "duplicate_of": r[3]} for r in rows}
            _delete_rows(con, ids)
            for table, frame in result_frames(results, given, fingerprint, kept).items():
                _insert(con, table, frame)
            reapply_corrections(con, ids["ids"], refresh=False)  # the analyst's fixes survive the rebuild
            refresh_derived(con, ids["ids"])

    def set_user_meta(self, article_id: str, fields: dict, catalogs: Catalogs | None = None) -> None:
        """Edit an article's title/outlet/url/pub_date/visit; None or '' returns a field to inference.

        Edits survive rebuilds. Only metadata is re-resolved (a new date re-assigns an inferred
        visit), never the NLP. catalogs: for the visit list (default: the seeds folder's).
        """
        catalogs = catalogs or load_catalogs()
        fields = _validate_edits(article_id, fields, catalogs)
        row = self.con.execute(
            "SELECT file, raw_text, source_format, user_meta, fingerprint FROM articles WHERE article_id = ?",
            [article_id]).fetchone()
        if row is None:
            raise StoreError(f"No article {article_id!r} in the store.")
        file, text, fmt, user_meta, fingerprint = row
        um = _load_user_meta(user_meta)
        edits = {k: v for k, v in {**um["edits"], **fields}.items() if v not in (None, "")}
        raw = RawArticle(file, text, dict(um["given"]), fmt or "txt")
        self.update_metadata([raw], fingerprint, catalogs, edits={article_id: edits})

    def update_metadata(self, raws: list[RawArticle], fingerprint: str, catalogs: Catalogs,
                        edits: dict[str, dict] | None = None) -> None:
        """Re-resolve title/outlet/date/visit of stored articles without re-running the NLP.

        raws: the articles as given (text and given metadata); edits: article_id -> metadata
        edits (default: those already stored). One transaction.
        """
        if not raws:
            return
        import pandas as pd

        from core.ingest.clean import clean_text
        from core.extract import resolve_metadata
        from core.sources import refresh as refresh_sources

        stored = self.user_meta()
        records = []
        for raw in raws:
            aid = content_hash(raw.text)
            own = (edits or {}).get(aid, stored.get(aid, {}).get("edits", {}))
            effective = RawArticle(raw.file, raw.text, {**raw.meta, **own}, raw.source_format)
            meta = resolve_metadata(effective, clean_text(raw.text), catalogs)
            records.append({
                "article_id": aid, **{k: meta[k] for k in _META_COLUMNS},
                "meta_source": json.dumps(meta["meta_source"], sort_keys=True),
                "user_meta": _dump_user_meta(raw.meta, own), "fingerprint": fingerprint,
            })
        frame = pd.DataFrame(records, dtype=object)
        sets = ", ".join(f"{c} = f.{c}" for c in frame.columns if c != "article_id")
        with self.transaction() as con:
            con.register("_meta", frame)
            con.execute(f"UPDATE articles a SET {sets} FROM _meta f WHERE a.article_id = f.article_id")
            con.unregister("_meta")
            refresh_sources(con, frame["article_id"].tolist())  # the outlet may have changed

    def delete(self, article_ids) -> int:
        """Remove articles and all their rows; return how many articles were removed."""
        ids = {"ids": list(article_ids)}
        if not ids["ids"]:
            return 0
        with self.transaction() as con:
            n = con.execute("SELECT count(*) FROM articles WHERE article_id IN (SELECT unnest($ids::VARCHAR[]))",
                            ids).fetchone()[0]
            _delete_rows(con, ids)
        return n


@contextmanager
def read_connection(path=None, lock_timeout: float = 10.0):
    """A short-lived read-only connection for one request (the dashboard, `diplotone articles`).

    Waits up to lock_timeout seconds while a build is writing, then raises StoreError.
    """
    with Store.open(path, read_only=True, lock_timeout=lock_timeout) as store:
        yield store.con


# -- result records -> DataFrames ---------------------------------------------------------

_META_COLUMNS = ("title", "outlet", "credit", "url", "pub_date", "pub_date_confidence", "date_evidence",
                 "visit", "visit_evidence")


def _load_user_meta(text: str | None) -> dict:
    data = json.loads(text) if text else {}
    return {"given": data.get("given", {}), "edits": data.get("edits", {})}


def _dump_user_meta(given: dict, edits: dict) -> str:
    return json.dumps({"given": given, "edits": edits}, sort_keys=True, default=str)


def _validate_edits(article_id: str, fields: dict, catalogs: Catalogs) -> dict:
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise InputError(article_id, f"cannot edit {', '.join(unknown)}; editable fields are {', '.join(EDITABLE)}")
    out = dict(fields)
    date = out.get("pub_date")
    if date not in (None, "") and not isinstance(date, dt.date):
        try:
            out["pub_date"] = dt.date.fromisoformat(str(date).strip()).isoformat()
        except ValueError:
            raise InputError(article_id, f"the date must be a real date as YYYY-MM-DD, got {date!r}") from None
    elif isinstance(date, dt.date):
        out["pub_date"] = date.isoformat()
    if out.get("pub_date") not in (None, ""):
        problem = pub_date_problem(dt.date.fromisoformat(out["pub_date"]))
        if problem:
            raise InputError(article_id, f"the date {problem}, got {out['pub_date']}")
    url = out.get("url")
    if url not in (None, "") and not str(url).strip().lower().startswith(("http://", "https://")):
        raise InputError(article_id, f"the URL must start with http:// or https://, got {shown(str(url))}")
    visits = [v.id for v in catalogs.visits]
    if out.get("visit") not in (None, "") and out["visit"] not in visits:
        raise InputError(article_id, f"unknown visit {out['visit']!r}; use one of {', '.join(visits)}")
    return out


def _delete_rows(con, ids: dict) -> None:
    for table in ARTICLE_TABLES + tuple(f"base_{t}" for t in BASE_TABLES) + ("articles",):
        con.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT unnest($ids::VARCHAR[]))", ids)


def _insert(con, table: str, frame: pd.DataFrame) -> None:
    """Bulk insert: DuckDB scans the DataFrame and casts to the table's column types."""
    if frame.empty:
        return
    frame = frame.astype(object).where(frame.notna(), None)  # missing values from merges are NULL
    cols = ", ".join(frame.columns)
    con.register("_frame", frame)
    try:
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _frame")
    finally:
        con.unregister("_frame")


def result_frames(results: list[ArticleResult], raws: dict[str, RawArticle], fingerprint: str,
                  kept: dict[str, dict] | None = None) -> dict[str, pd.DataFrame]:
    """One DataFrame per table for a batch of results.

    raws: article_id -> the input as given; kept: article_id -> the stored row's user_meta,
    ingested_at and duplicate_of, which a rewrite keeps.
    """
    import pandas as pd

    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    old = kept or {}

    def frame(columns: str, rows) -> pd.DataFrame:
        return pd.DataFrame(list(rows), columns=columns.split(), dtype=object)

    articles = frame(
        "article_id file title outlet outlets credit url pub_date pub_date_confidence date_evidence visit "
        "visit_evidence words tone tone_us tone_china tone_other duplicate_of meta_source user_meta "
        "source_format raw_text pipeline_version fingerprint ingested_at",
        (_article_row(r, raws[r.article_id], fingerprint, old.get(r.article_id, {}), now) for r in results))
    lines = frame("article_id line_idx text removed reason",
                  ((r.article_id, x.idx, x.text, x.removed, x.reason) for r in results for x in r.cleaned.lines))
    sentences = frame("article_id sent_idx start_char end_char text paragraph is_heading speaker side official "
                      "recalled recalled_when",
                      ((r.article_id, s.idx, s.start, s.end, s.text, s.paragraph, s.is_heading, s.speaker, s.side,
                        s.official, s.recalled, s.when) for r in results for s in r.sentences))
    tones = frame("article_id sent_idx tone coop quad",
                  ((r.article_id, t.sent_idx, t.score, t.coop, t.quad) for r in results for t in r.tones))
    drivers = frame("article_id sent_idx word contribution source",
                    ((r.article_id, t.sent_idx, d.word, d.contribution, d.source)
                     for r in results for t in r.tones for d in t.drivers))
    mentions = frame("article_id sent_idx start_char end_char text label canonical side role",
                     ((r.article_id, m.sent_idx, m.start, m.end, m.text, m.label, m.canonical, m.side, m.role)
                      for r in results for m in r.mentions))
    quotes = frame("article_id quote_idx sent_idx start_char end_char text speaker side cue kind official tone",
                   ((r.article_id, i, q.sent_idx, q.start, q.end, q.text, q.speaker, q.side, q.cue, q.kind, q.official, q.tone)
                    for r in results for i, q in enumerate(r.quotes)))
    persons = frame("article_id canonical side role mentions in_catalog official",
                    ((r.article_id, p.canonical, p.side, p.role, p.mentions, p.in_catalog, p.official)
                     for r in results for p in r.persons))
    hits = frame("article_id sent_idx issue trigger weight",
                 ((r.article_id, h.sent_idx, h.issue, h.trigger, h.weight) for r in results for h in r.issue_hits))

    key = ["article_id", "sent_idx"]
    sentences = sentences.merge(tones.drop_duplicates(key), on=key, how="left")
    counts = quotes.dropna(subset=["speaker"]).groupby(["article_id", "speaker"]).size().rename("quotes")
    persons = persons.merge(counts, left_on=["article_id", "canonical"], right_index=True, how="left")
    persons["quotes"] = persons["quotes"].fillna(0).astype(int)
    return {"articles": articles, "lines": lines, "sentences": sentences, "mentions": mentions,
            "persons": persons, "quotes": quotes, "issue_hits": hits, "tone_drivers": drivers}


def _article_row(r: ArticleResult, raw: RawArticle, fingerprint: str, old: dict, now: dt.datetime) -> tuple:
    edits = _load_user_meta(old.get("user_meta"))["edits"]
    by_side = r.tone_by_side or {}
    return (
        r.article_id, r.file, r.title, r.outlet, [o for o in (r.outlet, r.credit) if o], r.credit, r.url, r.pub_date,
        r.pub_date_confidence, r.date_evidence, r.visit, r.visit_evidence, r.words, r.tone,
        by_side.get("US"), by_side.get("China"), by_side.get("Other"), old.get("duplicate_of"),
        json.dumps(r.meta_source, sort_keys=True), _dump_user_meta(raw.meta, edits), raw.source_format,
        raw.text, PIPELINE_VERSION, fingerprint, old.get("ingested_at") or now,
    )
