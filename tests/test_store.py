"""The store: schema checks, whole-article replacement, transactions, locking between processes."""
from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import textwrap
import time

import duckdb
import pytest

from conftest import synthetic_article
from handmade_store import downgrade_to_schema_1, downgrade_to_schema_2, downgrade_to_schema_3
from core.errors import StoreError
from core.model import IssueHit
from core.store.schema import ARTICLE_TABLES, DERIVED_TABLES, SCHEMA_VERSION
from core.store.db import LOCKED, Store, read_connection

TEXT_A = "Blinken in Beijing for talks\nQ: We want stable ties said Blinken.\nTaiwan remains the core issue."
TEXT_B = "Yellen talks trade\nTariffs stay.\nQ: Blinken agreed."


def counts(con) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ARTICLE_TABLES + ("articles",)}


def test_new_store_has_schema_version(tmp_path):
    with Store.open(tmp_path / "s.duckdb") as store:
        assert store.con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
        assert store.fingerprints() == {}


def test_write_stores_every_table_and_derived_columns(tmp_path):
    res, raw = synthetic_article(TEXT_A, meta={"outlet": "Reuters"})
    with Store.open(tmp_path / "s.duckdb") as store:
        store.write([res], [raw], "fp1")
        con = store.con
        assert store.fingerprints() == {res.article_id: "fp1"}
        assert counts(con) == {"lines": 3, "sentences": 3, "mentions": 2, "persons": 1, "quotes": 1,
                               "issue_hits": 1, "tone_drivers": 1, "issue_pairs": 0, "article_words": 1,
                               "article_sides": 2,
                               "article_issues": 1, "article_sources": 1, "articles": 1}
        # an issue hit carries its sentence's paragraph, tone, side and speaker
        assert con.execute("SELECT sent_idx, paragraph, tone, side, speaker FROM issue_hits").fetchone() == (
            2, 2, 0.0, None, None)
        speaker, side, tone = con.execute(
            "SELECT speaker, side, tone FROM sentences WHERE sent_idx = 1").fetchone()
        assert (speaker, side, tone) == ("Antony Blinken", "US", 0.0)
        assert con.execute("SELECT speaker FROM sentences WHERE sent_idx = 0").fetchone()[0] is None
        assert con.execute("SELECT quotes FROM persons").fetchone()[0] == 1
        row = con.execute("SELECT tone_us, tone_china, raw_text, outlets, pub_date::VARCHAR FROM articles").fetchone()
        assert row == (0.5, None, TEXT_A, ["Reuters"], "2023-06-18")
        assert store.user_meta()[res.article_id] == {"given": {"outlet": "Reuters"}, "edits": {}}


def test_rewrite_replaces_rows_and_keeps_first_ingest_time(tmp_path):
    res, raw = synthetic_article(TEXT_A)
    other, raw_b = synthetic_article(TEXT_B, "b.txt")
    with Store.open(tmp_path / "s.duckdb") as store:
        store.write([res, other], [raw, raw_b], "fp1")
        first = store.con.execute("SELECT ingested_at FROM articles WHERE file='a.txt'").fetchone()[0]
        before = counts(store.con)
        res.issue_hits = []
        store.write([res], [raw], "fp2")
        after = counts(store.con)
        assert after == {**before, "issue_hits": before["issue_hits"] - 1,
                         "article_issues": before["article_issues"] - 1}
        assert store.fingerprints() == {res.article_id: "fp2", other.article_id: "fp1"}
        assert store.con.execute("SELECT ingested_at FROM articles WHERE file='a.txt'").fetchone()[0] == first


def test_delete_removes_all_rows(tmp_path):
    res, raw = synthetic_article(TEXT_A)
    other, raw_b = synthetic_article(TEXT_B, "b.txt")
    with Store.open(tmp_path / "s.duckdb") as store:
        store.write([res, other], [raw, raw_b], "fp")
        assert store.delete([res.article_id, "missing"]) == 1
        con = store.con
        for table in ARTICLE_TABLES + ("articles",):
            left = {r[0] for r in con.execute(f"SELECT DISTINCT article_id FROM {table}").fetchall()}
            assert res.article_id not in left


def test_failed_write_rolls_back_whole_batch(tmp_path, monkeypatch):
    import core.store.db

    res, raw = synthetic_article(TEXT_A)
    other, raw_b = synthetic_article(TEXT_B, "b.txt")
    path = tmp_path / "s.duckdb"
    with Store.open(path) as store:
        store.write([res], [raw], "fp1")
    real_insert = core.store.db._insert

    def failing(con, table, frame):
        real_insert(con, table, frame)
        if table == "sentences":
            raise RuntimeError("disk full")

    monkeypatch.setattr(core.store.db, "_insert", failing)
    with Store.open(path) as store:
        with pytest.raises(RuntimeError):
            store.write([res, other], [raw, raw_b], "fp2")
        assert store.fingerprints() == {res.article_id: "fp1"}
        assert counts(store.con)["sentences"] == 3


def test_find_article_by_id_prefix_and_file(tmp_path):
    res, raw = synthetic_article(TEXT_A, "folder/a.txt")
    with Store.open(tmp_path / "s.duckdb") as store:
        store.write([res], [raw], "fp")
        assert store.find_article(res.article_id) == res.article_id
        assert store.find_article(res.article_id[:8]) == res.article_id
        assert store.find_article("a.txt") == res.article_id
        with pytest.raises(StoreError, match="No article"):
            store.find_article("zzz.txt")


def test_non_duckdb_file_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "notes.duckdb"
    content = b"my precious notes, not a database\n" * 50
    path.write_bytes(content)
    for read_only in (False, True):
        with pytest.raises(StoreError, match="left untouched"):
            Store.open(path, read_only=read_only)
    assert path.read_bytes() == content


def test_foreign_duckdb_and_newer_schema_are_refused(tmp_path):
    foreign = tmp_path / "foreign.duckdb"
    con = duckdb.connect(str(foreign))
    con.execute("CREATE TABLE sales (x INT)")
    con.close()
    with pytest.raises(StoreError, match="not a Diplotone store"):
        Store.open(foreign)
    newer = tmp_path / "newer.duckdb"
    Store.open(newer).close()
    con = duckdb.connect(str(newer))
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    con.close()
    size = newer.stat().st_size
    with pytest.raises(StoreError, match="newer Diplotone"):
        Store.open(newer)
    assert newer.stat().st_size == size


def test_reader_of_missing_store_gets_clear_error(tmp_path):
    with pytest.raises(StoreError, match="diplotone build"):
        with read_connection(tmp_path / "none.duckdb"):
            pass
    assert not (tmp_path / "none.duckdb").exists()


def _python(code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=os.getcwd(),
                            env={**os.environ, "PYTHONPATH": os.getcwd()})


def test_lock_timeout_message_names_the_cause(tmp_path):
    path = tmp_path / "s.duckdb"
    Store.open(path).close()
    holder = _python(f"""
        from core.store.db import Store
        import sys, time
        s = Store.open({str(path)!r}); print('held', flush=True); time.sleep(30)""")
    try:
        assert holder.stdout.readline().strip() == "held"
        t0 = time.monotonic()
        with pytest.raises(StoreError) as info:
            with read_connection(path, lock_timeout=0.5):
                pass
        assert LOCKED in str(info.value) and time.monotonic() - t0 < 5
    finally:
        holder.kill()
        holder.wait()


def test_reader_and_writer_processes_interleave(tmp_path):
    """A writer writing batch after batch and a reader reading between them: no errors, no torn reads."""
    path = tmp_path / "s.duckdb"
    Store.open(path).close()
    writer = _python(f"""
        import sys; sys.path.insert(0, 'tests')
        from conftest import synthetic_article
        from core.store.db import Store
        for i in range(12):
            text = f"Article {{i}} talks\\nQ: Blinken line {{i}}\\nTaiwan {{i}}"
            res, raw = synthetic_article(text, f"{{i}}.txt")
            with Store.open({str(path)!r}) as store:
                store.write([res], [raw], "fp")
        print('done', flush=True)""")
    reads = []
    while writer.poll() is None:
        with read_connection(path, lock_timeout=20) as con:
            n_articles, n_sentences = con.execute(
                "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM sentences)").fetchone()
        assert n_sentences == 3 * n_articles  # every read sees whole articles
        reads.append(n_articles)
    out, err = writer.communicate()
    assert writer.returncode == 0, err
    assert out.strip() == "done"
    with read_connection(path) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 12
    assert reads == sorted(reads) and len(reads) >= 2


def test_killed_writer_leaves_whole_batches(tmp_path):
    """kill -9 in the middle of a write transaction: the batch before it stays, the torn one vanishes."""
    path = tmp_path / "s.duckdb"
    proc = _python(f"""
        import os, signal, sys; sys.path.insert(0, 'tests')
        from conftest import synthetic_article
        import core.store.db
        from core.store.db import Store
        real = core.store.db._insert
        batches = []
        def insert(con, table, frame):
            real(con, table, frame)
            if table == 'sentences' and len(batches) == 1:
                os.kill(os.getpid(), signal.SIGKILL)
        core.store.db._insert = insert
        for i in range(3):
            pairs = [synthetic_article(f"Batch {{i}} article {{j}} talks\\nQ: Blinken\\nTaiwan", f"{{i}}-{{j}}.txt")
                     for j in range(3)]
            with Store.open({str(path)!r}) as store:
                store.write([p[0] for p in pairs], [p[1] for p in pairs], "fp")
            batches.append(i)""")
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    with read_connection(path) as con:
        files = sorted(r[0] for r in con.execute("SELECT file FROM articles").fetchall())
        assert files == ["0-0.txt", "0-1.txt", "0-2.txt"]
        assert counts(con) == {"lines": 9, "sentences": 9, "mentions": 3, "persons": 3, "quotes": 3,
                               "issue_hits": 3, "tone_drivers": 3, "issue_pairs": 0, "article_words": 3,
                               "article_sides": 6,
                               "article_issues": 3, "article_sources": 3, "articles": 3}


@pytest.mark.parametrize("downgrade", [downgrade_to_schema_1, downgrade_to_schema_2, downgrade_to_schema_3], ids=lambda d: d.__name__)
def test_older_schema_is_upgraded_in_place_keeping_every_article(tmp_path, downgrade):
    path = tmp_path / "old.duckdb"
    text = "Blinken in Beijing for talks on Taiwan\nQ: Taiwan talks were candid said Blinken.\nTrade."
    res, raw = synthetic_article(text, meta={"outlet": "Reuters"})
    res.sentences[1] = dataclasses.replace(res.sentences[1], paragraph=0)  # two Taiwan sentences in one
    res.issue_hits.append(IssueHit(1, "trade", "Trade"))  # paragraph, one with a trade hit too
    with Store.open(path) as store:
        store.write([res], [raw], "fp1")
        store.set_user_meta(res.article_id, {"title": "Edited title"})
        expected = {t: store.con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                    for t in ("articles", "issue_hits", *DERIVED_TABLES)}
    assert expected["issue_pairs"] == [(res.article_id, "taiwan", "trade", 1)]
    assert [r[1:3] for r in expected["article_issues"]] == [("taiwan", 2), ("trade", 1)]
    downgrade(path)
    size = path.stat().st_size
    with pytest.raises(StoreError, match="older store schema"):
        read_connection(path).__enter__()
    assert path.stat().st_size == size  # a reader leaves it untouched
    with Store.open(path) as store:
        got = {t: store.con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in expected}
        assert got == expected
        assert store.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
    with read_connection(path) as con:
        assert con.execute("SELECT title FROM articles").fetchone()[0] == "Edited title"
